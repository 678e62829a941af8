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
        XCTAssertEqual(h.simulator.channelRefund(orderID: order.orderID), 1)
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

    func testWooRefundSurvivesKillBetweenPostAndCommitExactlyOnce() throws {
        let h = try WooCommerceBinaryHarness()
        let order = h.addOrder()
        let ref = "shop:\(order.id)"
        try h.start()
        h.wait("order imported") { (try? h.order(ref))?["status"] as? String == "awaiting_shipment" }
        // The refund is made at once but its reply is held: the daemon dies before it hears back.
        h.simulator.injectFault(.slow(seconds: 4), count: 1, method: "POST", pathPrefix: "/wp-json/wc/v3/orders/\(order.id)/refunds")
        let queued = try h.cli(["refund", ref, "--reason", "Scratched screen", "--amount", "12.50"])
        XCTAssertEqual(queued.code, 0, queued.err)
        h.wait("refund made on the store") { h.simulator.refunds(orderID: order.id).count == 1 }
        XCTAssertEqual(h.stop(signal: SIGKILL), SIGKILL)
        XCTAssertEqual(try h.jobs().first { $0["kind"] as? String == "refund" }?["state"] as? String, "running")

        h.simulator.faultsOff()
        try h.start()
        h.wait("job done after restart") { (try? h.jobs())?.first { $0["kind"] as? String == "refund" }?["state"] as? String == "done" }
        XCTAssertEqual(h.simulator.refunds(orderID: order.id).map(\.total), ["-12.50"], "exactly one refund")
        XCTAssertEqual(h.simulator.requests(method: "POST").filter { $0.path.hasSuffix("/refunds") }.count, 1, "never posted again")
        XCTAssertEqual(h.simulator.refunds(orderID: order.id).first?.refundedPayment, false, "no gateway without --via-gateway")
        h.wait("order shows the refund") { ((try? h.order(ref))?["refunds"] as? [[String: Any]])?.first?["amount"] as? String == "12.50" }
        let listed = try h.cli(["returns", "--json"]).out.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        XCTAssertEqual(listed.count, 1, "the refund is the shop's after-sale case")
        XCTAssertEqual(listed.first?["return_ref"] as? String, "\(ref)/refund-1")
        XCTAssertEqual(listed.first?["kind"] as? String, "refund")
        XCTAssertEqual(listed.first?["status"] as? String, "refunded")
        XCTAssertEqual(listed.first?["amount"] as? String, "12.50")
        XCTAssertTrue(try h.cli(["returns"]).out.contains("refund 12.50: Scratched screen"))
        let again = try h.cli(["refund", ref, "--reason", "Scratched screen", "--amount", "12.50"])
        XCTAssertTrue(again.out.contains("already done"), again.out)
        XCTAssertEqual(h.stop(), 0)
    }

    func testBackMarketRefundByAmountExits65SayingWhy() throws {
        let h = try Harness()
        let order = h.simulator.addOrder(BackMarketSimulator.Order(lines: [.init(product: "Kobo Clara")]))
        let ref = "bm-eu:\(order.orderID)"
        try h.start()
        h.wait("accepted") { (try? h.order(ref))?["status"] as? String == "awaiting_shipment" }
        let partial = try h.cli(["refund", ref, "--reason", "Late", "--amount", "5.00"])
        XCTAssertEqual(partial.code, 65)
        XCTAssertTrue(partial.err.contains("cannot be read back"), partial.err)
        let line = String(order.lines[0].id)
        let whole = try h.cli(["refund", ref, "--reason", "Out of stock", "--line", line])
        XCTAssertEqual(whole.code, 0, whole.err)
        h.wait("line refunded before shipping") { h.simulator.order(order.orderID)?.lines.first?.state == 5 }
        h.wait("refund job done") { (try? h.jobs())?.first { $0["kind"] as? String == "refund" }?["state"] as? String == "done" }
        XCTAssertEqual(h.stop()?.status, 0)
    }

    func testSpartooReturnListedAndAcceptedExactlyOnce() throws {
        let h = try SpartooHarness()
        let order = h.simulator.addOrder(.init(site: "fr", status: 3, trackingNumber: "6A123"))
        let now = Date()
        h.simulator.addReturn(.init(site: "fr", returnID: "R900", orderID: order.id, status: 14, reason: "Taille trop petite",
                                    createdAt: now.addingTimeInterval(-3 * 86_400)))
        h.simulator.addReturn(.init(site: "fr", returnID: "R901", orderID: order.id, status: 2, reason: "Couleur",
                                    createdAt: now.addingTimeInterval(-86_400)))
        let orderRef = "spartoo-eu:\(order.id)"
        try h.start()
        h.wait("returns listed") { ((try? h.cli(["returns", "--json"]).out) ?? "").split(separator: "\n").count == 2 }
        let listed = try h.cli(["returns", "--json"]).out.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        XCTAssertEqual(listed.map { $0["return_ref"] as? String }, ["spartoo-eu:R900", "spartoo-eu:R901"], "oldest open first")
        XCTAssertEqual(listed.map { $0["status"] as? String }, ["waiting_for_label", "waiting_for_receipt"])
        XCTAssertEqual(listed.first?["order_ref"] as? String, orderRef)
        h.wait("order shows its returns") { ((try? h.order(orderRef))?["returns"] as? [Any])?.count == 2 }
        h.wait("label wait warned") { h.log.contains("\"msg\":\"return waits for the merchant's label\"") }

        let accept = try h.cli(["return", "accept", "spartoo-eu:R901"])
        XCTAssertEqual(accept.code, 0, accept.err)
        let again = try h.cli(["return", "accept", "spartoo-eu:R901"])
        XCTAssertTrue(again.out.contains("already"), again.out)
        h.wait("decision pushed") { (try? h.jobs())?.first { $0["kind"] as? String == "return" }?["state"] as? String == "done" }
        XCTAssertEqual(h.simulator.spartooReturn("R901")?.status, 4)
        XCTAssertEqual(h.simulator.requests(script: "xml_maj_returns.php").count, 1, "sent once")
        XCTAssertTrue(h.simulator.requests(script: "xml_maj_returns.php").allSatisfy { $0.method == "POST" })
        h.wait("accepted shown after the next walk", timeout: 30) {
            ((try? h.cli(["returns", "--status", "accepted"]).out) ?? "").contains("spartoo-eu:R901")
        }
        let noLabel = try h.cli(["return", "accept", "spartoo-eu:R900"])
        XCTAssertEqual(noLabel.code, 0, noLabel.err)
        h.wait("label-less accept fails with the advice") {
            ((try? h.jobs()) ?? []).contains { ($0["last_error"] as? String)?.contains("--label-url") == true }
        }
        XCTAssertEqual(h.stop(), 0)
        XCTAssertEqual(h.log.components(separatedBy: "\"msg\":\"return waits for the merchant's label\"").count - 1, 1, "once a day")
    }

    func testShippedSpartooOrderOlderThanTheExportWindowTurnsLostAfterTheReread() throws {
        let h = try SpartooHarness()
        // First run with following off: the order is imported shipped and no follow-up progress is saved,
        // so the next run reads every followed order at once.
        let config = try String(contentsOfFile: h.configPath, encoding: .utf8)
        try config.replacingOccurrences(of: "\"fetch_slips\": true", with: "\"fetch_slips\": true, \"aftersale_days\": 0")
            .write(toFile: h.configPath, atomically: true, encoding: .utf8)
        let order = h.simulator.addOrder(.init(site: "fr", status: 3, trackingNumber: "6A777"))
        let ref = "spartoo-eu:\(order.id)"
        try h.start()
        h.wait("imported shipped") { h.status(ref) == "shipped" }
        XCTAssertEqual(h.stop(), 0)
        try config.write(toFile: h.configPath, atomically: true, encoding: .utf8)

        // Time passes (the purchase falls out of the 10-day export window) and Spartoo declares the parcel lost.
        var aged = order
        aged.purchasedAt = Date().addingTimeInterval(-20 * 86_400)
        aged.modifiedAt = Date()
        aged.status = 45
        h.simulator.addOrder(aged)
        h.simulator.clearJournal()
        try h.start()
        h.wait("walked without it") {
            h.simulator.requests(script: "xml_export_orders.php").contains { $0.parameters["date"] != nil && $0.code == 1 }
        }
        h.wait("stored as lost after the re-read") { h.status(ref) == "lost" }
        let listings = h.simulator.requests(script: "xml_export_orders.php").filter { $0.parameters["date"] != nil }
        XCTAssertFalse(listings.contains { String(decoding: $0.responseBody, as: UTF8.self).contains(order.id) },
                       "the walk does not list it")
        XCTAssertTrue(h.simulator.requests(script: "xml_export_orders.php").contains { $0.parameters["oID"] == order.id },
                      "read by oID")
        XCTAssertEqual(h.stop(), 0)
        XCTAssertTrue(h.log.contains("\"msg\":\"shipped orders followed\""), h.log)
    }

    func testReturnDecisionAndRefundOnChannelsWithoutThemExit65() throws {
        let h = try SpartooHarness()
        let order = h.simulator.addOrder(.init(site: "fr", status: 3, trackingNumber: "6A124"))
        try h.start()
        h.wait("imported") { h.status("spartoo-eu:\(order.id)") != nil }
        let refund = try h.cli(["refund", "spartoo-eu:\(order.id)", "--reason", "x", "--amount", "1.00"])
        XCTAssertEqual(refund.code, 65)
        XCTAssertTrue(refund.err.contains("back office"), refund.err)
        XCTAssertEqual(h.stop(), 0)
    }
}
