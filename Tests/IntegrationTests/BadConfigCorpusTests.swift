import Foundation
import XCTest

/// The bad-config corpus: every `Tests/Fixtures/config/bad/NN-name.json` must be refused by the built
/// binary with exactly the `config: <path>: <reason>` lines of its sibling `NN-name.expected`:
/// `check-config` exits 78 and prints them (warnings aside), `run` exits 78, prints the same lines and
/// starts nothing (no database, no log file). Nothing printed holds a secret of the corpus.
///
/// In the files, `@STATE@` is a fresh state directory under a temp directory and `@DIR@` that temp
/// directory. Secrets all start with `S3CRET-`. `ORDERSYNC_UPDATE_EXPECTED=1` rewrites the `.expected`
/// files from what `check-config` prints (review the diff before committing it).
final class BadConfigCorpusTests: XCTestCase {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/config/bad", isDirectory: true)

    /// Variables some configs name; `ORDERSYNC_CORPUS_UNSET` is the one that is never set.
    static let environmentSecrets = [
        "ORDERSYNC_CORPUS_TOKEN": "S3CRET-env-corpus-token",
        "ORDERSYNC_CORPUS_WOO_SECRET": "S3CRET-env-corpus-woo",
        "ORDERSYNC_CORPUS_NEWLINE": "S3CRET-env-corpus-newline\nsecond line",
    ]

    struct Output {
        var code: Int32
        var out: String
        var err: String
        var timedOut: Bool
        var errLines: [String] { err.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
    }

    /// Runs the binary to completion (killed after `timeout`: a config that starts the daemon must not hang the suite).
    static func ordersync(_ arguments: [String], environment: [String: String], timeout: TimeInterval = 20) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Harness.binary)
        process.arguments = arguments
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { outData = out.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { errData = err.fileHandleForReading.readDataToEndOfFile() }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        let timedOut = process.isRunning
        if timedOut { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        group.wait()
        return Output(code: process.terminationStatus, out: String(decoding: outData, as: UTF8.self),
                      err: String(decoding: errData, as: UTF8.self), timedOut: timedOut)
    }

    func testEveryBrokenConfigIsRefusedWithItsExactProblems() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertGreaterThanOrEqual(names.count, 30, "the corpus has at least 30 broken configs")
        let update = ProcessInfo.processInfo.environment["ORDERSYNC_UPDATE_EXPECTED"] == "1"
        var environment = ProcessInfo.processInfo.environment
        for key in ["ORDERSYNC_CONFIG", "NOTIFY_SOCKET", "CREDENTIALS_DIRECTORY", "ORDERSYNC_CORPUS_UNSET"] {
            environment[key] = nil
        }
        environment.merge(Self.environmentSecrets) { $1 }

        var secrets = Set(Self.environmentSecrets.values.map { String($0.prefix { $0 != "\n" }) })
        var scan = SecretScan(secrets: [])
        var checked = 0
        for name in names {
            let stem = String(name.dropLast(".json".count))
            let template = try String(contentsOf: Self.corpus.appendingPathComponent(name), encoding: .utf8)
            secrets.formUnion(Self.secrets(in: template))
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ordersync-bad-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let stateDir = dir + "/state"
            func fill(_ text: String) -> String {
                text.replacingOccurrences(of: "@STATE@", with: stateDir).replacingOccurrences(of: "@DIR@", with: dir)
            }
            let configPath = dir + "/config.json"
            _ = FileManager.default.createFile(atPath: configPath, contents: Data(fill(template).utf8), attributes: [.posixPermissions: 0o600])

            let check = try Self.ordersync(["--config", configPath, "check-config"], environment: environment)
            let problems = check.errLines.filter { $0.hasPrefix("config: ") }
            let expectedURL = Self.corpus.appendingPathComponent(stem + ".expected")
            if update {
                let text = problems.map { $0.replacingOccurrences(of: stateDir, with: "@STATE@").replacingOccurrences(of: dir, with: "@DIR@") }
                try (text.joined(separator: "\n") + "\n").write(to: expectedURL, atomically: true, encoding: .utf8)
            }
            guard let expectedText = try? String(contentsOf: expectedURL, encoding: .utf8) else {
                XCTFail("\(stem): no \(stem).expected (ORDERSYNC_UPDATE_EXPECTED=1 writes it)")
                continue
            }
            let expected = expectedText.split(separator: "\n").map { fill(String($0)) }
            XCTAssertFalse(expected.isEmpty, "\(stem).expected lists no problem")

            XCTAssertEqual(check.code, 78, "\(stem): check-config exit code\n\(check.err)")
            XCTAssertEqual(problems, expected, "\(stem): check-config problems")
            let stray = check.errLines.filter { !$0.hasPrefix("config: ") && !$0.hasPrefix("warning: config: ") }
            XCTAssertEqual(stray, [], "\(stem): check-config prints only problems and warnings")

            let run = try Self.ordersync(["--config", configPath, "run"], environment: environment)
            XCTAssertFalse(run.timedOut, "\(stem): run started instead of refusing the config")
            XCTAssertEqual(run.code, 78, "\(stem): run exit code\n\(run.err)")
            XCTAssertEqual(run.errLines, expected, "\(stem): run prints the same problems, and nothing else")
            XCTAssertFalse(FileManager.default.fileExists(atPath: stateDir + "/ordersync.sqlite3"), "\(stem): run created a database")
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/ordersync.log"), "\(stem): run opened its log")

            for (label, output) in [("check-config", check), ("run", run)] {
                scan.add("\(stem) \(label) stdout", output.out)
                scan.add("\(stem) \(label) stderr", output.err)
            }
            checked += 1
        }
        print("bad-config corpus: \(checked) configs refused by check-config and run with their expected lines")
        var final = SecretScan(secrets: secrets.sorted())
        for source in scan.sources { final.add(source.name, source.text) }
        final.assertNoLeaks()
    }

    /// Every `S3CRET-…` value in a config.
    static func secrets(in text: String) -> Set<String> {
        var found: Set<String> = []
        var rest = Substring(text)
        while let range = rest.range(of: "S3CRET-") {
            let tail = rest[range.lowerBound...]
            let value = tail.prefix { $0.isLetter || $0.isNumber || $0 == "-" }
            found.insert(String(value))
            rest = tail.dropFirst(value.count)
        }
        return found
    }
}
