import Foundation
import XCTest

/// deploy/ordersync.logrotate parsed by logrotate itself, in debug (dry) mode against a temp directory.
/// Rotating under a running daemon is an integration test elsewhere.
final class LogrotateTests: XCTestCase {
    func testConfigParsesAndRotatesWithoutCopytruncate() throws {
        let logrotate = try requireExecutable("logrotate")
        let directory = try TemporaryDirectory()
        let logs = directory.path("log")
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        try "{\"msg\":\"started\"}\n".write(toFile: logs + "/ordersync.log", atomically: true, encoding: .utf8)

        let shipped = try String(contentsOf: deployFile("ordersync.logrotate"), encoding: .utf8)
        XCTAssertTrue(shipped.contains("/var/log/ordersync/*.log {"))
        XCTAssertFalse(shipped.contains("\n    copytruncate"), "the daemon reopens on SIGHUP; copytruncate loses lines")
        let config = directory.path("ordersync.logrotate")
        try shipped.replacingOccurrences(of: "/var/log/ordersync/", with: logs + "/")
            .write(toFile: config, atomically: true, encoding: .utf8)

        // -d: parse and report, change nothing; -f: report a rotation even though the log is new.
        let result = try runCommand(logrotate, ["-d", "-f", "-s", directory.path("state"), config])
        // logrotate exits 0 after "unknown option … ignoring line", so errors are read from the output.
        XCTAssertEqual(result.status, 0, result.output)
        let output = result.stdout + result.stderr
        let errors = output.split(separator: "\n").filter { $0.hasPrefix("error:") }
        XCTAssertEqual(errors, [], result.output)
        XCTAssertTrue(output.contains("rotating pattern: \(logs)/*.log  forced from command line (14 rotations)"),
                      result.output)
        XCTAssertTrue(output.contains("renaming \(logs)/ordersync.log to \(logs)/ordersync.log.1"), result.output)
        XCTAssertTrue(output.contains("creating new \(logs)/ordersync.log mode = 0640"), result.output)
        XCTAssertTrue(output.contains("running postrotate script"), result.output)
        XCTAssertTrue(output.contains("systemctl kill --kill-who=main --signal=HUP ordersync.service"), result.output)
        XCTAssertFalse(output.contains("copying"), result.output)
    }
}
