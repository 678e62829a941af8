import ChannelSimulator
import Foundation
import XCTest

/// The daemon under systemd's protocols, through the built binary: sd_notify and the watchdog,
/// SIGHUP reload, and logrotate against a running daemon.
final class SystemdIntegrationTests: XCTestCase {
    func testNotifyReadyWatchdogReloadingStoppingAndWedgedLoopStopsPings() throws {
        let h = try Harness()
        h.simulator.generateOrders(count: 3, seed: 5)
        let listener = try NotifyListener(path: h.dir + "/notify.sock")
        defer { listener.close() }
        try h.start(extraEnvironment: ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "1000000"])
        h.wait("READY=1") { listener.count("READY=1") >= 1 }
        h.wait("watchdog pings") { listener.count("WATCHDOG=1") >= 4 }
        let first = listener.messages.filter { $0.text == "WATCHDOG=1" }
        let rate = Double(first.count - 1) / first.last!.at.timeIntervalSince(first.first!.at)
        XCTAssertGreaterThan(rate, 0.8, "about one ping per half WATCHDOG_USEC (2/s), at least 1/s")
        XCTAssertTrue(listener.messages.contains { $0.text.hasPrefix("STATUS=") }, "a STATUS= line is sent")

        // Wedge the loop: another process holds the database's write lock, so the heartbeat cannot write.
        let locker = Process()
        locker.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        locker.arguments = [h.stateDir + "/ordersync.sqlite3"]
        let input = Pipe()
        locker.standardInput = input
        locker.standardOutput = FileHandle.nullDevice
        try locker.run()
        input.fileHandleForWriting.write(Data("BEGIN IMMEDIATE;\nINSERT INTO daemon_state(key, value) VALUES ('lock', 'x');\n".utf8))
        Thread.sleep(forTimeInterval: 2)  // let in-flight beats drain
        let before = listener.count("WATCHDOG=1")
        Thread.sleep(forTimeInterval: 6)
        XCTAssertLessThanOrEqual(listener.count("WATCHDOG=1") - before, 1, "no pings while the loop is wedged")
        input.fileHandleForWriting.write(Data("ROLLBACK;\n.quit\n".utf8))
        try? input.fileHandleForWriting.close()
        locker.waitUntilExit()
        let unwedged = listener.count("WATCHDOG=1")
        h.wait("pings resume", timeout: 15) { listener.count("WATCHDOG=1") >= unwedged + 2 }

