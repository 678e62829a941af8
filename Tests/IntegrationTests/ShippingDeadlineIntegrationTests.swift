import ChannelSimulator
import Foundation
import OrderSync
import XCTest

/// Shipping deadlines through the built binary: Back Market's `expected_dispatch_date` as `ship_by`, the
/// warning logged once across a restart, `status` counts, and late shipments counted by `report`.
final class ShippingDeadlineIntegrationTests: XCTestCase {
    func testShipmentWarningLoggedOnceAcrossRestartAndLateShipmentCountedByReport() throws {
        let h = try Harness(autoAccept: true)
        let alerts = h.dir + "/alerts.jsonl"
        h.extraConfigJSON = "\n  \"alerts\": { \"command\": [\"\(try AlertIntegrationTests.appendingCommand(in: h.dir, to: alerts))\"] },"
        try h.writeConfig(autoAccept: true, pollInterval: 10)
        let now = Date()
        func order(dispatchIn seconds: TimeInterval) -> BackMarketSimulator.Order {
            var template = BackMarketSimulator.Order(lines: [.init(product: "Nintendo Switch")])
            template.expectedDispatchDate = now.addingTimeInterval(seconds)
            return h.simulator.addOrder(template)
        }
        // Due 20 s from now: the 75 % warning comes ~15 s after acceptance, the error at the deadline.
        let soon = order(dispatchIn: 20)
        let late = order(dispatchIn: -3600)
        let early = order(dispatchIn: 2 * 86_400)
        let near = "\"msg\":\"shipment deadline near\""
        let passed = "\"msg\":\"shipment deadline passed\""
        func count(_ needle: String, _ id: Int) -> Int {
            h.log.split(separator: "\n").filter { $0.contains(needle) && $0.contains("\"order.ref\":\"bm-eu:\(id)\"") }.count
        }

        try h.start()
        try h.wait("accepted") { try h.orders().filter { $0["status"] as? String == "awaiting_shipment" }.count == 3 }
        let shown = try XCTUnwrap(try h.order("bm-eu:\(late.orderID)"))
        XCTAssertEqual(shown["ship_by"] as? String, Timestamp.format(now.addingTimeInterval(-3600)), "the channel's own date, in UTC")
        for (o, tracking) in [(late, "LATE-1"), (early, "EARLY-1")] {
            let shipped = try h.cli(["ship", "bm-eu:\(o.orderID)", "--tracking", tracking])
            XCTAssertEqual(shipped.code, 0, shipped.err)
        }
        h.wait("both pushed") { h.shipEffects(late.orderID) == 1 && h.shipEffects(early.orderID) == 1 }

        h.wait("shipment warning", timeout: 40) { count(near, soon.orderID) == 1 }
        XCTAssertTrue(h.log.contains("\"event\":\"shipment_due\""))
        XCTAssertEqual(count(passed, soon.orderID), 0, "warned before the deadline, not after")
        XCTAssertEqual(h.stop()?.status, 0)

        try h.start()
        h.wait("deadline error after the restart", timeout: 40) { count(passed, soon.orderID) == 1 }
        XCTAssertEqual(count(near, soon.orderID), 1, "the warning is not repeated after a restart")
        XCTAssertTrue(h.log.contains("\"event\":\"shipment_overdue\""))
        // The same events reach the alert command, once each across the restart.
        func alerted(_ event: String) -> Int {
            ((try? String(contentsOfFile: alerts, encoding: .utf8)) ?? "").split(separator: "\n")
                .filter { $0.contains("\"event\":\"\(event)\"") && $0.contains("bm-eu:\(soon.orderID)") }.count
        }
        h.wait("shipment_overdue alerted") { alerted("shipment_overdue") == 1 }
        XCTAssertEqual(alerted("shipment_due"), 1, "shipment_due alerted once, not again after the restart")
        let status = try h.cli(["status", "--json"])
        XCTAssertTrue(status.out.contains("\"shipment_overdue\" : 1"), status.out)
        XCTAssertTrue(status.out.contains("\"shipment_due_6h\" : 0"), status.out)
        XCTAssertTrue(try h.cli(["status"]).out.contains("ship: 0 due within 6 h, 1 overdue"))

        let report = try h.cli(["report", "--json", "--days", "7"])
        XCTAssertEqual(report.code, 0, report.err)
        XCTAssertTrue(report.out.contains("\"late_shipments\":1"), report.out)
        XCTAssertTrue(try h.cli(["report"]).out.contains("LATE SHIP"))
        XCTAssertEqual(h.stop()?.status, 0)
    }
}
