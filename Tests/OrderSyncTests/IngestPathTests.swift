import Foundation
import XCTest

@testable import OrderSync

/// One way to store a fetched order: polls, re-reads and push results all go through `Ingest`; the store's
/// writes land together through `transaction`; its errors name the SQL, never a bound value.
final class IngestPathTests: StoreTestCase {
    let rules = [ShippingRule(channel: "*", shippingMethod: "colissimo*", carrier: "colissimo")]

    func ingest(shipWithinHours: Int? = 24) -> Ingest {
        Ingest(store: store, channelID: "bm-eu", autoAccept: false, rules: rules, shipWithinHours: shipWithinHours,
               logger: .discarding)
    }

    // MARK: transaction

    func testTransactionRollsBackEveryWriteWhenTheBodyThrows() throws {
        struct Boom: Error {}
        XCTAssertThrowsError(try store.transaction {
            _ = try store.upsert(Fixture.order("1"), raw: nil, now: Fixture.t0)
            _ = try store.enqueue(Fixture.ref("1"), kind: .accept, dedupeKey: "accept", payload: JobPayload(), now: Fixture.t0)
            try store.setMark(.staleRefresh, "x", channel: "bm-eu")
            throw Boom()
        }) { XCTAssertTrue($0 is Boom, "the body's error is rethrown: \($0)") }
        XCTAssertNil(try store.order(Fixture.ref("1")))
        XCTAssertEqual(try store.jobs(), [])
        XCTAssertNil(try store.mark(.staleRefresh, channel: "bm-eu"))
        // And commits when it does not throw.
        try store.transaction { _ = try store.upsert(Fixture.order("1"), raw: nil, now: Fixture.t0) }
        XCTAssertNotNil(try store.order(Fixture.ref("1")))
    }

    // MARK: StoreError

