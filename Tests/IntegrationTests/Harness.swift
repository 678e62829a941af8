import ChannelSimulator
import Foundation
import XCTest

/// Runs the built `ordersync` binary as a user would: a temp directory with a config, a Back Market
/// simulator on 127.0.0.1, `run` as a child process, CLI calls, signals, kill -9 and restarts.
final class Harness {
    let dir: String
    let simulator: BackMarketSimulator
    let token = "itest-token-" + UUID().uuidString.prefix(8)
    var daemon: Process?
    private var runCount = 0

    var configPath: String { dir + "/config.json" }
    var stateDir: String { dir + "/state" }
    var logPath: String { dir + "/ordersync.log" }

    var inboxDir: String { dir + "/inbox" }
    /// Top-level keys added to the config (`"alerts": {…},`), written by the next `writeConfig`.
    var extraConfigJSON = ""
    /// More channel objects after `bm-eu` (`, {…}`), written by the next `writeConfig`.
    var extraChannelsJSON = ""

    init(autoAccept: Bool = true, pollInterval: Int = 10, extraChannelJSON: String = "", configure: ((BackMarketSimulator) -> Void)? = nil) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ordersync-it-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        simulator = BackMarketSimulator(tokens: [String(token)])
        configure?(simulator)
        try simulator.start()
        try writeConfig(autoAccept: autoAccept, pollInterval: pollInterval)
    }

    deinit {
        if let daemon, daemon.isRunning { kill(daemon.processIdentifier, SIGKILL); daemon.waitUntilExit() }
        simulator.stop()
        try? FileManager.default.removeItem(atPath: dir)
    }

    func writeConfig(autoAccept: Bool, pollInterval: Int, logFile: Bool = true) throws {
        _ = FileManager.default.createFile(atPath: dir + "/bm.token", contents: Data(token.utf8), attributes: [.posixPermissions: 0o600])
        let log = logFile ? "\"file\": \"\(logPath)\", " : ""
        let json = """
        {
          "state_dir": "\(stateDir)",
          "log": { \(log)"level": "debug" },
          "poll_interval_seconds": \(pollInterval),
          "inbox_dir": "\(inboxDir)",\(extraConfigJSON)
          "channels": [
            { "id": "bm-eu", "type": "backmarket", "region": "eu", "token_file": "\(dir)/bm.token",
              "base_url": "\(simulator.baseURL.absoluteString)",
              "user_agent": "BM-Acme-ordersync;ops@acme.example", "auto_accept": \(autoAccept) }\(extraChannelsJSON)
          ],
          "carriers": {
            "colissimo": { "tracking_url": "https://www.laposte.fr/outils/suivre-vos-envois?code={tracking}",
                           "names": { "backmarket": "Colissimo" } },
            "dhl": { "tracking_url": "https://www.dhl.com/track?id={tracking}", "names": { "backmarket": "DHL Express" } }
          },
          "shipping_rules": [ { "channel": "*", "shipping_method": "*", "carrier": "colissimo" } ]
        }
        """
        try json.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    static var binary: String {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ordersync").path,
            Bundle.main.bundleURL.appendingPathComponent("ordersync").path,
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("ordersync").path,
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/debug/ordersync").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
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
    func start(extraEnvironment: [String: String] = [:]) throws -> Process {
        runCount += 1
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Harness.binary)
        process.arguments = ["--config", configPath, "run"]
        process.environment = environment.merging(extraEnvironment) { $1 }
        _ = FileManager.default.createFile(atPath: dir + "/run\(runCount).out", contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: dir + "/run\(runCount).out")
        process.standardError = FileHandle(forWritingAtPath: dir + "/run\(runCount).out")
        try process.run()
        daemon = process
        return process
    }

    /// Output (stdout + stderr) of the n-th `run`.
    func runOutput(_ n: Int) -> String {
        (try? String(contentsOfFile: dir + "/run\(n).out", encoding: .utf8)) ?? ""
    }

    /// Runs a CLI command to completion.
    @discardableResult
    func cli(_ args: [String], environment extra: [String: String] = [:]) throws -> (code: Int32, out: String, err: String) {
        try runOrdersync(["--config", configPath] + args, environment: environment.merging(extra) { $1 })
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

    /// Sends a signal and waits for exit; returns (status, seconds taken).
    func stop(signal sig: Int32 = SIGTERM) -> (status: Int32, seconds: TimeInterval)? {
        guard let daemon else { return nil }
        let started = Date()
        kill(daemon.processIdentifier, sig)
        daemon.waitUntilExit()
        self.daemon = nil
        return (daemon.terminationStatus, Date().timeIntervalSince(started))
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Orders as `orders --json` prints them.
    func orders() throws -> [[String: Any]] {
        let result = try cli(["orders", "--json"])
        guard result.code == 0 else { return [] }
        return result.out.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    func order(_ ref: String) throws -> [String: Any]? {
        let result = try cli(["show", ref, "--json"])
        guard result.code == 0 else { return nil }
        return try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any]
    }

    func jobs() throws -> [[String: Any]] {
        try cli(["jobs", "--json"]).out.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    func shipEffects(_ orderID: Int) -> Int { simulator.appliedEffects(orderID: orderID, kind: .ship).count }

    /// A valid IMEI (15 digits, Luhn) from a 14-digit body.
    static func imei(_ body: String) -> String {
        for check in 0...9 {
            let candidate = body + String(check)
            var sum = 0
            for (offset, ch) in candidate.reversed().enumerated() {
                let d = Int(String(ch))!
                sum += offset % 2 == 1 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d
            }
            if sum % 10 == 0 { return candidate }
        }
        return body + "0"
    }
}

/// Runs the built `ordersync` binary to completion and returns its exit status and output, as a user's shell would.
func runOrdersync(_ args: [String], environment: [String: String], in directory: String? = nil) throws
    -> (code: Int32, out: String, err: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Harness.binary)
    process.arguments = args
    process.environment = environment
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}
