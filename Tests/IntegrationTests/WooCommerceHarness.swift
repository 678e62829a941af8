import ChannelSimulator
import Foundation
import XCTest

/// Runs the built `ordersync` binary against a WooCommerce simulator on 127.0.0.1: a temp directory
/// with a config naming one `woocommerce` channel, `run` as a child process, CLI calls, kill -9, restarts.
final class WooCommerceBinaryHarness {
    let dir: String
    let simulator: WooCommerceSimulator
    let key = WooCommerceSimulator.APIKey(consumerKey: "ck_it_" + UUID().uuidString.prefix(8).lowercased(),
                                          consumerSecret: "cs_it_" + UUID().uuidString.prefix(12).lowercased())
    var daemon: Process?
    private var runCount = 0

    var configPath: String { dir + "/config.json" }
    var stateDir: String { dir + "/state" }
    var logPath: String { dir + "/ordersync.log" }

    init(tracking: String = "note", auth: String = "basic") throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ordersync-woo-it-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        simulator = WooCommerceSimulator(keys: [key])
        try simulator.start()
        _ = FileManager.default.createFile(atPath: dir + "/woo.secret", contents: Data((key.consumerSecret + "\n").utf8),
                                           attributes: [.posixPermissions: 0o600])
        let json = """
        {
          "state_dir": "\(stateDir)",
          "log": { "file": "\(logPath)", "level": "debug" },
          "poll_interval_seconds": 10,
          "channels": [
            { "id": "shop", "type": "woocommerce", "base_url": "\(simulator.baseURL.absoluteString)",
              "consumer_key": "\(key.consumerKey)", "consumer_secret_file": "\(dir)/woo.secret",
              "statuses": ["processing"], "tracking": "\(tracking)", "auth": "\(auth)" }
          ],
          "carriers": {
            "colissimo": { "tracking_url": "https://www.laposte.fr/outils/suivre-vos-envois?code={tracking}",
                           "names": { "woocommerce": "Colissimo" } }
          },
          "shipping_rules": [ { "channel": "*", "shipping_method": "*", "carrier": "colissimo" } ]
        }
        """
        try json.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    deinit {
        if let daemon, daemon.isRunning { kill(daemon.processIdentifier, SIGKILL); daemon.waitUntilExit() }
        simulator.stop()
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// An order modified a minute ago, so the daemon's first poll sees it.
    @discardableResult
    func addOrder(_ configure: (inout WooCommerceSimulator.Order) -> Void = { _ in }) -> WooCommerceSimulator.Order {
        let past = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down) - 60)
        var order = WooCommerceSimulator.Order(dateCreated: past, dateModified: past)
        configure(&order)
        return simulator.addOrder(order)
    }

    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["ORDERSYNC_CONFIG"] = nil
        env["ORDERSYNC_HTTP_TIMEOUT"] = "2"
        env["NOTIFY_SOCKET"] = nil
        return env
    }

    func start() throws {
        runCount += 1
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Harness.binary)
        process.arguments = ["--config", configPath, "run"]
        process.environment = environment
        let out = dir + "/run\(runCount).out"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: out)
        process.standardError = FileHandle(forWritingAtPath: out)
        try process.run()
        daemon = process
    }

    @discardableResult
    func cli(_ args: [String]) throws -> (code: Int32, out: String, err: String) {
        try runOrdersync(["--config", configPath] + args, environment: environment)
    }

    func wait(_ what: String, timeout: TimeInterval = 20, file: StaticString = #filePath, line: UInt = #line,
              _ condition: () throws -> Bool) rethrows {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTFail("timed out waiting for: \(what)\nlog:\n\(log.suffix(3000))", file: file, line: line)
    }

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

    func jobs() throws -> [[String: Any]] {
        try cli(["jobs", "--json"]).out.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }
}
