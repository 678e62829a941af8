import ChannelSimulator
import Foundation
import XCTest

/// Searches everything a person or a log shipper could see for the configured secrets: the log file,
/// `status.json`, the database, what `status`, `jobs`, `orders` and `show --raw` print, and any output
/// captured from the binary. A finding names the secret by number and the place, never the value
/// (test output is one of the places searched).
struct SecretScan {
    /// The values to look for (inline, file and environment secrets alike).
    let secrets: [String]
    private(set) var sources: [(name: String, text: String)] = []

    init(secrets: [String]) {
        precondition(secrets.allSatisfy { $0.count >= 6 }, "a secret shorter than 6 characters would match by chance")
        self.secrets = secrets
    }

    /// Adds text to search.
    mutating func add(_ name: String, _ text: String) {
        sources.append((name, text))
    }

    /// Adds a file's bytes (binary files too: the database, its WAL); a missing file adds nothing.
    mutating func addFile(_ path: String, as name: String? = nil) {
        guard let data = FileManager.default.contents(atPath: path) else { return }
        sources.append((name ?? path, String(decoding: data, as: UTF8.self)))
    }

    /// Adds every file under `directory`, recursively.
    mutating func addDirectory(_ directory: String) {
        guard let names = FileManager.default.enumerator(atPath: directory) else { return }
        for case let name as String in names {
            var isDirectory: ObjCBool = false
            let path = directory + "/" + name
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                addFile(path)
            }
        }
    }

    /// Adds what a harness exposes: its log, `status.json`, the state directory (database included), the
    /// output of every `run`, and what `status [--json]`, `jobs --json`, `orders --json` and
    /// `show --raw --json` of each order print (stdout and stderr). `environment` is added to the CLI's.
    mutating func addHarness(_ h: Harness, environment: [String: String] = [:]) throws {
        add("log file", h.log)
        addFile(h.stateDir + "/status.json", as: "status.json")
        addDirectory(h.stateDir)
        var run = 1
        while FileManager.default.fileExists(atPath: h.dir + "/run\(run).out") {
            add("output of run \(run)", h.runOutput(run))
            run += 1
        }
        for args in [["status", "--json"], ["status"], ["jobs", "--json"], ["jobs"], ["orders", "--json"], ["orders"],
                     ["check-config"], ["report", "--json"]] {
            let result = try h.cli(args, environment: environment)
            add("`\(args.joined(separator: " "))` stdout", result.out)
            add("`\(args.joined(separator: " "))` stderr", result.err)
        }
        for ref in try h.orders().compactMap({ $0["ref"] as? String }).prefix(20) {
            let result = try h.cli(["show", ref, "--raw", "--json"], environment: environment)
            add("`show \(ref) --raw --json`", result.out + result.err)
        }
    }

    /// The names of the sources holding `text` (to show that the scan reads what it should).
    func sources(containing text: String) -> [String] {
        sources.filter { $0.text.contains(text) }.map(\.name)
    }

    /// Every place a secret was found: `secret #2 (24 characters) in log file at offset 1234`.
    var leaks: [String] {
        var found: [String] = []
        for (number, secret) in secrets.enumerated() {
            for source in sources {
                if let range = source.text.range(of: secret) {
                    let offset = source.text.utf8.distance(from: source.text.startIndex, to: range.lowerBound)
                    found.append("secret #\(number + 1) (\(secret.count) characters) in \(source.name) at offset \(offset)")
                }
            }
        }
        return found
    }

    /// Fails the test once per leak; prints what was searched.
    func assertNoLeaks(file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(sources.isEmpty, "nothing was searched", file: file, line: line)
        let bytes = sources.reduce(0) { $0 + $1.text.utf8.count }
        print("secret scan: \(secrets.count) secret(s) searched in \(sources.count) source(s), \(bytes) bytes: "
              + "\(leaks.count) found")
        for leak in leaks { XCTFail("a secret leaked: \(leak)", file: file, line: line) }
    }
}

