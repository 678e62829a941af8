import ChannelSimulator
import Foundation
import XCTest

/// The spine end to end, through the built binary: import → auto-accept → ship → exactly one push.
final class DaemonLifecycleTests: XCTestCase {
    func testImportAcceptShipPushesExactlyOnceAndShipTwiceIsNoOp() throws {
        let h = try Harness()
        let order = h.simulator.addOrder(BackMarketSimulator.Order(lines: [.init(listing: "SKU-IP12-64", product: "iPhone 12 64 GB")]))
        let ref = "bm-eu:\(order.orderID)"
        try h.start()
        h.wait("order imported and accepted") { (try? h.order(ref))?["status"] as? String == "awaiting_shipment" }
        XCTAssertEqual(h.simulator.appliedEffects(orderID: order.orderID, kind: .accept).count, 1)

        let imei = Harness.imei("35693803564380")
        let first = try h.cli(["ship", ref, "--tracking", "6A 1234 5678", "--imei", imei])
        XCTAssertEqual(first.code, 0, first.err)
        XCTAssertTrue(first.out.contains("queued"), first.out)
        XCTAssertTrue(first.out.contains("colissimo"), "ship without --carrier says it used the mapped carrier: \(first.out)")
        let second = try h.cli(["ship", ref, "--tracking", "6A 1234 5678", "--imei", imei])
        XCTAssertEqual(second.code, 0)
        XCTAssertTrue(second.out.contains("nothing queued"), second.out)

        h.wait("shipment pushed") { h.shipEffects(order.orderID) == 1 && (try? h.jobs())?.contains { $0["kind"] as? String == "ship" && $0["state"] as? String == "done" } == true }
        let effect = try XCTUnwrap(h.simulator.appliedEffects(orderID: order.orderID, kind: .ship).first)
        XCTAssertEqual(effect.details["tracking_number"], "6A12345678")
        XCTAssertEqual(effect.details["shipper"], "Colissimo")
        XCTAssertEqual(effect.details["imei"], imei)
        XCTAssertEqual(effect.details["tracking_url"], "https://www.laposte.fr/outils/suivre-vos-envois?code=6A%201234%205678")
        // The daemon keeps running: a later poll must not push anything again.
        Thread.sleep(forTimeInterval: 1.5)
        XCTAssertEqual(h.shipEffects(order.orderID), 1)
        let shown = try XCTUnwrap(h.order(ref))
        XCTAssertEqual((shown["shipments"] as? [[String: Any]])?.first?["state"] as? String, "pushed")
        XCTAssertEqual((shown["lines"] as? [[String: Any]])?.first?["imei"] as? String, imei)
        let stopped = try XCTUnwrap(h.stop())
        XCTAssertEqual(stopped.status, 0)
    }

    func testInvalidIMEIExits65AndPushesNothing() throws {
        let h = try Harness()
        let order = h.simulator.addOrder(BackMarketSimulator.Order(lines: [.init(product: "Galaxy S21 128 GB")]))
        let ref = "bm-eu:\(order.orderID)"
        try h.start()
        h.wait("accepted") { (try? h.order(ref))?["status"] as? String == "awaiting_shipment" }
        let bad = try h.cli(["ship", ref, "--tracking", "TRK1", "--imei", "356938035643808"])
        XCTAssertEqual(bad.code, 65)
        XCTAssertTrue(bad.err.contains("invalid IMEI 356938035643808"), bad.err)
        XCTAssertTrue(bad.err.contains(ref), "error names the order: \(bad.err)")
        let missing = try h.cli(["ship", ref, "--tracking", "TRK1"])
        XCTAssertEqual(missing.code, 65, "a smartphone line without IMEI is refused")
        XCTAssertTrue(missing.err.contains("needs an IMEI"), missing.err)
        let unknown = try h.cli(["ship", "bm-eu:999", "--tracking", "TRK1"])
        XCTAssertEqual(unknown.code, 65)
        XCTAssertTrue(unknown.err.contains("bm-eu:999"), unknown.err)
        Thread.sleep(forTimeInterval: 1.5)
        XCTAssertEqual(h.shipEffects(order.orderID), 0)
        XCTAssertEqual(try h.jobs().filter { $0["kind"] as? String == "ship" }.count, 0)
        XCTAssertEqual(h.stop()?.status, 0)
    }

