import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// Acceptance deadlines (75 % warning, error when passed, once each) and the seller report on a known data set.
final class DeadlineWatchTests: StoreTestCase {
    func testWarningAt75PercentAndErrorWhenPassedEachOnce() throws {
        var order = Fixture.order("1", status: .awaitingAcceptance, channelStatus: "1")
        order.acceptBy = Fixture.t0.addingTimeInterval(24 * 3600)
        _ = try store.upsert(order, raw: nil)
        let logs = InMemoryLogHandler()
        let watch = DeadlineWatch(store: store, windows: ["bm-eu": 24], logger: Logger(level: .info, handler: logs))
        XCTAssertEqual(try watch.check(now: Fixture.t0.addingTimeInterval(17.9 * 3600)).warned, 0, "before 75 %")
        XCTAssertEqual(try watch.check(now: Fixture.t0.addingTimeInterval(18 * 3600)).warned, 1, "at 75 %")
        XCTAssertEqual(try watch.check(now: Fixture.t0.addingTimeInterval(20 * 3600)).warned, 0, "once")
        XCTAssertEqual(try watch.check(now: Fixture.t0.addingTimeInterval(24 * 3600)).missed, 1)
        XCTAssertEqual(try watch.check(now: Fixture.t0.addingTimeInterval(30 * 3600)).missed, 0, "once")
        // A restart (new watcher, same database) does not repeat them.
        let again = DeadlineWatch(store: try temp.open(), windows: ["bm-eu": 24], logger: Logger(level: .info, handler: logs))
        XCTAssertEqual(try again.check(now: Fixture.t0.addingTimeInterval(31 * 3600)).missed, 0)
        XCTAssertEqual(logs.entries.map(\.message), ["acceptance deadline near", "acceptance deadline passed"])
        XCTAssertEqual(logs.entries.map(\.level), [.warning, .error])
    }

    /// The watch reads only the orders whose warning or deadline has come, not every waiting order (issue 17:
    /// holding 94,000 of them between looks was the largest part of the 100k backlog's memory).
    func testTheWatchReadsOnlyTheOrdersDue() throws {
        try store.transaction {
            for i in 0..<300 {
                var order = Fixture.order("far\(i)", status: .awaitingAcceptance, channelStatus: "1")
                order.acceptBy = Fixture.t0.addingTimeInterval(Double(20 + i) * 3600)
                _ = try store.upsert(order, raw: nil)
            }
            for (id, hours) in [("near", 5.0), ("over", -1.0), ("warned-over", -2.0)] {
                var order = Fixture.order(id, status: .awaitingAcceptance, channelStatus: "1")
                order.acceptBy = Fixture.t0.addingTimeInterval(hours * 3600)
                _ = try store.upsert(order, raw: nil)
            }
            var warned = Fixture.order("warned", status: .awaitingAcceptance, channelStatus: "1")
            warned.acceptBy = Fixture.t0.addingTimeInterval(3 * 3600)
            _ = try store.upsert(warned, raw: nil)
        }
        try store.markDeadline(Fixture.ref("warned"), missed: false, now: Fixture.t0)
        try store.markDeadline(Fixture.ref("warned-over"), missed: false, now: Fixture.t0)
        let due = try store.acceptancesToMark(now: Fixture.t0, windows: ["bm-eu": 24, "other": 24])
        // 24 h window: the warning is 6 h before the deadline. "warned" waits for its deadline; the overdue
        // ones wait for their error, soonest first.
        XCTAssertEqual(due.map(\.ref.externalID), ["warned-over", "over", "near"])
        XCTAssertEqual(try store.acceptancesToMark(now: Fixture.t0, windows: [:]).count, 0, "no window, nothing read")
        XCTAssertEqual(try store.acceptancesToMark(now: Fixture.t0, windows: ["bm-eu": 24], limit: 2).map(\.ref.externalID),
                       ["warned-over", "over"], "a batch at a time")
        try store.markDeadline(Fixture.ref("over"), missed: true, now: Fixture.t0)
        XCTAssertEqual(try store.acceptancesToMark(now: Fixture.t0, windows: ["bm-eu": 24]).map(\.ref.externalID),
                       ["warned-over", "near"], "marked: not read again")
        // Overdue orders still waiting, for the repeated alert, a page at a time in (channel, id) order.
        let first = try store.overdueAcceptances(now: Fixture.t0, channels: ["bm-eu"], limit: 1)
        XCTAssertEqual(first.map(\.ref.externalID), ["over"])
        XCTAssertEqual(try store.overdueAcceptances(now: Fixture.t0, channels: ["bm-eu"], after: first.last?.ref, limit: 1)
                        .map(\.ref.externalID), ["warned-over"])
        let counts = try store.acceptanceDeadlineCounts(now: Fixture.t0)["bm-eu"]
        XCTAssertEqual(counts, AcceptanceDeadlineCounts(dueSoon: 2, overdue: 2))
    }