    func testStoreErrorNamesTheSQLButNoBoundValue() throws {
        let secret = "4111-secret-bound-value"
        _ = try store.db.execute("INSERT INTO cursors (channel, cursor, updated_at) VALUES (?, ?, ?)",
                                 [.text("bm-eu"), .text("c"), .text("t")])
        XCTAssertThrowsError(try store.db.execute("INSERT INTO cursors (channel, cursor, updated_at) VALUES (?, ?, ?)",
                                                  [.text("bm-eu"), .text(secret), .text(secret)])) { error in
            guard let error = error as? StoreError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.kind, .constraint)
            XCTAssertEqual(error.sql, "INSERT INTO cursors (channel, cursor, updated_at) VALUES (?, ?, ?)")
            XCTAssertTrue(error.description.contains("INSERT INTO cursors (channel, cursor, updated_at) VALUES (?, ?, ?)"),
                          error.description)
            XCTAssertFalse(error.description.contains(secret), error.description)
            XCTAssertFalse(String(reflecting: error).contains(secret))
        }
        XCTAssertThrowsError(try store.db.query("SELECT nope FROM orders WHERE external_id = ?", [.text(secret)])) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("SELECT nope FROM orders WHERE external_id = ?"), text)
            XCTAssertFalse(text.contains(secret), text)
        }
    }

    // MARK: Channel marks

    func testMigrationCarriesStaleRefreshAndAftersaleOverFromTheCursorsTable() throws {
        // A database from before the migration: bookkeeping kept under "#" keys of the cursors table.
        try store.db.execute("DROP TABLE channel_marks")
        try store.db.execute("DELETE FROM schema_migrations WHERE name = '2026-12-05-channel-marks'")
        try store.setCursor("cursor-1", channel: "bm-eu")
        try store.db.execute("INSERT INTO cursors (channel, cursor, updated_at) VALUES (?, ?, ?)",
                             [.text("bm-eu#stale-refresh"), .text("2026-03-10T08:30:00Z"), .text("2026-03-10T08:30:00.000Z")])
        try store.db.execute("INSERT INTO cursors (channel, cursor, updated_at) VALUES (?, ?, ?)",
                             [.text("sp-fr#aftersale"), .text("progress-7"), .text("2026-03-10T08:30:00.000Z")])
        let upgraded = try temp.open()
        XCTAssertEqual(try upgraded.mark(.staleRefresh, channel: "bm-eu"), "2026-03-10T08:30:00Z")
        XCTAssertEqual(try upgraded.mark(.aftersale, channel: "sp-fr"), "progress-7")
        XCTAssertEqual(try upgraded.cursor(channel: "bm-eu"), "cursor-1", "a cursor stays a cursor")
        let keys = try upgraded.db.query("SELECT channel FROM cursors ORDER BY channel").compactMap { $0.string("channel") }
        XCTAssertEqual(keys, ["bm-eu"], "the cursors table holds cursors only")
    }

    // MARK: Re-reads and push results go through Ingest

    func testAStaleReReadIsStoredThroughIngestUnderItsStoredRef() async throws {
        var stored = Fixture.order("FR/7", status: .awaitingShipment, shippingMethod: "Colissimo")
        stored.site = "FR"
        try ingest().store(OrderPage(orders: [FetchedOrder(order: stored, raw: Data())]), now: Fixture.t0)
        let shipBy = try XCTUnwrap(try store.known(Fixture.ref("FR/7"))?.shipBy)
        // The channel answers under its own id; a week later the order is shipped.
        var read = Fixture.order("7", status: .shipped, channelStatus: "4", shippingMethod: "Colissimo relais")
        read.site = "FR"
        let connector = ScriptedConnector(reads: ["FR/7": FetchedOrder(order: read, raw: Data("r".utf8))])
        let now = Fixture.t0.addingTimeInterval(7 * 86_400)
        let poller = Poller(connector: connector, ingest: ingest(), interval: 60, logger: .discarding, onCycle: {})
        try await poller.refreshStaleOrders(now: now)

        let after = try XCTUnwrap(try store.order(Fixture.ref("FR/7")))
        XCTAssertEqual(after.order.status, .shipped)
        XCTAssertEqual(after.order.carrier, "colissimo", "carrier mapping applied")
        XCTAssertEqual(after.order.shipBy, shipBy, "the deadline kept")
        XCTAssertEqual(after.raw, Data("r".utf8))
        XCTAssertNil(try store.order(Fixture.ref("7")), "stored under the stored ref only")
        XCTAssertEqual(try store.history(Fixture.ref("FR/7")).map(\.to), ["awaiting_shipment", "shipped"])
        XCTAssertEqual(try store.mark(.staleRefresh, channel: "bm-eu"), Timestamp.format(now))
    }

    func testAnOrderThatCannotBeReReadIsLoggedAndDoesNotStopTheOthers() async throws {
        for id in ["1", "2", "3"] {
            let order = Fixture.order(id, status: .awaitingShipment, shippingMethod: "Colissimo")
            try ingest().store(OrderPage(orders: [FetchedOrder(order: order, raw: Data())]), now: Fixture.t0)
        }
        var connector = ScriptedConnector(reads: ["3": FetchedOrder(order: Fixture.order("3", status: .shipped, channelStatus: "4",
                                                                                         shippingMethod: "Colissimo"), raw: Data())])
        connector.failures["1"] = ChannelError(.permanent, operation: "get order 1", message: "order payload not understood")
        let logs = InMemoryLogHandler()
        let now = Fixture.t0.addingTimeInterval(7 * 86_400)
        let poller = Poller(connector: connector, ingest: ingest(), interval: 60, logger: Logger(level: .debug, handler: logs), onCycle: {})
        let read = try await poller.refreshStaleOrders(now: now)
        XCTAssertEqual(read, ["3"])
        XCTAssertEqual(try store.order(Fixture.ref("3"))?.order.status, .shipped, "the orders after the failing one are read")
        XCTAssertEqual(logs.entries.map(\.message).filter { $0.hasPrefix("open order") }.sorted(),
                       ["open order no longer found", "open order not re-read"])
        XCTAssertEqual(try store.mark(.staleRefresh, channel: "bm-eu"), Timestamp.format(now), "the day's re-read is done")

        // A retryable failure fails the cycle: the re-read is tried again at the next poll.
        try store.setMark(.staleRefresh, Timestamp.format(Fixture.t0), channel: "bm-eu")
        connector.failures["2"] = ChannelError(.retryable(retryAfter: nil), operation: "get order 2", message: "timed out")
        let retrying = Poller(connector: connector, ingest: ingest(), interval: 60, logger: .discarding, onCycle: {})
        do {
            try await retrying.refreshStaleOrders(now: now)
            XCTFail("a retryable failure must fail the cycle")
        } catch let error as ChannelError {
            XCTAssertTrue(error.isRetryable)
        }
        XCTAssertEqual(try store.mark(.staleRefresh, channel: "bm-eu"), Timestamp.format(Fixture.t0))
    }

    /// A window channel's daily re-read takes the open orders created before its window, but not those first
    /// stored within the day: a walk listed them then (and their stored JSON is not parsed to find out).
    func testOrdersFirstStoredWithinTheDayAreNotReReadByTheirCreationDate() async throws {
        let now = Fixture.t0.addingTimeInterval(30 * 86_400)
        for (id, stored) in [("old", now.addingTimeInterval(-3 * 86_400)), ("fresh", now.addingTimeInterval(-3600))] {
            var order = Fixture.order(id, status: .awaitingShipment, shippingMethod: "Colissimo")
            order.createdAt = now.addingTimeInterval(-20 * 86_400)  // before the 10-day window
            try ingest().store(OrderPage(orders: [FetchedOrder(order: order, raw: Data())]), now: stored)
        }
        let reads = Dictionary(uniqueKeysWithValues: ["old", "fresh"].map {
            ($0, FetchedOrder(order: Fixture.order($0, status: .shipped, channelStatus: "4", shippingMethod: "Colissimo"), raw: Data()))
        })
        let connector = WindowConnector(base: ScriptedConnector(reads: reads), walkReachDays: 10)
        let poller = Poller(connector: connector, ingest: ingest(), interval: 60, logger: .discarding, onCycle: {})
        let read = try await poller.refreshStaleOrders(now: now)
        XCTAssertEqual(read, ["old"])
        XCTAssertEqual(try store.order(Fixture.ref("fresh"))?.order.status, .awaitingShipment)
    }

    func testAPushResultIsStoredThroughIngestWithTheJobsCompletion() async throws {
        let pending = Fixture.order("9", status: .awaitingAcceptance, channelStatus: "1", shippingMethod: "Colissimo")
        try ingest().store(OrderPage(orders: [FetchedOrder(order: pending, raw: Data())]), now: Fixture.t0)
        let acceptBy = try XCTUnwrap(try store.known(Fixture.ref("9"))?.acceptBy)
        guard case .queued(let id) = try store.enqueue(Fixture.ref("9"), kind: .accept, dedupeKey: "accept",
                                                       payload: JobPayload(), now: Fixture.t0) else { return XCTFail() }
        var accepted = Fixture.order("9", status: .awaitingShipment, channelStatus: "3", shippingMethod: "Colissimo")
        accepted.ref = OrderRef(channel: "bm-eu", externalID: "9-as-listed")
        let connector = ScriptedConnector(reads: [:], pushed: FetchedOrder(order: accepted, raw: Data("p".utf8)))
        let pusher = Pusher(connector: connector, ingest: ingest(shipWithinHours: 24), logger: .discarding)
        let now = Fixture.t0.addingTimeInterval(3600)
        try await pusher.process(try XCTUnwrap(try store.job(id: id)), now: now)

        let after = try XCTUnwrap(try store.order(Fixture.ref("9")))
        XCTAssertEqual(after.order.status, .awaitingShipment)
        XCTAssertEqual(after.order.carrier, "colissimo", "carrier mapping applied")
        XCTAssertEqual(after.order.acceptBy, acceptBy, "the acceptance deadline kept")
        XCTAssertEqual(after.order.acceptedAt, now)
        XCTAssertEqual(after.order.shipBy, now.addingTimeInterval(24 * 3600), "ship_within_hours from acceptance")
        XCTAssertEqual(try store.history(Fixture.ref("9")).map(\.to), ["awaiting_acceptance", "awaiting_shipment"])
        XCTAssertNil(try store.order(OrderRef(channel: "bm-eu", externalID: "9-as-listed")))
        XCTAssertEqual(try store.job(id: id)?.state, .done)
    }
}