/// A daemon with secrets in all three forms, driven through refusals (401) and server errors (5xx) on
/// every channel, then everything it wrote or prints is searched for them.
final class SecretLeakTests: XCTestCase {
    func testSecretsInEveryFormNeverLeakThroughErrors() throws {
        let h = try Harness(autoAccept: false)
        let inline = "S3CRET-inline-" + UUID().uuidString.prefix(8)
        let fromFile = "S3CRET-file-" + UUID().uuidString.prefix(8)
        let fromEnv = "S3CRET-env-" + UUID().uuidString.prefix(8)
        let secretFile = h.dir + "/bm-file.token"
        _ = FileManager.default.createFile(atPath: secretFile, contents: Data((fromFile + "\n").utf8),
                                       attributes: [.posixPermissions: 0o600])
        let environment = ["ORDERSYNC_LEAK_TOKEN": fromEnv]
        let base = h.simulator.baseURL.absoluteString
        func channel(_ id: String, _ secret: String) -> String {
            """
            { "id": "\(id)", "type": "backmarket", "region": "eu", \(secret), "base_url": "\(base)",
              "user_agent": "BM-Acme-ordersync;ops@acme.example", "poll_interval_seconds": 10 }
            """
        }
        let config = """
            {
              "state_dir": "\(h.stateDir)",
              "log": { "file": "\(h.logPath)", "level": "trace" },
              "channels": [
                \(channel("bm-inline", "\"token\": \"\(inline)\"")),
                \(channel("bm-file", "\"token_file\": \"\(secretFile)\"")),
                \(channel("bm-env", "\"token_env\": \"ORDERSYNC_LEAK_TOKEN\""))
              ],
              "carriers": { "colissimo": { "tracking_url": "https://www.laposte.fr/suivi?code={tracking}",
                                           "names": { "backmarket": "Colissimo" } } },
              "shipping_rules": [ { "channel": "*", "shipping_method": "*", "carrier": "colissimo" } ]
            }
            """
        try config.write(toFile: h.configPath, atomically: true, encoding: .utf8)
        chmod(h.configPath, 0o600)
        h.simulator.setTokens([inline, fromFile, fromEnv])
        let order = h.simulator.addOrder(BackMarketSimulator.Order(lines: [.init(listing: "L-1", product: "iPad Air")]))
        let check = try h.cli(["check-config"], environment: environment)
        XCTAssertEqual(check.code, 0, check.err)

        try h.start(extraEnvironment: environment)
        func channels() -> [[String: Any]] {
            let out = (try? h.cli(["status", "--json"], environment: environment).out) ?? ""
            let json = try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]
            return json?["channels"] as? [[String: Any]] ?? []
        }
        h.wait("every channel polled once") {
            let list = channels()
            return list.count == 3 && list.allSatisfy { ($0["last_poll_success"] as? String) != nil }
        }
        // A push that will meet the refusals below: its failure text lands in `jobs`.
        XCTAssertEqual(try h.cli(["accept", "bm-inline:\(order.orderID)"], environment: environment).code, 0)

        // 401 everywhere: every token refused.
        h.simulator.setTokens(["another-token-entirely"])
        h.wait("401 recorded on every channel", timeout: 40) {
            channels().filter { ($0["consecutive_errors"] as? Int ?? 0) > 0 }.count == 3
        }
        // Then server errors (HTML 500, Cloudflare 502/503) with the tokens accepted again.
        h.simulator.setTokens([inline, fromFile, fromEnv])
        h.simulator.injectFault(.serverError(status: 500), count: 3)
        h.simulator.injectFault(.serverError(status: 503), count: 3)
        h.wait("recovered after the faults", timeout: 60) {
            channels().allSatisfy { ($0["consecutive_errors"] as? Int) == 0 } && h.simulator.pendingFaultCount == 0
        }
        XCTAssertEqual(h.stop()?.status, 0)

        var scan = SecretScan(secrets: [inline, fromFile, fromEnv])
        try scan.addHarness(h, environment: environment)
        scan.add("check-config output", check.out + check.err)
        XCTAssertTrue(h.log.contains("401") || h.log.contains("token"), "the refusals were logged")
        // The scan sees what it should: each channel in the log and status, the job, the database.
        for id in ["bm-inline", "bm-file", "bm-env"] {
            let places = Set(scan.sources(containing: id))
            XCTAssertTrue(places.isSuperset(of: ["log file", "status.json", "`status --json` stdout"]), "\(id) seen in \(places)")
        }
        XCTAssertTrue(scan.sources(containing: "bm-inline:\(order.orderID)").contains("`jobs --json` stdout"), "the job is searched")
        XCTAssertTrue(scan.sources.contains { $0.name.hasSuffix("/ordersync.sqlite3") }, "the database is searched")
        scan.assertNoLeaks()
    }
}
