import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// The mirrors table, the mirror job kind, and how mirrors show in `status`, `mirror`, metrics.
final class MirrorStoreTests: StoreTestCase {
    func config() throws -> Config {
        try XCTUnwrap(ConfigFixture.parse(ConfigFixture.document(["mirror": ["store": "shop"]])))
    }

    func testAcceptedOrdersOfSourceChannelsWithoutMirrorAreFoundAndQueueingKeepsTheFirstTime() throws {
        let first = Date(timeIntervalSince1970: 1_800_000_000)
        _ = try store.upsert(Fixture.order("1"), raw: Data("{}".utf8))
        _ = try store.upsert(Fixture.order("2", status: .awaitingAcceptance, channelStatus: "1"), raw: Data("{}".utf8))
        XCTAssertEqual(try store.unmirroredOrders(channels: ["bm-eu"]), [Fixture.ref("1")])
        try store.queueMirror(Fixture.ref("1"), store: "shop", now: first)
        XCTAssertEqual(try store.unmirroredOrders(channels: ["bm-eu"]), [])
        let job = try XCTUnwrap(try store.dueMirrorJobs(now: first).first)
        try store.finish(job.id, state: .failed, error: "x")
        _ = try store.retry(job.id, now: first.addingTimeInterval(3600))
        XCTAssertEqual(try store.mirror(of: Fixture.ref("1"))?.firstQueuedAt, first,
                       "a retry still searches from the first queueing")
        XCTAssertEqual(try store.dueJobs(channel: "bm-eu", now: first.addingTimeInterval(7200)), [],
                       "a marketplace pusher never runs a mirror job")
    }

    func testStatusCountsMirrorsPendingWaitingWithTheirReasonAndFailed() throws {
        for (id, state, reason) in [("1", MirrorState.pending, nil), ("2", .waiting, "no tracking"), ("3", .waiting, "no tracking"),
                                    ("4", .failed, "400"), ("5", .created, nil)] as [(String, MirrorState, String?)] {
            try store.queueMirror(Fixture.ref(id), store: "shop")
            if state == .created { try store.recordMirror(Fixture.ref(id), storeOrderID: "9\(id)") }
            else { try store.setMirrorState(Fixture.ref(id), state, reason: reason) }
        }
        let report = try StatusReport.build(config: try config(), store: store)
        XCTAssertEqual(report.mirrors, MirrorSummary(store: "shop", pending: 1, created: 1, waiting: 2, failed: 1,
                                                     waitingReasons: ["no tracking": 2]))
        let screen = StatusScreen.render(report, now: Date())
        XCTAssertTrue(screen.hasSuffix("""
            mirrors into shop: 1 pending, 1 in the store, 2 waiting, 1 failed
              waiting       2: no tracking
            """), screen)
        let metrics = try MetricsFile.render(config: try config(), store: store, metrics: Metrics())
        XCTAssertTrue(metrics.contains(#"ordersync_mirrors{state="waiting"} 2"#), metrics)
        XCTAssertTrue(metrics.contains(#"ordersync_mirrors{state="pending"} 1"#), metrics)
        XCTAssertTrue(metrics.contains(#"ordersync_mirrors{state="failed"} 1"#), metrics)
    }

    func testTheMirrorCommandQueuesAnAcceptedOrderAndSaysWhyOthersAreNotMirrorable() throws {
        let ops = Operations(config: try config(), store: store)
        _ = try store.upsert(Fixture.order("1"), raw: Data("{}".utf8))
        _ = try store.upsert(Fixture.order("2", status: .awaitingAcceptance, channelStatus: "1"), raw: Data("{}".utf8))
        XCTAssertTrue(try ops.mirror("bm-eu:1").contains("queued"))
        XCTAssertThrowsError(try ops.mirror("bm-eu:2")) { error in
            XCTAssertEqual((error as? UserError)?.code, .dataError)
            XCTAssertTrue((error as? UserError)?.message.contains("awaiting_acceptance") ?? false)
        }
        let noMirror = Operations(config: try XCTUnwrap(ConfigFixture.parse(ConfigFixture.document())), store: store)
        XCTAssertThrowsError(try noMirror.mirror("bm-eu:1")) { error in
            XCTAssertTrue((error as? UserError)?.message.contains("no mirror is configured") ?? false)
        }
    }
}
