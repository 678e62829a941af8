import ChannelSimulator
import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// The daemon's pushers wait on `DatabaseWatch`: a job queued by another connection (the CLI) is pushed
/// on that write, not at the next retry look (4 × tick, here 4 minutes).
final class PusherWakeTests: BackMarketTestCase, @unchecked Sendable {
    func testAJobQueuedByAnotherConnectionIsPushedOnItsWrite() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.init(lines: [.phone(state: 1, listing: "SKU-A")]))
        let path = h.directory.appendingPathComponent("ordersync.sqlite3").path
        let watch = try XCTUnwrap(DatabaseWatch.start(databasePath: path), "inotify is available on Linux")
        defer { watch.stop() }
        let pusher = Pusher(connector: h.channel, ingest: h.ingest, logger: h.logger, tick: 60, watch: watch)
        let running = Task { try await pusher.run() }
        defer { running.cancel() }
        try await Task.sleep(nanoseconds: 500_000_000)  // its first look at the empty queue is done

        let cli = try Store(path: path)
        guard case .queued(let jobID) = try cli.enqueue(h.ref(order.orderID), kind: .accept, dedupeKey: "accept",
                                                         payload: JobPayload()) else { return XCTFail("not queued") }
        try await waitFor("the accept pushed on the CLI's write", timeout: 30) {
            try h.store.job(id: jobID)?.state == .done
        }
        XCTAssertEqual(h.posts(order.orderID).count, 1)
    }
}
