import ChannelSimulator
import Foundation
import XCTest

/// The promise, tried hard: no order lost, none imported twice, no effect pushed twice, no secret leaked.
/// Each test prints one summary line (README: Reliability).
final class ReliabilityTests: XCTestCase {
    func testCrashMatrixKill9AtRandomMoments() throws {
        let seed = ProcessInfo.processInfo.environment["ORDERSYNC_CRASH_SEED"].flatMap(UInt64.init) ?? UInt64(Date().timeIntervalSince1970)
        var rng = SeededRandom(seed: seed)
        print("crash-matrix: seed \(seed) (replay with ORDERSYNC_CRASH_SEED=\(seed))")
        let h = try MultiChannelHarness(seed: seed % 1000 + 1)
        let cycles = 20
        var queued = 0
        for cycle in 0..<cycles {
            try h.start()
            // Work arrives while the daemon runs: shipments from the CLI, new orders on the channels.
            Thread.sleep(forTimeInterval: Double.random(in: 0.2...0.8, using: &rng))
            if cycle % 3 == 0 {
                h.bm.makeNewOrder()
                h.spartoo.makeNewOrder(site: cycle % 2 == 0 ? "fr" : "es")
                h.woo.makeNewOrder()
            }
            queued += h.shipSome(Int.random(in: 1...3, using: &rng), tag: "C\(cycle)x")
            Thread.sleep(forTimeInterval: Double.random(in: 0.0...1.5, using: &rng))
            XCTAssertTrue(h.isRunning, "cycle \(cycle): the daemon is still running before the kill")
            XCTAssertEqual(h.stop(SIGKILL), SIGKILL)
        }
        try h.start()
        h.wait("every job finished and every new order in", timeout: 60) {
            h.pendingJobs() == 0 && h.jsonLines(["orders", "--status", "awaiting_acceptance", "--json"]).isEmpty
                && h.log.components(separatedBy: "\"msg\":\"daemon started\"").count > cycles + 1
        }
        let figures = h.verifyExactlyOnce()
        XCTAssertEqual(h.stop(), 0)
        XCTAssertGreaterThan(queued, 0)
        print("crash-matrix: seed=\(seed) cycles=\(cycles) orders=\(figures.orders) shipments_queued=\(queued) "
              + "effects expected=\(figures.expected) received=\(figures.received) lost=\(figures.lost) duplicated=\(figures.duplicated)")
        for secret in h.secrets { XCTAssertFalse(h.allOutputs().contains(secret), "a secret leaked") }
    }

    func testFaultSoakConvergesAndNeverFloods() throws {
        let seed: UInt64 = 20261122
        let h = try MultiChannelHarness(seed: 11)
        // Faults on every channel for a bounded time.
        h.bm.injectRandomFaults(probability: 0.12, faults: [.serverError(status: 502), .serverError(status: 503), .malformedJSON,
                                                          .slow(seconds: 3), .cloudflareForbidden, .tooManyRequests(retryAfter: 1)],
                                seed: seed)
        h.spartoo.injectRandomFaults(probability: 0.12, faults: [.serverError(status: 500), .malformedXML, .truncatedBody,
                                                                .slow(seconds: 3), .htmlPage], seed: seed)
        h.woo.injectRandomFaults(probability: 0.12, faults: [.serverError(status: 500), .serviceUnavailable(retryAfter: 1),
                                                            .malformedJSON, .captchaPage(status: 200), .slow(seconds: 3)], seed: seed)
        for order in h.woo.allOrders().prefix(3) { h.woo.addPaginationDrift(orderID: order.id, afterPage: 1) }
        try h.start()
        // One channel fails outright for longer than three poll intervals: status must show it.
        h.bm.setTokens(["revoked"])
        var sawFailing = false
        let soakEnd = Date().addingTimeInterval(40)
        var queued = 0
        while Date() < soakEnd {
            Thread.sleep(forTimeInterval: 2)
            queued += h.shipSome(2, tag: "S\(queued)x")
            let status = (try? h.cli(["status", "--json"]).out) ?? ""
            if status.contains("\"failing\" : true") { sawFailing = true }
            XCTAssertTrue(h.isRunning, "the daemon never exits during the soak")
        }
        XCTAssertTrue(sawFailing, "status showed the failing channel while it failed")
        // Faults off: everything converges within two poll intervals (plus the jobs' backoff, capped here).
        h.bm.faultsOff(); h.spartoo.faultsOff(); h.woo.faultsOff()
        h.bm.setTokens([String(h.bmToken)])
        let calm = Date()
        queued += h.shipSome(3, tag: "Z")
        try h.cli(["retry", "--all-failed"])
        h.wait("converged", timeout: 60) {
            guard let data = try? h.cli(["status", "--json"]).out.data(using: .utf8),
                  let status = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let channels = status["channels"] as? [[String: Any]] else { return false }
            let calmStamp = ISO8601DateFormatter().string(from: calm)
            let allPolled = channels.allSatisfy {
                $0["consecutive_errors"] as? Int == 0 && ($0["last_poll_success"] as? String ?? "") >= calmStamp
            }
            return allPolled && h.pendingJobs() == 0 && h.jsonLines(["orders", "--status", "awaiting_acceptance", "--json"]).isEmpty
        }
        let converged = Date().timeIntervalSince(calm)
        let figures = h.verifyExactlyOnce()
        XCTAssertTrue(h.isRunning)
        XCTAssertEqual(h.stop(), 0)
        // No flooding: a repeated error at most once per poll interval (10 s) per channel.
        var perMessage: [String: Int] = [:]
        for line in h.log.split(separator: "\n") where line.contains("\"msg\":\"poll failed\"") {
            guard let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            perMessage["\(json["channel"] ?? "")|\(json["error"] ?? "")", default: 0] += 1
        }
        let soakSeconds = Date().timeIntervalSince(soakEnd) + 40
        for (key, count) in perMessage {
            XCTAssertLessThanOrEqual(Double(count), soakSeconds / 10 + 2, "\(key) logged \(count) times")
        }
        print("fault-soak: seconds=40 converged_after=\(Int(converged))s orders=\(figures.orders) shipments_queued=\(queued) "
              + "effects expected=\(figures.expected) received=\(figures.received) lost=\(figures.lost) duplicated=\(figures.duplicated) "
              + "poll_error_lines=\(perMessage.values.reduce(0, +))")
        for secret in h.secrets { XCTAssertFalse(h.allOutputs().contains(secret), "a secret leaked") }
    }
}
