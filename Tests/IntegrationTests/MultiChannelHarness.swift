import ChannelSimulator
import Foundation
import XCTest

/// All three simulators and the built daemon configured for them: the ground for the crash matrix and the
/// fault soak. Orders are checked against what each simulator holds and the effects each one applied.
final class MultiChannelHarness {
    let dir: String
    let bm: BackMarketSimulator
    let spartoo: SpartooSimulator
    let woo: WooCommerceSimulator
    let bmToken = "mc-bm-" + UUID().uuidString.prefix(8)
    let partnerID = "7C" + String(UUID().uuidString.filter(\.isHexDigit).uppercased().prefix(14))
    let wooKey = WooCommerceSimulator.APIKey(consumerKey: "ck_mc_" + UUID().uuidString.prefix(8),
                                             consumerSecret: "cs_mc_" + UUID().uuidString.prefix(8))
    var daemon: Process?
    private var runs = 0

    var configPath: String { dir + "/config.json" }
    var stateDir: String { dir + "/state" }
    var logPath: String { dir + "/ordersync.log" }
    var secrets: [String] { [String(bmToken), partnerID, wooKey.consumerKey, wooKey.consumerSecret] }

    init(seed: UInt64, bmOrders: Int = 20, spartooOrders: Int = 12, wooOrders: Int = 12) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ordersync-mc-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        bm = BackMarketSimulator(tokens: [String(bmToken)])
        bm.generateOrders(count: bmOrders, seed: seed)
        spartoo = SpartooSimulator(partnerIDs: [partnerID], sites: ["fr", "es"])
        spartoo.generateOrders(count: spartooOrders, seed: seed)
        woo = WooCommerceSimulator(keys: [wooKey])
        woo.generateOrders(count: wooOrders, seed: seed)
        try bm.start()
        try spartoo.start()
        try woo.start()
        func secret(_ name: String, _ value: String) -> String {
            _ = FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(value.utf8), attributes: [.posixPermissions: 0o600])
            return dir + "/" + name
        }
        let hosts = ["fr", "es"].map { "\"\($0)\": \"\(spartoo.baseURL(site: $0).absoluteString)\"" }.joined(separator: ", ")
        try """
        {
          "state_dir": "\(stateDir)",
          "log": { "file": "\(logPath)", "level": "info" },
          "poll_interval_seconds": 10,
          "channels": [
            { "id": "bm", "type": "backmarket", "region": "eu", "token_file": "\(secret("bm.token", String(bmToken)))",
              "base_url": "\(bm.baseURL.absoluteString)", "user_agent": "BM-Acme-ordersync;ops@acme.example", "auto_accept": true },
            { "id": "sp", "type": "spartoo", "partner_id_file": "\(secret("sp.key", partnerID))",
              "sites": ["fr", "es"], "hosts": { \(hosts) }, "auto_accept": true },
            { "id": "shop", "type": "woocommerce", "base_url": "\(woo.baseURL.absoluteString)",
              "consumer_key_env": "MC_WOO_KEY", "consumer_secret": "\(wooKey.consumerSecret)", "tracking": "note" }
          ],
          "carriers": { "colissimo": { "tracking_url": "https://t.example/?c={tracking}",
                                       "names": { "backmarket": "Colissimo", "woocommerce": "Colissimo" } } },
          "shipping_rules": [ { "channel": "*", "shipping_method": "*", "carrier": "colissimo" } ]
        }
        """.write(toFile: configPath, atomically: true, encoding: .utf8)
        chmod(configPath, 0o600)
    }

    deinit {
        if let daemon, daemon.isRunning { kill(daemon.processIdentifier, SIGKILL); daemon.waitUntilExit() }
        bm.stop(); spartoo.stop(); woo.stop()
        try? FileManager.default.removeItem(atPath: dir)
    }

    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["ORDERSYNC_CONFIG"] = nil
        env["NOTIFY_SOCKET"] = nil
        env["ORDERSYNC_HTTP_TIMEOUT"] = "2"
        env["ORDERSYNC_MIN_REQUEST_SPACING"] = "0.02"
        env["MC_WOO_KEY"] = wooKey.consumerKey
        return env
    }

    func start() throws {
        runs += 1
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Harness.binary)
        process.arguments = ["--config", configPath, "run"]
        process.environment = environment
        let out = dir + "/run\(runs).out"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: out)
        process.standardError = FileHandle(forWritingAtPath: out)
        try process.run()
        daemon = process
    }

    /// Sends `sig` and waits; returns the exit status.
    @discardableResult
    func stop(_ sig: Int32 = SIGTERM) -> Int32? {
        guard let daemon else { return nil }
        kill(daemon.processIdentifier, sig)
        daemon.waitUntilExit()
        self.daemon = nil
        return daemon.terminationStatus
    }

    var isRunning: Bool { daemon?.isRunning ?? false }

    @discardableResult
    func cli(_ args: [String]) throws -> (code: Int32, out: String, err: String) {
        try runOrdersync(["--config", configPath] + args, environment: environment)
    }

    func jsonLines(_ args: [String]) -> [[String: Any]] {
        ((try? cli(args).out) ?? "").split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func allOutputs() -> String {
        var text = log
        for n in 0...runs { text += (try? String(contentsOfFile: dir + "/run\(n).out", encoding: .utf8)) ?? "" }
        return text
    }

    func wait(_ what: String, timeout: TimeInterval, file: StaticString = #filePath, line: UInt = #line, _ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        XCTFail("timed out waiting for: \(what)\n\(log.suffix(2500))", file: file, line: line)
    }

    /// Queues shipments for up to `limit` orders awaiting shipment that have none yet; returns how many.
    @discardableResult
    func shipSome(_ limit: Int, tag: String) -> Int {
        let waiting = jsonLines(["orders", "--status", "awaiting_shipment", "--json"])
            .filter { ($0["shipments"] as? [Any])?.isEmpty ?? true }
        var queued = 0
        for order in waiting.prefix(limit) {
            guard let ref = order["ref"] as? String else { continue }
            var args = ["ship", ref, "--tracking", "MC\(tag)\(queued)"]
            let lines = order["lines"] as? [[String: Any]] ?? []
            if ref.hasPrefix("bm:") {
                for (i, line) in lines.enumerated() where line["requires_imei"] as? Bool == true && line["quantity"] as? Int == 1 {
                    args += ["--line", "\(line["line_id"] as? String ?? "")=\(Harness.imei(String(format: "35693803%03d%03d", queued, i)))"]
                }
            }
            if (try? cli(args).code) == 0 { queued += 1 }
        }
        return queued
    }

    /// Jobs not finished yet.
    func pendingJobs() -> Int {
        jsonLines(["jobs", "--json"]).filter { ["queued", "running"].contains($0["state"] as? String ?? "") }.count
    }

    /// Checks the promise: every actionable order stored once, every effect applied once. Returns the figures.
    func verifyExactlyOnce(file: StaticString = #filePath, line: UInt = #line) -> (orders: Int, expected: Int, received: Int, lost: Int, duplicated: Int) {
        let orders = jsonLines(["orders", "--json"])
        let refs = orders.compactMap { $0["ref"] as? String }
        var lost = 0, duplicated = Set(refs).count == refs.count ? 0 : refs.count - Set(refs).count
        // Orders each simulator holds that the daemon must have.
        // An order that changed after a channel's last successful poll began is not expected yet.
        var cutoff: [String: Date] = [:]
        if let data = try? cli(["status", "--json"]).out.data(using: .utf8),
           let status = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            for channel in status["channels"] as? [[String: Any]] ?? [] {
                if let id = channel["id"] as? String, let text = channel["last_poll_success"] as? String,
                   let date = ISO8601DateFormatter().date(from: text) {
                    cutoff[id] = date.addingTimeInterval(-1)
                }
            }
        }
        func due(_ channel: String, _ changed: Date?) -> Bool { (changed ?? .distantPast) <= (cutoff[channel] ?? .distantPast) }
        var missing: [String] = []
        for order in bm.allOrders() where [1, 3].contains(order.state) && due("bm", order.dateModification)
            && !refs.contains("bm:\(order.orderID)") {
            missing.append("bm:\(order.orderID) state \(order.state) modified \(order.dateModification)")
        }
        for order in spartoo.allOrders() where [11, 2].contains(order.status) && due("sp", order.modifiedAt ?? order.purchasedAt)
            && !refs.contains("sp:\(order.id)") && !refs.contains("sp:\(order.site)/\(order.id)") {
            missing.append("sp:\(order.site)/\(order.id) status \(order.status)")
        }
        for order in woo.allOrders() where order.status == "processing" && due("shop", order.dateModified)
            && !refs.contains("shop:\(order.id)") {
            missing.append("shop:\(order.id) processing created \(order.dateCreated) modified \(order.dateModified)")
        }
        if !missing.isEmpty { print("missing orders: \(missing)") }
        lost += missing.count
        // Effects: one per done job, never two.
        let jobs = jsonLines(["jobs", "--json"])
        var expected = 0, received = 0
        for job in jobs where job["state"] as? String == "done" {
            guard let ref = job["order_ref"] as? String, let kind = job["kind"] as? String else { continue }
            let parts = ref.split(separator: ":", maxSplits: 1).map(String.init)
            let id = parts[1]
            var count = 0
            switch (parts[0], kind) {
            case ("bm", "ship"): count = bm.appliedEffects(orderID: Int(id) ?? -1, kind: .ship).count
            case ("bm", "accept"):
                let effects = bm.appliedEffects(orderID: Int(id) ?? -1, kind: .accept)
                let listings = effects.compactMap { $0.details["sku"] }
                count = Set(listings).count == listings.count && !listings.isEmpty ? 1 : (listings.isEmpty ? 0 : 2)
            case ("sp", "ship"): count = spartoo.appliedEffects(orderID: id.components(separatedBy: "/").last!, kind: .ship).count
            case ("sp", "accept"): count = spartoo.appliedEffects(orderID: id.components(separatedBy: "/").last!, kind: .accept).count
            case ("shop", "ship"): count = woo.appliedEffects(orderID: Int(id) ?? -1, kind: .customerNote).count
            default: continue
            }
            // An effect the channel already showed is "done" without a call: 0 is allowed only then.
            let alreadyDone = (job["result"] as? String ?? "").contains("already")
            expected += alreadyDone && count == 0 ? 0 : 1
            received += count
            if count > 1 { duplicated += count - 1 }
            if count == 0 && !alreadyDone { lost += 1 }
        }
        XCTAssertEqual(lost, 0, "no order or effect lost", file: file, line: line)
        XCTAssertEqual(duplicated, 0, "nothing duplicated", file: file, line: line)
        return (orders.count, expected, received, lost, duplicated)
    }
}

/// A seeded generator (SplitMix64) so a failing run can be replayed with its printed seed.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}
