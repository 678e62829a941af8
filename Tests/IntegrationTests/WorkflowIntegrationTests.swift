import ChannelSimulator
import Foundation
import XCTest

/// The fulfilment workflow through the built binary: drop folder, import-shipments, deadlines, report.
final class WorkflowIntegrationTests: XCTestCase {
    func testDropFolderGoodAndBadRowsSurviveKillMidFile() throws {
        let h = try Harness()
        let orders = (0..<6).map { _ in h.simulator.addOrder(BackMarketSimulator.Order(lines: [.init(product: "Kobo Clara")])) }
        try h.start()
        h.wait("accepted") { ((try? h.cli(["orders", "--status", "awaiting_shipment"]).out) ?? "").split(separator: "\n").count == 7 }
        var csv = "order_ref;carrier;tracking_number;tracking_url;imei;serial;line_id\r\n"
        for (i, order) in orders.enumerated() { csv += "bm-eu:\(order.orderID);colissimo;\"DROP \(i)\";;;;\r\n" }
        csv += "bm-eu:999;colissimo;X1;;;;\r\n"            // line 8: unknown order
        csv += "bm-eu:\(orders[0].orderID);ups;X2;;;;\r\n"  // line 9: unknown carrier
        // Written elsewhere, renamed in whole (as the README advises).
        try csv.write(toFile: h.dir + "/batch.tmp", atomically: true, encoding: .utf8)
        XCTAssertEqual(rename(h.dir + "/batch.tmp", h.inboxDir + "/batch.csv"), 0)
        h.wait("first rows queued") { ((try? h.jobs()) ?? []).contains { $0["kind"] as? String == "ship" } }
        _ = h.stop(signal: SIGKILL)
        try h.start()
        h.wait("file moved to rejected/ with its errors", timeout: 30) {
            ((try? FileManager.default.contentsOfDirectory(atPath: h.inboxDir + "/rejected")) ?? []).count == 2
        }
        h.wait("every good row pushed", timeout: 30) { orders.allSatisfy { h.shipEffects($0.orderID) == 1 } }
        let ships = try h.jobs().filter { $0["kind"] as? String == "ship" }
        XCTAssertEqual(ships.count, 6, "no row lost, none duplicated")
        let rejected = try FileManager.default.contentsOfDirectory(atPath: h.inboxDir + "/rejected")
        let errors = try String(contentsOfFile: h.inboxDir + "/rejected/" + rejected.first { $0.hasSuffix(".errors") }!, encoding: .utf8)
        XCTAssertEqual(errors.split(separator: "\n").map(String.init), [
            "batch.csv:8: bm-eu:999: unknown order (not imported yet? see `ordersync orders --channel bm-eu`)",
            "batch.csv:9: bm-eu:\(orders[0].orderID): unknown carrier \"ups\" (configured: colissimo, dhl)",
        ])
        XCTAssertFalse(FileManager.default.fileExists(atPath: h.inboxDir + "/batch.csv"))
        XCTAssertEqual(h.stop()?.status, 0)
    }

    func testImportShipmentsCommandReportsLinesAndExits65() throws {
        let h = try Harness()
        let order = h.simulator.addOrder(BackMarketSimulator.Order(lines: [.init(product: "Surface Go")]))
        try h.start()
        h.wait("accepted") { (try? h.order("bm-eu:\(order.orderID)"))?["status"] as? String == "awaiting_shipment" }
        let file = h.dir + "/ship.csv"
        try "\u{FEFF}order_ref,tracking_number,carrier\nbm-eu:\(order.orderID),IMP-1,colissimo\nbm-eu:nope,IMP-2,\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let first = try h.cli(["import-shipments", file])
        XCTAssertEqual(first.code, 65)
        XCTAssertEqual(first.err, "\(file):3: bm-eu:nope: unknown order (not imported yet? see `ordersync orders --channel bm-eu`)\n")
        XCTAssertTrue(first.out.contains("1 shipment(s) queued"), first.out)
        let again = try h.cli(["import-shipments", file])
        XCTAssertTrue(again.out.contains("0 shipment(s) queued, 1 already queued"), again.out)
        h.wait("pushed") { h.shipEffects(order.orderID) == 1 }
        XCTAssertEqual(h.stop()?.status, 0)
    }

    func testDeadlineWarningLoggedOnceAcrossRestartAndShownInStatus() throws {
        let h = try Harness(autoAccept: false)
        // Paid 20 h ago: 83 % of the 24 h window is gone.
        let order = h.simulator.addOrder(BackMarketSimulator.Order(lines: [.init(product: "Nintendo Switch")],
                                                                  datePayment: Date().addingTimeInterval(-20 * 3600)))
        try h.start()
        h.wait("deadline warning") { h.log.contains("\"msg\":\"acceptance deadline near\"") }
        let status = try h.cli(["status", "--json"])
        XCTAssertTrue(status.out.contains("\"acceptance_due_6h\" : 1"), status.out)
        XCTAssertTrue(try h.cli(["status"]).out.contains("accept: 1 due within 6 h, 0 overdue"))
        XCTAssertEqual(h.stop()?.status, 0)
        try h.start()
        h.wait("polled again") { h.log.components(separatedBy: "\"msg\":\"daemon started\"").count == 3 }
        Thread.sleep(forTimeInterval: 6)
        XCTAssertEqual(h.log.components(separatedBy: "\"msg\":\"acceptance deadline near\"").count - 1, 1, "logged once")
        XCTAssertTrue(h.log.contains("\"order.ref\":\"bm-eu:\(order.orderID)\""))
        let report = try h.cli(["report", "--json", "--days", "7"])
        XCTAssertEqual(report.code, 0, report.err)
        XCTAssertTrue(report.out.contains("\"orders\":1"), report.out)
        XCTAssertEqual(h.stop()?.status, 0)
    }
}
