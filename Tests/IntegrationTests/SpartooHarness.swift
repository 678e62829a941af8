import ChannelSimulator
import Foundation
import XCTest

/// Runs the built `ordersync` binary against a two-site Spartoo simulator on 127.0.0.1 (one server per
/// site, wired through `hosts`): a temp directory with a config and the partner id in a file, `run` as a
/// child process, CLI calls, kill -9 and restarts.
final class SpartooHarness {
    let dir: String
    let simulator: SpartooSimulator
    let partnerID = "5A" + String(UUID().uuidString.filter(\.isHexDigit).uppercased().prefix(14))
    var daemon: Process?
    private var runCount = 0

    var configPath: String { dir + "/config.json" }
    var stateDir: String { dir + "/state" }
    var logPath: String { dir + "/ordersync.log" }
    var slipsDir: String { stateDir + "/slips" }

    init(autoAccept: Bool = true, fetchSlips: Bool = true) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ordersync-sp-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        simulator = SpartooSimulator(partnerIDs: [partnerID], sites: ["fr", "es"])
        try simulator.start()
        _ = FileManager.default.createFile(atPath: dir + "/spartoo.key", contents: Data((partnerID + "\n").utf8),
                                           attributes: [.posixPermissions: 0o600])
        let hosts = simulator.sites.map { "\"\($0)\": \"\(simulator.baseURL(site: $0).absoluteString)\"" }.joined(separator: ", ")
        let json = """
        {
          "state_dir": "\(stateDir)",
          "log": { "file": "\(logPath)", "level": "debug" },
          "poll_interval_seconds": 10,
          "channels": [
            { "id": "spartoo-eu", "type": "spartoo", "partner_id_file": "\(dir)/spartoo.key",
              "sites": ["fr", "es"], "hosts": { \(hosts) },
              "auto_accept": \(autoAccept), "fetch_slips": \(fetchSlips) }
          ],
          "carriers": {
            "colissimo": { "tracking_url": "https://www.laposte.fr/outils/suivre-vos-envois?code={tracking}" },
            "mondial-relay": { "tracking_url": "https://www.mondialrelay.fr/suivi-de-colis/?NumeroExpedition={tracking}" }
          },
          "shipping_rules": [
            { "channel": "spartoo-eu", "shipping_method": "Mondial*", "carrier": "mondial-relay" },
            { "channel": "*", "shipping_method": "*", "carrier": "colissimo" }
          ]
        }
        """
        try json.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    deinit {
        if let daemon, daemon.isRunning { kill(daemon.processIdentifier, SIGKILL); daemon.waitUntilExit() }
        simulator.stop()
        try? FileManager.default.removeItem(atPath: dir)
    }

    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["ORDERSYNC_CONFIG"] = nil
        env["ORDERSYNC_HTTP_TIMEOUT"] = "2"
        env["NOTIFY_SOCKET"] = nil
        return env
    }

    /// Starts `ordersync run`.
    @discardableResult
    func start() throws -> Process {
        runCount += 1
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Harness.binary)
        process.arguments = ["--config", configPath, "run"]
        process.environment = environment
        let output = dir + "/run\(runCount).out"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: output)
        process.standardError = FileHandle(forWritingAtPath: output)
        try process.run()
        daemon = process
        return process
    }

    func runOutput(_ n: Int) -> String { (try? String(contentsOfFile: dir + "/run\(n).out", encoding: .utf8)) ?? "" }

    /// Runs a CLI command to completion (in `dir`, so default output files land there).
    @discardableResult
    func cli(_ args: [String]) throws -> (code: Int32, out: String, err: String) {
        try runOrdersync(["--config", configPath] + args, environment: environment, in: dir)
    }

    /// Polls `condition` every 100 ms until it holds or `timeout` passes.
    func wait(_ what: String, timeout: TimeInterval = 20, file: StaticString = #filePath, line: UInt = #line,
              _ condition: () throws -> Bool) rethrows {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTFail("timed out waiting for: \(what)\nlog:\n\(log.suffix(3000))", file: file, line: line)
    }

    /// Sends a signal and waits for the exit status.
    func stop(signal sig: Int32 = SIGTERM) -> Int32? {
        guard let daemon else { return nil }
        kill(daemon.processIdentifier, sig)
        daemon.waitUntilExit()
        self.daemon = nil
        return daemon.terminationStatus
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func order(_ ref: String) throws -> [String: Any]? {
        let result = try cli(["show", ref, "--json"])
        guard result.code == 0 else { return nil }
        return try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any]
    }

    func status(_ ref: String) -> String? { (try? order(ref))?["status"] as? String }

    func jobs() throws -> [[String: Any]] {
        try cli(["jobs", "--json"]).out.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    func job(_ kind: String) -> [String: Any]? { (try? jobs())?.first { $0["kind"] as? String == kind } }

    func effects(_ order: SpartooSimulator.Order, _ kind: SpartooSimulator.AppliedEffect.Kind) -> Int {
        simulator.appliedEffects(orderID: order.id, site: order.site, kind: kind).count
    }
}
