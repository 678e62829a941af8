import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// The human `status` screen: a known database rendered with an injected clock gives exactly the golden
/// file `Tests/Fixtures/status/screen.expected` (set ORDERSYNC_UPDATE_GOLDEN=1 to rewrite it after an
/// intended change, then review the diff).
final class StatusScreenTests: StoreTestCase {
    static let now = Timestamp.parse("2026-12-05T11:15:00Z")!
    static var goldenPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/status/screen.expected").path
    }

    /// Three channels: Back Market healthy with work waiting, Spartoo refusing its partner id, the store
    /// failing for longer than three poll intervals.
    func knownDatabase() throws -> Config {
        let now = Self.now
        let config = try XCTUnwrap(ConfigFixture.parse(ConfigFixture.document()))
        var due = Fixture.order("40000001", status: .awaitingAcceptance, channelStatus: "1")
        due.acceptBy = now.addingTimeInterval(2 * 3600)
        var late = Fixture.order("40000002", status: .awaitingAcceptance, channelStatus: "1")
        late.acceptBy = now.addingTimeInterval(-600)
        for order in [due, late, Fixture.order("40000003"), Fixture.order("40000004"),
                      Fixture.order("40000005", status: .shipped, channelStatus: "9"),
                      Fixture.order("40000006", status: .cancelled, channelStatus: "1")] {
            _ = try store.upsert(order, raw: Data("{}".utf8), now: now.addingTimeInterval(-86_400))
        }
        _ = try store.upsert(Fixture.order("AB12", channel: "sp", status: .awaitingShipment, channelStatus: "2"),
                             raw: Data("{}".utf8), now: now)
        let ship = ShipmentRequest(carrierKey: "colissimo", carrierName: "Colissimo", trackingNumber: "6A1",
                                   trackingURL: nil, shippedAt: now, lines: [], wholeOrder: true)
        for (id, state) in [("40000003", JobState.queued), ("40000004", .failed), ("40000006", .dropped)] {
            guard case .queued(id: let jobID) = try store.enqueue(Fixture.ref(id), kind: .ship, dedupeKey: "t", payload: JobPayload(shipment: ship), now: now)
            else { throw XCTSkip("not queued") }
            if state != .queued { try store.finish(jobID, state: state, error: "x", now: now) }
        }
        try store.recordPoll(channel: "bm-eu", success: true, at: now.addingTimeInterval(-17))
        try store.setCursor(#"{"lastResweep":"2026-12-05T10:54:00Z","modified":"2026-12-05T11:14:43Z"}"#, channel: "bm-eu", now: now)
        try store.recordPoll(channel: "sp", success: true, at: now.addingTimeInterval(-7200))
        try store.recordPoll(channel: "sp", success: false, error: "Spartoo (site fr) says the partner id is unknown (-2)",
                             unauthorized: true, at: now.addingTimeInterval(-3000))
        try store.setCursor(#"{"sites":{"es":{"last_success":"2026-12-05T09:15:00Z","window_start":"2026-11-25T09:15:00Z"},"fr":{"last_success":"2026-12-05T09:15:00Z","window_start":"2026-11-25T09:14:00Z"}}}"#, channel: "sp", now: now)
        try store.recordPoll(channel: "shop", success: false, error: "HTTP 503 from the store", at: now.addingTimeInterval(-3 * 3600))
        for minutes in [120, 60, 1] {
            try store.recordPoll(channel: "shop", success: false, error: "HTTP 503 from the store", at: now.addingTimeInterval(-Double(minutes) * 60))
        }
        var returned = Fixture.order("AB13", channel: "sp", status: .shipped, channelStatus: "3")
        returned.returns = [OrderReturn(returnRef: "sp:R1", status: .waitingForReceipt, channelStatus: "2", reason: nil, createdAt: now),
                            OrderReturn(returnRef: "sp:R2", status: .refunded, channelStatus: "7", reason: nil, createdAt: now)]
        try Ingest(store: store, channelID: "sp", autoAccept: false, rules: [], logger: Logger(level: .error, handler: InMemoryLogHandler()))
            .store(OrderPage(orders: [FetchedOrder(order: returned, raw: Data("{}".utf8))]), now: now)
        try store.heartbeat(now: now.addingTimeInterval(-4))
        return config
    }

    func testAKnownDatabaseRendersExactlyTheGoldenScreen() throws {
        let config = try knownDatabase()
        let report = try StatusReport.build(config: config, store: store, now: Self.now)
        let screen = StatusScreen.render(report, now: Self.now) + "\n"
        if ProcessInfo.processInfo.environment["ORDERSYNC_UPDATE_GOLDEN"] == "1" {
            try screen.write(toFile: Self.goldenPath, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOfFile: Self.goldenPath, encoding: .utf8)
        XCTAssertEqual(screen, expected, "status screen differs from the golden file; actual:\n\(screen)")
    }

    func testNoLabelledLineIsWiderThan100ColumnsBeforeItsValue() throws {
        let config = try knownDatabase()
        let screen = StatusScreen.render(try StatusReport.build(config: config, store: store, now: Self.now), now: Self.now)
        for line in screen.split(separator: "\n") where !line.hasPrefix("  last error") && !line.hasPrefix("  cursor") {
            XCTAssertLessThanOrEqual(line.count, 100, String(line))
        }
    }

    func testHealthWordsInTheJSONReport() throws {
        let config = try knownDatabase()
        let report = try StatusReport.build(config: config, store: store, now: Self.now)
        XCTAssertEqual(report.channels.map(\.health), ["ok", "unauthorized", "failing"])
        XCTAssertEqual(report.channels[0].ordersByStatus, ["awaiting_acceptance": 2, "awaiting_shipment": 2, "shipped": 1, "cancelled": 1])
        XCTAssertEqual(report.channels[0].jobsObsolete, 1)
        XCTAssertEqual(report.channels.map(\.returnsOpen), [0, 1, 0], "open returns per channel (a refunded one is closed)")
        XCTAssertEqual(report.channels[0].jobsFailed, 1)
        XCTAssertEqual(report.channels[0].jobsPending, 1)
        XCTAssertNotNil(report.channels[0].cursor, "the whole cursor stays in the JSON report")
    }

    func testAgesAndMinuteTimes() {
        let now = Self.now
        XCTAssertEqual(Timestamp.age(of: now.addingTimeInterval(-12), now: now), "12 s ago")
        XCTAssertEqual(Timestamp.age(of: now.addingTimeInterval(-3 * 3600 - 300), now: now), "3 h 5 min ago")
        XCTAssertEqual(Timestamp.age(of: now.addingTimeInterval(-2 * 86_400 - 3 * 3600), now: now), "2 d 3 h ago")
        XCTAssertEqual(Timestamp.age(of: now.addingTimeInterval(300), now: now), "in 5 min")
        XCTAssertEqual(Timestamp.minute(now.addingTimeInterval(-60), now: now), "11:14Z")
        XCTAssertEqual(Timestamp.minute(now.addingTimeInterval(-86_400), now: now), "2026-12-04T11:15Z")
    }
}
