import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// The pushers' wake-up: a commit that changes the job queue, by another connection (the CLI) or this
/// one, wakes a waiter; a write of orders, or to another file of the state directory, does not count;
/// `stop()` releases everyone.
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

    /// The point of ``JobWake``: a backlog's order writes (and a rolled-back job) wake no pusher.
    func testOrderWritesAndARolledBackJobDoNotWakeButAJobCommitDoes() async throws {
        let path = directory.appendingPathComponent("ordersync.sqlite3").path
        let store = try Store(path: path)
        let watch = try XCTUnwrap(DatabaseWatch.start(databasePath: path))
        defer { watch.stop() }
        let wakeFile = JobWake.directory(databasePath: path).appendingPathComponent(JobWake.fileName).path
        XCTAssertTrue(FileManager.default.fileExists(atPath: wakeFile), "made by the watcher, so it is the daemon's")
        let order = Order(ref: OrderRef(channel: "bm-eu", externalID: "7"), channelType: "backmarket",
                          status: .awaitingAcceptance, channelStatus: "1")
        for index in 0..<20 {
            var changed = order
            changed.channelStatus = "\(index)"
            try store.transaction { _ = try store.upsert(changed, raw: Data("{}".utf8)) }
        }
        struct Abandoned: Error {}
        XCTAssertThrowsError(try store.transaction {
            _ = try store.enqueue(order.ref, kind: .accept, dedupeKey: "accept", payload: JobPayload())
            throw Abandoned()
        })
        await watch.wait(timeout: 0.5)
        XCTAssertEqual(watch.writes, 0, "no job committed")
        _ = try store.enqueue(order.ref, kind: .accept, dedupeKey: "accept", payload: JobPayload())
        await watch.wait(timeout: 60)
        XCTAssertGreaterThan(watch.writes, 0, "woken by this connection's job commit")
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