        kill(h.daemon!.processIdentifier, SIGHUP)
        h.wait("RELOADING=1 then READY=1") { listener.count("READY=1") >= 2 && listener.messages.contains { $0.text.contains("RELOADING=1") } }
        XCTAssertTrue(listener.messages.first { $0.text.contains("RELOADING=1") }?.text.contains("MONOTONIC_USEC=") ?? false)
        XCTAssertEqual(h.stop()?.status, 0)
        h.wait("STOPPING=1") { listener.count("STOPPING=1") == 1 }
    }

    func testReloadAppliesAValidConfigAndKeepsTheOldOneOnAnInvalidOne() throws {
        let h = try Harness()
        h.simulator.generateOrders(count: 2, seed: 6)
        try h.start()
        h.wait("first poll") { h.log.contains("\"msg\":\"poll done\"") }
        // Invalid: refused, every problem logged, the daemon keeps running on the old config.
        let good = try String(contentsOfFile: h.configPath, encoding: .utf8)
        try "{ \"state_dir\": 5, \"channels\": [] }".write(toFile: h.configPath, atomically: true, encoding: .utf8)
        kill(h.daemon!.processIdentifier, SIGHUP)
        h.wait("reload refused") { h.log.contains("\"msg\":\"config reload refused\"") }
        XCTAssertTrue(h.log.contains("config: state_dir: expected string"), h.log.suffix(1500).description)
        XCTAssertTrue(h.daemon!.isRunning)
        // Valid, with the channel renamed: the old one stops, the new one polls, no restart of the process.
        let pid = h.daemon!.processIdentifier
        try good.replacingOccurrences(of: "\"bm-eu\"", with: "\"bm-fr\"").write(toFile: h.configPath, atomically: true, encoding: .utf8)
        kill(pid, SIGHUP)
        h.wait("new channel polled") {
            ((try? h.cli(["status", "--json"]).out) ?? "").contains("\"id\" : \"bm-fr\"")
                && h.log.contains("\"channel\":\"bm-fr\"")
        }
        XCTAssertTrue(h.log.contains("\"msg\":\"config reloaded\""))
        XCTAssertEqual(h.daemon?.processIdentifier, pid)
        XCTAssertEqual(h.stop()?.status, 0)
    }

    func testLogrotateAgainstRunningDaemonLosesNoLine() throws {
        let logrotate = ["/usr/sbin/logrotate", "/sbin/logrotate", "/usr/bin/logrotate"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let logrotate else { throw XCTSkip("logrotate is not installed (.ci/run installs it)") }
        let h = try Harness()
        let orders = (0..<16).map { _ in h.simulator.addOrder(BackMarketSimulator.Order(lines: [.init(product: "Kindle")])) }
        try h.start()
        h.wait("all accepted") { ((try? h.cli(["orders", "--status", "awaiting_shipment"]).out) ?? "").split(separator: "\n").count == 17 }
        for order in orders.prefix(8) {
            XCTAssertEqual(try h.cli(["ship", "bm-eu:\(order.orderID)", "--tracking", "R\(order.orderID)"]).code, 0)
        }
        // The project's logrotate file, pointed at this test's log and daemon.
        let shipped = try String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("deploy/ordersync.logrotate").path, encoding: .utf8)
        XCTAssertFalse(shipped.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces) == "copytruncate" },
                       "no copytruncate: the daemon reopens its file on SIGHUP")
        XCTAssertTrue(shipped.contains("postrotate"))
        let conf = """
        \(h.logPath) {
            daily
            rotate 3
            missingok
            notifempty
            nocompress
            postrotate
                kill -HUP \(h.daemon!.processIdentifier)
            endscript
        }
        """
        try conf.write(toFile: h.dir + "/logrotate.conf", atomically: true, encoding: .utf8)
        let rotate = Process()
        rotate.executableURL = URL(fileURLWithPath: logrotate)
        rotate.arguments = ["-f", "-s", h.dir + "/logrotate.state", h.dir + "/logrotate.conf"]
        try rotate.run()
        for order in orders.suffix(8) {
            XCTAssertEqual(try h.cli(["ship", "bm-eu:\(order.orderID)", "--tracking", "R\(order.orderID)"]).code, 0)
        }
        rotate.waitUntilExit()
        XCTAssertEqual(rotate.terminationStatus, 0)
        h.wait("all 16 pushed") { orders.allSatisfy { h.shipEffects($0.orderID) == 1 } }
        h.wait("all 16 ship jobs done") {
            ((try? h.jobs()) ?? []).filter { $0["kind"] as? String == "ship" && $0["state"] as? String == "done" }.count == 16
        }
        h.wait("the daemon writes to the new file") { h.log.contains("\"msg\":\"reload requested\"") }
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertEqual(h.stop()?.status, 0)
        let old = (try? String(contentsOfFile: h.logPath + ".1", encoding: .utf8)) ?? ""
        XCTAssertFalse(old.isEmpty, "the old file was rotated")
        let all = (old + h.log).split(separator: "\n")
        XCTAssertTrue(all.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil }, "no torn line")
        // A job ends with one of two lines: "job pushed", or "job already done on channel" when a slow reply
        // made the first attempt time out after the channel had applied it. Either way: exactly one per job.
        func finished(_ kind: String) -> Int {
            all.filter { ($0.contains("\"msg\":\"job pushed\"") || $0.contains("\"msg\":\"job already done on channel\""))
                && $0.contains("\"job.kind\":\"\(kind)\"") }.count
        }
        XCTAssertEqual(finished("ship"), 16, "every push logged exactly once across the two files")
        XCTAssertEqual(finished("accept"), 16)
    }
}
