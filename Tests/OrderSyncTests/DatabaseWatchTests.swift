import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// The pushers' wake-up: a commit by another connection (the CLI) wakes a waiter; a write to another
/// file of the state directory does not count; `stop()` releases everyone.
final class DatabaseWatchTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ordersync-watch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
    }

    func testACommitByAnotherConnectionWakesTheWaiter() async throws {
        let path = directory.appendingPathComponent("ordersync.sqlite3").path
        let daemonSide = try Store(path: path)
        let watch = try XCTUnwrap(DatabaseWatch.start(databasePath: path), "inotify is available on Linux")
        defer { watch.stop() }
        _ = daemonSide
        try "status".write(to: directory.appendingPathComponent("status.json"), atomically: false, encoding: .utf8)
        await watch.wait(timeout: 0.3)
        XCTAssertEqual(watch.writes, 0, "status.json is not the database")

        let cli = try Store(path: path)
        let writer = Task.detached {
            try await Task.sleep(nanoseconds: 200_000_000)
            _ = try cli.enqueue(OrderRef(channel: "bm-eu", externalID: "1"), kind: .accept, dedupeKey: "accept", payload: JobPayload())
        }
        // Long timeout: only a wake-up by the write ends this wait with a write counted.
        await watch.wait(timeout: 60)
        try await writer.value
        XCTAssertGreaterThan(watch.writes, 0, "woken by the CLI's commit")
    }

    func testStopReleasesWaiters() async throws {
        let path = directory.appendingPathComponent("ordersync.sqlite3").path
        _ = try Store(path: path)
        let watch = try XCTUnwrap(DatabaseWatch.start(databasePath: path))
        let waiter = Task { await watch.wait(timeout: 600) }
        try await Task.sleep(nanoseconds: 100_000_000)
        watch.stop()
        await waiter.value  // would hang for 10 minutes if stop() did not release it
    }
}
