import ChannelSimulator
import Foundation
import XCTest

/// The WooCommerce channel end to end through the built binary.
final class WooCommerceDaemonTests: XCTestCase {
    func testImportShipKillDuringPushRestartExactlyOneNote() throws {
        let h = try WooCommerceBinaryHarness()
        let order = h.addOrder()
        let ref = "shop:\(order.id)"
        try h.start()
        h.wait("order imported") { (try? h.order(ref))?["status"] as? String == "awaiting_shipment" }
        let shown = try XCTUnwrap(h.order(ref))
        XCTAssertEqual(shown["carrier"] as? String, "colissimo")
        XCTAssertEqual(shown["channel_type"] as? String, "woocommerce")

        let accept = try h.cli(["accept", ref])
        XCTAssertEqual(accept.code, 65)
        XCTAssertTrue(accept.err.contains("need no acceptance"), accept.err)

        // The note is added at once but its reply is held: the daemon dies before it hears back.
        h.simulator.injectFault(.slow(seconds: 4), count: 1, method: "POST", pathPrefix: "/wp-json/wc/v3/orders/\(order.id)/notes")
        let ship = try h.cli(["ship", ref, "--tracking", "6A 1234 5678"])
        XCTAssertEqual(ship.code, 0, ship.err)
        h.wait("note added on the store") { h.simulator.customerNotes(orderID: order.id).count == 1 }
        XCTAssertEqual(h.stop(signal: SIGKILL), SIGKILL)
        XCTAssertEqual(try h.jobs().first { $0["kind"] as? String == "ship" }?["state"] as? String, "running")

        h.simulator.faultsOff()
        try h.start()
        h.wait("job done after restart") { (try? h.jobs())?.first { $0["kind"] as? String == "ship" }?["state"] as? String == "done" }
        XCTAssertEqual(h.simulator.customerNotes(orderID: order.id).count, 1, "exactly one note")
        XCTAssertEqual(h.simulator.customerNotes(orderID: order.id).first?.note,
                       "Shipped with Colissimo, tracking 6A12345678: https://www.laposte.fr/outils/suivre-vos-envois?code=6A%201234%205678")
        XCTAssertEqual(h.simulator.order(order.id)?.status, "completed")
        XCTAssertEqual(h.simulator.emails(orderID: order.id).map(\.template), ["customer_note", "customer_completed_order"])
        h.wait("order shows completed") { (try? h.order(ref))?["status"] as? String == "completed" }
        XCTAssertEqual(h.stop(), 0)
        XCTAssertFalse(h.log.contains(h.key.consumerSecret), "the secret never reaches the log")
    }

    func testShipPerLineWithQueryAuth() throws {
        let h = try WooCommerceBinaryHarness(auth: "query")
        let order = h.addOrder {
            $0.lineItems = [.priced(name: "T-shirt M", sku: "TSHIRT-M", unitGross: "45.00"),
                            .priced(name: "Mug", sku: "MUG-01", quantity: 2, unitGross: "12.00")]
        }
        let ref = "shop:\(order.id)"
        let lines = order.lineItems.map { String($0.id) }
        try h.start()
        h.wait("order imported") { (try? h.order(ref))?["status"] as? String == "awaiting_shipment" }
        XCTAssertEqual(try h.cli(["ship", ref, "--tracking", "PART-1", "--line", lines[0]]).code, 0)
        h.wait("first note") { h.simulator.customerNotes(orderID: order.id).count == 1 }
        h.wait("first job done") { (try? h.jobs())?.allSatisfy { $0["state"] as? String == "done" } == true }
        XCTAssertEqual(h.simulator.order(order.id)?.status, "processing", "one line is still to ship")
        XCTAssertEqual(try h.cli(["ship", ref, "--tracking", "PART-2", "--line", lines[1]]).code, 0)
        h.wait("completed once every line shipped") { h.simulator.order(order.id)?.status == "completed" }
        XCTAssertEqual(h.simulator.customerNotes(orderID: order.id).count, 2)
        XCTAssertTrue(h.simulator.listRequests().allSatisfy { $0.query["consumer_key"] == h.key.consumerKey })
        XCTAssertEqual(h.stop(), 0)
        XCTAssertFalse(h.log.contains(h.key.consumerSecret))
    }
}
