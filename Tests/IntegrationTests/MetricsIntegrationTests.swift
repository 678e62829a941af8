import ChannelSimulator
import Foundation
import XCTest

/// `metrics_file` written by the built binary after a known import; checked by `promtool` where installed.
final class MetricsIntegrationTests: XCTestCase {
    static var promtool: String? {
        ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    func testMetricsFileCarriesTheImportAndPassesPromtool() throws {
        let h = try Harness(autoAccept: false, pollInterval: 10)
        let path = h.dir + "/textfile/ordersync.prom"
        try FileManager.default.createDirectory(atPath: h.dir + "/textfile", withIntermediateDirectories: true)
        h.extraConfigJSON = "\n  \"metrics_file\": \"\(path)\","
        try h.writeConfig(autoAccept: false, pollInterval: 10)
        for _ in 0..<2 {
            _ = h.simulator.addOrder(BackMarketSimulator.Order(lines: [.init(listing: "SKU-IP12-64", product: "iPhone 12 64 GB")]))
        }
        try h.start()
        let imported = #"ordersync_orders_imported_total{channel="bm-eu"} 2"#
        h.wait("metrics after the first poll") {
            ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").contains(imported)
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let samples = Set(text.split(separator: "\n").map(String.init))
        for expected in [
            #"ordersync_orders{channel="bm-eu",status="awaiting_acceptance"} 2"#,
            #"ordersync_orders{channel="bm-eu",status="awaiting_shipment"} 0"#,
            #"ordersync_poll_consecutive_errors{channel="bm-eu"} 0"#,
            #"ordersync_jobs{channel="bm-eu",state="queued"} 0"#,
            #"ordersync_push_latency_seconds_count{channel="bm-eu"} 0"#,
            #"ordersync_returns_open{channel="bm-eu"} 0"#,
            #"ordersync_mirrors{state="pending"} 0"#,
        ] {
            XCTAssertTrue(samples.contains(expected), "missing \(expected) in\n\(text)")
        }
        let success = try XCTUnwrap(samples.first { $0.hasPrefix(#"ordersync_poll_last_success_timestamp_seconds{channel="bm-eu"} "#) })
        let seconds = try XCTUnwrap(Double(success.split(separator: " ").last ?? ""))
        XCTAssertEqual(seconds, Date().timeIntervalSince1970, accuracy: 600, "a Unix time in seconds")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: h.dir + "/textfile"), ["ordersync.prom"],
                       "no temporary file left beside it")
        XCTAssertEqual(h.stop()?.status, 0)

        guard let promtool = Self.promtool else {
            print("promtool not installed: syntax check skipped (Debian: apt-get install prometheus)")
            return
        }
        let check = try Self.run(promtool, ["check", "metrics"], input: Data(text.utf8))
        XCTAssertEqual(check.code, 0, "promtool check metrics:\n\(check.output)")
        XCTAssertEqual(check.output.trimmingCharacters(in: .whitespacesAndNewlines), "", "promtool's lint findings")
    }

    static func run(_ tool: String, _ arguments: [String], input: Data) throws -> (code: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let stdin = Pipe(), output = Pipe()
        process.standardInput = stdin
        process.standardOutput = output
        process.standardError = output
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
