import Foundation
import XCTest

@testable import OrderSync

/// `metrics_file`: the series and values of a known database, Prometheus text syntax, atomic replacement.
final class MetricsFileTests: StoreTestCase {
    var config: Config { Fixture.config(stateDir: temp.directory.path) }

    func testAKnownDatabaseGivesTheExpectedSeries() throws {
        _ = try store.upsert(Fixture.order("1", status: .awaitingShipment), raw: nil)
        _ = try store.upsert(Fixture.order("2", status: .awaitingShipment), raw: nil)
        _ = try store.upsert(Fixture.order("3", status: .shipped, channelStatus: "3"), raw: nil)
        try store.recordPoll(channel: "bm-eu", success: true, at: Fixture.t0)
        _ = try store.enqueue(Fixture.ref("1"), kind: .ship, dedupeKey: "a", payload: JobPayload())
        let metrics = Metrics()
        metrics.ordersImported(channel: "bm-eu", count: 3)
        metrics.pushed(channel: "bm-eu", seconds: 0.7)
        metrics.pushed(channel: "bm-eu", seconds: 20)
        let text = try MetricsFile.render(config: config, store: store, metrics: metrics)
        let samples = Set(text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init))
        for expected in [
            #"ordersync_build_info{version="\#(OrderSyncVersion.current)"} 1"#,
            #"ordersync_orders{channel="bm-eu",status="awaiting_shipment"} 2"#,
            #"ordersync_orders{channel="bm-eu",status="shipped"} 1"#,
            #"ordersync_orders{channel="bm-eu",status="cancelled"} 0"#,
            #"ordersync_orders_imported_total{channel="bm-eu"} 3"#,
            #"ordersync_poll_last_success_timestamp_seconds{channel="bm-eu"} 1773131400"#,
            #"ordersync_poll_consecutive_errors{channel="bm-eu"} 0"#,
            #"ordersync_jobs{channel="bm-eu",state="queued"} 1"#,
            #"ordersync_jobs{channel="bm-eu",state="failed"} 0"#,
            #"ordersync_push_latency_seconds_bucket{channel="bm-eu",le="0.5"} 0"#,
            #"ordersync_push_latency_seconds_bucket{channel="bm-eu",le="1"} 1"#,
            #"ordersync_push_latency_seconds_bucket{channel="bm-eu",le="30"} 2"#,
            #"ordersync_push_latency_seconds_bucket{channel="bm-eu",le="+Inf"} 2"#,
            #"ordersync_push_latency_seconds_sum{channel="bm-eu"} 20.7"#,
            #"ordersync_push_latency_seconds_count{channel="bm-eu"} 2"#,
            #"ordersync_returns_open{channel="bm-eu"} 0"#,
            #"ordersync_mirrors{state="failed"} 0"#,
        ] {
            XCTAssertTrue(samples.contains(expected), "missing \(expected) in\n\(text)")
        }
        // Every sample belongs to a family declared with HELP and TYPE before it.
        var declared: Set<String> = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") { declared.insert(String(line.split(separator: " ")[2])) }
            if line.hasPrefix("#") { continue }
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            let family = ["_bucket", "_sum", "_count"].reduce(name) { name, suffix in
                declared.contains(name) ? name : (name.hasSuffix(suffix) ? String(name.dropLast(suffix.count)) : name)
            }
            XCTAssertTrue(declared.contains(family), "\(name) has no TYPE line before it")
        }
    }

    func testTheFileIsReplacedWholeAndNoTemporaryFileIsLeft() throws {
        let path = temp.directory.appendingPathComponent("ordersync.prom").path
        try "old\n".write(toFile: path, atomically: false, encoding: .utf8)
        let saved = umask(0o077)  // the unit's UMask=
        defer { umask(saved) }
        try MetricsFile.write("new 1\n", to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "new 1\n")
        let mode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        XCTAssertEqual(mode, 0o644, "readable by node_exporter whatever the umask")
        let left = try FileManager.default.contentsOfDirectory(atPath: temp.directory.path).filter { $0.contains(".tmp-") }
        XCTAssertEqual(left, [])
        XCTAssertThrowsError(try MetricsFile.write("x", to: "/nonexistent-dir/ordersync.prom"))
    }

    func testPushLatencyBucketsAreCumulative() {
        let metrics = Metrics()
        for seconds in [0.1, 3, 3, 4000] { metrics.pushed(channel: "c", seconds: seconds) }
        let histogram = metrics.pushLatency["c"]!
        XCTAssertEqual(histogram.count, 4)
        XCTAssertEqual(histogram.buckets.first, 1)
        XCTAssertEqual(histogram.buckets[Metrics.pushLatencyBuckets.firstIndex(of: 5)!], 3)
        XCTAssertEqual(histogram.buckets.last, 3, "4000 s is above the last bound: only +Inf counts it")
    }
}