    func testKillDuringPushThenRestartShipsExactlyOnce() throws {
        let h = try Harness()
        let order = h.simulator.addOrder(BackMarketSimulator.Order(lines: [.init(product: "MacBook Air 13")]))
        let ref = "bm-eu:\(order.orderID)"
        try h.start()
        h.wait("accepted") { (try? h.order(ref))?["status"] as? String == "awaiting_shipment" }
        // The ship call takes effect at once but its reply is held: the daemon dies before it hears back.
        h.simulator.injectFault(.slow(seconds: 4), count: 1, method: "POST", pathPrefix: "/ws/orders/")
        XCTAssertEqual(try h.cli(["ship", ref, "--tracking", "KILL-1", "--carrier", "dhl"]).code, 0)
        h.wait("ship applied on the channel") { h.shipEffects(order.orderID) == 1 }
        XCTAssertEqual(h.stop(signal: SIGKILL)?.status, SIGKILL)
        XCTAssertEqual(try h.jobs().first { $0["kind"] as? String == "ship" }?["state"] as? String, "running",
                       "the job was in flight when the daemon died")
        h.simulator.faultsOff()
        try h.start()
        h.wait("job done after restart") {
            (try? h.jobs())?.first { $0["kind"] as? String == "ship" }?["state"] as? String == "done"
        }
        XCTAssertEqual(h.shipEffects(order.orderID), 1, "the shipment reached Back Market exactly once")
        let job = try XCTUnwrap(try h.jobs().first { $0["kind"] as? String == "ship" })
        XCTAssertTrue((job["result"] as? String ?? "").contains("already"), "\(job)")
        XCTAssertEqual(h.stop()?.status, 0)
    }

    func testSIGTERMExitsZeroWithinTenSeconds() throws {
        let h = try Harness()
        h.simulator.generateOrders(count: 30, seed: 3)
        try h.start()
        h.wait("first poll stored") { FileManager.default.fileExists(atPath: h.stateDir + "/status.json") && ((try? h.orders())?.count ?? 0) > 0 }
        // A slow channel must not hold the stop past the contract's 10 s.
        h.simulator.injectFault(.slow(seconds: 30), count: 100)
        Thread.sleep(forTimeInterval: 0.3)
        let stopped = try XCTUnwrap(h.stop(signal: SIGTERM))
        XCTAssertEqual(stopped.status, 0)
        XCTAssertLessThan(stopped.seconds, 10)
        XCTAssertTrue(h.log.contains("\"msg\":\"daemon stopped\"") || h.log.contains("forced exit"), h.log.suffix(2000).description)
    }

    func testStatusWorksWhileRunningAndSecretsNeverPrinted() throws {
        let h = try Harness()
        h.simulator.generateOrders(count: 5, seed: 9)
        try h.start()
        h.wait("status.json written with a success") {
            let text = (try? String(contentsOfFile: h.stateDir + "/status.json", encoding: .utf8)) ?? ""
            return text.contains("\"last_poll_success\" : \"")
        }
        let status = try h.cli(["status", "--json"])
        XCTAssertEqual(status.code, 0, status.err)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(status.out.utf8)) as? [String: Any])
        let channel = try XCTUnwrap((json["channels"] as? [[String: Any]])?.first)
        XCTAssertEqual(channel["id"] as? String, "bm-eu")
        XCTAssertEqual(channel["consecutive_errors"] as? Int, 0)
        XCTAssertGreaterThan(channel["orders_known"] as? Int ?? 0, 0)
        let human = try h.cli(["status"])
        XCTAssertTrue(human.out.contains("bm-eu (backmarket): ok"), human.out)
        _ = h.stop()
        for text in [h.log, status.out, human.out, try h.cli(["jobs", "--json"]).out,
                     (try? String(contentsOfFile: h.stateDir + "/status.json", encoding: .utf8)) ?? "", h.runOutput(1)] {
            XCTAssertFalse(text.contains(h.token), "a secret leaked")
        }
    }

    func testPollFailureIsShownInStatusAndLoggedOncePerInterval() throws {
        let h = try Harness(pollInterval: 10)
        h.simulator.setTokens(["another-token"])
        try h.start()
        h.wait("401 recorded") { ((try? h.cli(["status", "--json"]).out) ?? "").contains("token refused") }
        Thread.sleep(forTimeInterval: 1)
        let errors = h.log.split(separator: "\n").filter { $0.contains("\"msg\":\"poll failed\"") }
        XCTAssertEqual(errors.count, 1, "a repeated error is logged once per interval")
        XCTAssertEqual(h.stop()?.status, 0)
    }
}