    /// Thousands of orders past their deadline at once (a backlog imported late): each error is logged once,
    /// read a batch at a time, and the next look logs nothing.
    func testManyOverdueOrdersAreLoggedOnceInBatches() throws {
        try store.transaction {
            for i in 0..<1_234 {
                var order = Fixture.order("late\(i)", status: .awaitingAcceptance, channelStatus: "1")
                order.acceptBy = Fixture.t0.addingTimeInterval(Double(-i))
                _ = try store.upsert(order, raw: nil)
            }
        }
        let watch = DeadlineWatch(store: store, windows: ["bm-eu": 24], logger: .discarding)
        XCTAssertEqual(try watch.check(now: Fixture.t0).missed, 1_234)
        XCTAssertEqual(try watch.check(now: Fixture.t0.addingTimeInterval(60)).missed, 0)
    }

    /// Each look reads only the orders not yet marked missed: through the partial index
    /// `orders_accept_unmarked`, not the whole `(status, accept_by)` range, where every order already marked
    /// was read again (issue 17: the watch was 11 % of the 100k backlog's CPU, every order overdue).
    func testTheWatchQueryReadsThroughTheIndexOfUnmarkedOrders() throws {
        let plan = try store.db.query("EXPLAIN QUERY PLAN " + Store.acceptancesToMarkSQL,
                                      [.text("2026-01-02T00:00:00Z"), .text("bm-eu"), .text("2026-01-01T00:00:00Z"), .int(500)])
            .compactMap { $0.string("detail") }
        XCTAssertTrue(plan.contains { $0.contains("USING INDEX orders_accept_unmarked") }, "\(plan)")
        XCTAssertFalse(plan.contains { $0.contains("TEMP B-TREE") }, "already in accept_by order: \(plan)")
        // And the rows it skips are gone from the index once marked.
        var order = Fixture.order("late", status: .awaitingAcceptance, channelStatus: "1")
        order.acceptBy = Fixture.t0.addingTimeInterval(-60)
        _ = try store.upsert(order, raw: nil)
        let unmarked = "SELECT COUNT(*) AS n FROM orders INDEXED BY orders_accept_unmarked WHERE status = 'awaiting_acceptance' AND deadline_missed_at IS NULL AND accept_by IS NOT NULL"
        XCTAssertEqual(try store.db.query(unmarked).first?.int("n"), 1)
        try store.markDeadlines([(Fixture.ref("late"), true)], now: Fixture.t0)
        XCTAssertEqual(try store.db.query(unmarked).first?.int("n"), 0)
    }

    func testDeadlineArithmeticIsUTCAcrossDaylightSavingChange() {
        // Europe/Paris switches to summer time on 2026-03-29 at 01:00Z; a 24 h window is still 86 400 s.
        let acceptBy = Timestamp.parse("2026-03-29T12:00:00Z")!
        XCTAssertEqual(Timestamp.format(DeadlineWatch.warningTime(acceptBy: acceptBy, windowHours: 24)), "2026-03-29T06:00:00Z")
        let paid = Timestamp.parse("2026-03-28T12:00:00+01:00")!
        XCTAssertEqual(Timestamp.format(paid.addingTimeInterval(24 * 3600)), "2026-03-29T11:00:00Z")
    }

    func testIngestKeepsTheFirstDeadlineAcrossPolls() throws {
        let ingest = Ingest(store: store, channelID: "bm-eu", autoAccept: false, rules: [], acceptWithinHours: 24, logger: .discarding)
        var order = Fixture.order("7", status: .awaitingAcceptance, channelStatus: "1")
        order.acceptBy = nil
        try ingest.store(OrderPage(orders: [FetchedOrder(order: order, raw: Data())]), now: Fixture.t0)
        order.updatedAt = Fixture.t0.addingTimeInterval(3600)
        try ingest.store(OrderPage(orders: [FetchedOrder(order: order, raw: Data())]), now: Fixture.t0.addingTimeInterval(7200))
        XCTAssertEqual(try store.order(Fixture.ref("7"))?.order.acceptBy, Fixture.t0.addingTimeInterval(24 * 3600))
    }
}

