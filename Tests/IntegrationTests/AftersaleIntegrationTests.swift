import ChannelSimulator
import Foundation
import XCTest

/// After-sale through the built binary: channel-side cancellations against queued pushes, refunds, returns.
final class AftersaleIntegrationTests: XCTestCase {
    func testBuyerCancelsOnBackMarketWhileShipmentQueuedNothingShippedJobObsolete() throws {
        let h = try Harness()
        let order = h.simulator.addOrder(BackMarketSimulator.Order(lines: [.init(product: "Kobo Clara")]))
        let ref = "bm-eu:\(order.orderID)"
        try h.start()
        h.wait("accepted") { (try? h.order(ref))?["status"] as? String == "awaiting_shipment" }
        XCTAssertEqual(h.stop()?.status, 0)
        let queued = try h.cli(["ship", ref, "--tracking", "CANCELLED-1"])
        XCTAssertEqual(queued.code, 0, queued.err)
        // The buyer's cancel request, granted by Back Market care: the accepted line is refunded before shipping.
        XCTAssertTrue(h.simulator.setLineState(orderID: order.orderID, to: 5))
        try h.start()
        h.wait("ship job obsolete") { ((try? h.jobs()) ?? []).contains { $0["kind"] as? String == "ship" && $0["state"] as? String == "obsolete" } }
        XCTAssertEqual(h.shipEffects(order.orderID), 0, "nothing shipped")
        XCTAssertTrue(h.simulator.requests(method: "POST").allSatisfy { ($0.jsonBody?["new_state"] as? Int) != 3 },
                      "no new_state 3 sent")
        let table = try h.cli(["jobs"]).out
        XCTAssertTrue(table.contains("obsolete"), table)
        h.wait("order shows the cancellation") { (try? h.order(ref))?["status"] as? String == "cancelled" }
        XCTAssertEqual(h.stop()?.status, 0)
        XCTAssertEqual(h.log.components(separatedBy: "\"msg\":\"job dropped\"").count - 1, 1, "logged once")
        try h.start()
        h.wait("polled again") { h.log.components(separatedBy: "\"msg\":\"daemon started\"").count == 3 }
        XCTAssertEqual(try h.jobs().first { $0["kind"] as? String == "ship" }?["state"] as? String, "obsolete", "never retried")
        XCTAssertEqual(h.stop()?.status, 0)
        XCTAssertEqual(h.log.components(separatedBy: "\"msg\":\"job dropped\"").count - 1, 1, "still logged once after a restart")
    }
}