/// A connector answering reads by id from a table and every push with one refreshed order.
struct ScriptedConnector: ChannelConnector {
    var id = "bm-eu"
    var capabilities = ChannelCapabilities(hasAcceptStep: true, shipsPerLine: false, recordsIMEI: false, needsCarrierName: false)
    var reads: [String: FetchedOrder]
    var pushed: FetchedOrder?
    /// Reads by id that fail with this error.
    var failures: [String: ChannelError] = [:]

    init(reads: [String: FetchedOrder], pushed: FetchedOrder? = nil) { self.reads = reads; self.pushed = pushed }

    func poll(cursor: String?, now: Date, deliver: @Sendable (OrderPage) async throws -> Void) async throws -> String { cursor ?? "" }
    func fetchOrder(externalID: String) async throws -> FetchedOrder? {
        if let failure = failures[externalID] { throw failure }
        return reads[externalID]
    }
    func push(_ job: Job, order: Order) async throws -> PushResult { PushResult(outcome: .pushed("ok"), refreshed: pushed) }
}

/// ``ScriptedConnector`` as a channel whose walk lists only a recent window.
struct WindowConnector: ListsARecentWindow {
    var base: ScriptedConnector
    var walkReachDays: Int
    var id: String { base.id }
    var capabilities: ChannelCapabilities { base.capabilities }
    func poll(cursor: String?, now: Date, deliver: @Sendable (OrderPage) async throws -> Void) async throws -> String {
        try await base.poll(cursor: cursor, now: now, deliver: deliver)
    }
    func fetchOrder(externalID: String) async throws -> FetchedOrder? { try await base.fetchOrder(externalID: externalID) }
    func push(_ job: Job, order: Order) async throws -> PushResult { try await base.push(job, order: order) }
}

