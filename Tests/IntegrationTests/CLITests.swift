import ChannelSimulator
import Foundation
import XCTest

/// Commands, exit codes and config refusal through the built binary.
final class CLITests: XCTestCase {
    func testUsageErrorsExit64() throws {
        let h = try Harness()
        XCTAssertEqual(try h.cli(["frobnicate"]).code, 64)
        XCTAssertEqual(try h.cli(["orders", "--bogus"]).code, 64)
        XCTAssertEqual(try h.cli(["show"]).code, 64)
        XCTAssertEqual(try h.cli(["ship", "bm-eu:1"]).code, 64, "--tracking is required")
        let help = try h.cli(["--help"])
        XCTAssertEqual(help.code, 0)
        for command in ["run", "check-config", "status", "orders", "show", "accept", "cancel", "ship", "jobs", "retry", "demo"] {
            XCTAssertTrue(help.out.contains("  \(command) "), "help lists \(command)")
        }
        XCTAssertTrue(try h.cli(["help", "ship"]).out.contains("--imei"))
        XCTAssertTrue(try h.cli(["--version"]).out.hasPrefix("ordersync "))
    }

    func testInvalidConfigIsRefusedBeforeAnythingStarts() throws {
        let h = try Harness()
        let bad = """
        { "state_dir": "\(h.stateDir)", "pol_interval_seconds": 5,
          "channels": [ { "id": "BM EU", "type": "backmarket", "region": "mars", "token": "x", "token_env": "Y",
                          "user_agent": "BM-Acme-x;ops@acme.example" } ] }
        """
        try bad.write(toFile: h.configPath, atomically: true, encoding: .utf8)
        let check = try h.cli(["check-config"])
        XCTAssertEqual(check.code, 78)
        let lines = check.err.split(separator: "\n").filter { $0.hasPrefix("config: ") }
        XCTAssertGreaterThanOrEqual(lines.count, 4, check.err)
        XCTAssertTrue(check.err.contains("config: pol_interval_seconds: "), check.err)
        XCTAssertTrue(check.err.contains("config: channels[0].id: "), check.err)
        XCTAssertTrue(check.err.contains("config: channels[0].region: "), check.err)
        let run = try h.cli(["run"])
        XCTAssertEqual(run.code, 78)
        XCTAssertFalse(FileManager.default.fileExists(atPath: h.stateDir + "/ordersync.sqlite3"), "nothing started")
    }

    func testCheckConfigSummarisesChannels() throws {
        let h = try Harness()
        let result = try h.cli(["check-config"])
        XCTAssertEqual(result.code, 0, result.err)
        XCTAssertTrue(result.out.contains("bm-eu: backmarket"), result.out)
        XCTAssertFalse(result.out.contains(h.token))
    }

    func testAcceptCancelRetryByHand() throws {
        let h = try Harness(autoAccept: false)
        let a = h.simulator.addOrder(BackMarketSimulator.Order(lines: [.init(listing: "L-A", product: "iPad Air")]))
        let b = h.simulator.addOrder(BackMarketSimulator.Order(lines: [.init(listing: "L-B", product: "iPad Mini")]))
        try h.start()
        h.wait("imported") { ((try? h.orders())?.count ?? 0) == 2 }
        XCTAssertEqual(try h.order("bm-eu:\(a.orderID)")?["status"] as? String, "awaiting_acceptance")
        XCTAssertNotNil(try h.order("bm-eu:\(a.orderID)")?["accept_by"] as? String)
        let notAccepted = try h.cli(["ship", "bm-eu:\(a.orderID)", "--tracking", "T1"])
        XCTAssertEqual(notAccepted.code, 65, "shipping before acceptance is refused")
        XCTAssertEqual(try h.cli(["accept", "bm-eu:\(a.orderID)"]).code, 0)
        XCTAssertEqual(try h.cli(["cancel", "bm-eu:\(b.orderID)", "--reason", "out of stock"]).code, 0)
        h.wait("accept and cancel pushed") {
            h.simulator.appliedEffects(orderID: a.orderID, kind: .accept).count == 1
                && h.simulator.appliedEffects(orderID: b.orderID, kind: .cancel).count == 1
        }
        h.wait("stored states follow") { (try? h.order("bm-eu:\(b.orderID)"))?["status"] as? String == "cancelled" }
        XCTAssertEqual(try h.cli(["accept", "bm-eu:\(b.orderID)"]).code, 65, "a cancelled order cannot be accepted")

        // A permanent refusal becomes a failed job with the channel's message; retry re-queues it.
        var strict = h.simulator.configuration
        strict.knownShippers = ["Colissimo"]
        h.simulator.configuration = strict
        let shipped = try h.cli(["ship", "bm-eu:\(a.orderID)", "--tracking", "T-RETRY", "--carrier", "dhl"])
        XCTAssertEqual(shipped.code, 0, shipped.err)
        h.wait("ship refused by the channel") {
            (try? h.jobs())?.first { $0["kind"] as? String == "ship" }?["state"] as? String == "failed"
        }
        let failed = try h.cli(["jobs", "--failed"])
        XCTAssertTrue(failed.out.contains("T-RETRY"), failed.out)
        XCTAssertTrue(failed.out.contains("HTTP 400"), "the channel's own message is shown: \(failed.out)")
        XCTAssertEqual(try h.cli(["status", "--json"]).out.contains("\"jobs_failed\" : 1"), true)
        XCTAssertEqual(h.shipEffects(a.orderID), 0)
        XCTAssertEqual(try h.cli(["retry", "999"]).code, 65)
        XCTAssertEqual(try h.cli(["accept", "bm-eu:nope"]).code, 65)
        h.simulator.configuration = BackMarketSimulator.Configuration()
        let retried = try h.cli(["retry", "--all-failed"])
        XCTAssertEqual(retried.code, 0)
        XCTAssertTrue(retried.out.contains("1 failed job"), retried.out)
        h.wait("ship pushed after retry") { h.shipEffects(a.orderID) == 1 }
        XCTAssertEqual(h.stop()?.status, 0)
    }
}