final class SellerReportTests: StoreTestCase {
    func testFiguresOnAKnownDataSet() throws {
        let now = Fixture.t0.addingTimeInterval(10 * 86_400)
        func add(_ id: String, status: OrderStatus, createdDaysAgo: Double, acceptBy: Date? = nil, history: [(OrderStatus, Double)],
                 extraTracking: Bool = false) throws {
            var order = Fixture.order(id, status: history.first!.0, channelStatus: "x")
            order.createdAt = now.addingTimeInterval(-createdDaysAgo * 86_400)
            order.acceptBy = acceptBy
            for (step, (s, hoursAfterCreation)) in history.enumerated() {
                order.status = s
                order.channelStatus = "s\(step)"
                if extraTracking, s == .shipped { order.extra["tracking_number"] = "CH-1" }
                _ = try store.upsert(order, raw: nil, now: order.createdAt!.addingTimeInterval(hoursAfterCreation * 3600))
            }
            _ = status
        }
        // 1: accepted after 2 h, shipped after 10 h with a pushed tracking number.
        try add("1", status: .shipped, createdDaysAgo: 5, acceptBy: now.addingTimeInterval(-5 * 86_400 + 24 * 3600),
                history: [(.awaitingAcceptance, 0), (.awaitingShipment, 2), (.shipped, 10)])
        _ = try store.enqueue(Fixture.ref("1"), kind: .ship, dedupeKey: "T1", payload: Fixture.shipmentPayload("T1"))
        // 2: accepted after 30 h (late: deadline 24 h), shipped in the back office with its tracking (channel shows it).
        try add("2", status: .shipped, createdDaysAgo: 4, acceptBy: now.addingTimeInterval(-4 * 86_400 + 24 * 3600),
                history: [(.awaitingAcceptance, 0), (.awaitingShipment, 30), (.shipped, 40)], extraTracking: true)
        // 3: cancelled.
        try add("3", status: .cancelled, createdDaysAgo: 3, history: [(.awaitingAcceptance, 0), (.cancelled, 1)])
        // 4: shipped without any tracking, never went through acceptance here.
        try add("4", status: .shipped, createdDaysAgo: 2, history: [(.awaitingShipment, 0), (.shipped, 20)])
        // 5: outside the window (40 days old).
        try add("5", status: .cancelled, createdDaysAgo: 40, history: [(.awaitingAcceptance, 0), (.cancelled, 1)])
        // A dead letter in the window.
        if case .queued(let id) = try store.enqueue(Fixture.ref("3"), kind: .cancel, dedupeKey: "cancel", payload: JobPayload()) {
            try store.finish(id, state: .failed, error: "HTTP 400", now: now.addingTimeInterval(-3600))
        }
        // Mark the ship job of order 1 done at creation + 10 h.
        let ship = try XCTUnwrap(try store.jobs(ref: Fixture.ref("1")).first)
        try store.finish(ship.id, state: .done, result: "shipped", now: now.addingTimeInterval(-5 * 86_400 + 10 * 3600))

        let report = try SellerReport.build(store: store, channels: ["bm-eu"], days: 30, now: now)
        let f = try XCTUnwrap(report.channels.first)
        XCTAssertEqual(f.orders, 4)
        XCTAssertEqual(f.cancelled, 1)
        XCTAssertEqual(f.cancellationRate, 0.25)
        XCTAssertEqual(f.shipped, 3)
        XCTAssertEqual(f.shippedWithoutTracking, 1)
        XCTAssertEqual(f.acceptMedianSeconds, 2 * 3600)
        XCTAssertEqual(f.acceptP90Seconds, 30 * 3600)
        XCTAssertEqual(f.shipMedianSeconds, 20 * 3600)
        XCTAssertEqual(f.shipP90Seconds, 40 * 3600)
        XCTAssertEqual(f.lateAcceptances, 1)
        XCTAssertEqual(f.deadLetters, 1)
    }

    func testPercentileIsNearestRank() {
        XCTAssertEqual(SellerReport.percentile([5, 1, 3, 2, 4], 0.5), 3)
        XCTAssertEqual(SellerReport.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9), 9)
        XCTAssertNil(SellerReport.percentile([], 0.5))
    }
}