/// The page cache widens while a poll stores a large batch, and narrows when it ends.
final class PageCacheWideningTests: StoreTestCase {
    func testTheDatabaseCacheWidensWhileAnyHolderRemains() throws {
        let db = store.db
        XCTAssertEqual(try db.pageCacheKiB(), Database.restingCacheKiB)
        db.widenPageCache()
        XCTAssertEqual(try db.pageCacheKiB(), Database.wideCacheKiB)
        db.widenPageCache()
        db.narrowPageCache()
        XCTAssertEqual(try db.pageCacheKiB(), Database.wideCacheKiB, "one holder left")
        db.narrowPageCache()
        XCTAssertEqual(try db.pageCacheKiB(), Database.restingCacheKiB)
        db.narrowPageCache()
        db.widenPageCache()
        XCTAssertEqual(try db.pageCacheKiB(), Database.wideCacheKiB, "an extra narrowing is not carried over")
        db.narrowPageCache()
        XCTAssertEqual(try db.pageCacheKiB(), Database.restingCacheKiB)
    }

    /// A poller over ``PagedConnector`` whose cache widens after `threshold` orders, and the sizes it saw.
    private func pagedPoller(pages: Int, perPage: Int, failAtEnd: Bool, threshold: Int) -> (Poller, CacheSizes) {
        let seen = CacheSizes()
        let connector = PagedConnector(pages: pages, perPage: perPage, failAtEnd: failAtEnd, database: store.db, seen: seen)
        let ingest = Ingest(store: store, channelID: "bm-eu", autoAccept: false, rules: [], shipWithinHours: nil, logger: .discarding)
        var poller = Poller(connector: connector, ingest: ingest, interval: 60, logger: .discarding, onCycle: {})
        poller.largeImportOrders = threshold
        return (poller, seen)
    }

    func testAPollWidensTheCacheOnceItHasDeliveredEnoughOrdersAndNarrowsItAtTheEnd() async throws {
        let (poller, seen) = pagedPoller(pages: 4, perPage: 3, failAtEnd: false, threshold: 6)
        try await poller.pollOnce(now: Fixture.t0)
        // Before each page is delivered: 0, 3, 6 and 9 orders delivered so far.
        XCTAssertEqual(seen.values, [256, 256, 4096, 4096])
        XCTAssertEqual(try store.db.pageCacheKiB(), Database.restingCacheKiB, "narrowed when the poll ended")
        XCTAssertEqual(try store.db.query("SELECT COUNT(*) AS n FROM orders").first?.int("n"), 12)
    }

    func testAFailedPollNarrowsTheCacheToo() async throws {
        let (poller, seen) = pagedPoller(pages: 3, perPage: 5, failAtEnd: true, threshold: 5)
        do {
            try await poller.pollOnce(now: Fixture.t0)
            XCTFail("the poll should fail")
        } catch {}
        XCTAssertEqual(seen.values, [256, 4096, 4096])
        XCTAssertEqual(try store.db.pageCacheKiB(), Database.restingCacheKiB)
    }
}

final class CacheSizes: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Int] = []
    func add(_ value: Int) { lock.withLock { stored.append(value) } }
    var values: [Int] { lock.withLock { stored } }
}

/// Delivers `pages` pages of `perPage` new orders, noting the page cache's size before each one.
struct PagedConnector: ChannelConnector {
    var id = "bm-eu"
    var capabilities = ChannelCapabilities(hasAcceptStep: true, shipsPerLine: false, recordsIMEI: false, needsCarrierName: false)
    let pages: Int
    let perPage: Int
    let failAtEnd: Bool
    let database: Database
    let seen: CacheSizes

    func poll(cursor: String?, now: Date, deliver: @Sendable (OrderPage) async throws -> Void) async throws -> String {
        for page in 0..<pages {
            seen.add(try database.pageCacheKiB())
            let orders = (0..<perPage).map { FetchedOrder(order: Fixture.order("P\(page)-\($0)"), raw: Data()) }
            try await deliver(OrderPage(orders: orders))
        }
        if failAtEnd { throw ChannelError(.retryable(retryAfter: nil), operation: "list orders", message: "cut off") }
        return "done"
    }
    func fetchOrder(externalID: String) async throws -> FetchedOrder? { nil }
    func push(_ job: Job, order: Order) async throws -> PushResult { PushResult(outcome: .pushed("ok"), refreshed: nil) }
}
