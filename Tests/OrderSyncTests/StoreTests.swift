import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// `Store` and `Database` over a fresh temporary SQLite file per test.
final class StoreTests: StoreTestCase {
    let t0 = Fixture.t0

    // MARK: Database

    func testDatabaseIsInWALModeWithForeignKeys() throws {
        XCTAssertEqual(try store.db.query("PRAGMA journal_mode").first?.string("journal_mode"), "wal")
        XCTAssertEqual(try store.db.query("PRAGMA foreign_keys").first?.int("foreign_keys"), 1)
        // A second connection sees WAL as the file's persistent mode.
        let second = try temp.open()
        XCTAssertEqual(try second.db.query("PRAGMA journal_mode").first?.string("journal_mode"), "wal")
        XCTAssertTrue(FileManager.default.fileExists(atPath: temp.path + "-wal"))
    }

    func testPathInStateDir() {
        XCTAssertEqual(Store.path(inStateDir: "/var/lib/ordersync"), "/var/lib/ordersync/ordersync.sqlite3")
        XCTAssertEqual(Store.path(inStateDir: "/var/lib/ordersync/"), "/var/lib/ordersync/ordersync.sqlite3")
    }

    func testMigrationsAreRecordedOnceAndIdempotentOnReopen() throws {
        let names = { (s: Store) in try s.db.query("SELECT name FROM schema_migrations ORDER BY rowid").compactMap { $0.string("name") } }
        let schema = { (s: Store) in
            try s.db.query("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
                .map { "\($0.string("type") ?? "") \($0.string("name") ?? ""): \($0.string("sql") ?? "")" }
        }
        XCTAssertEqual(try names(store), Migrations.all.map(\.name), "applied once each, in order")
        let before = try schema(store)
        let tables = Set(try store.db.query("SELECT name FROM sqlite_master WHERE type = 'table'").compactMap { $0.string("name") })
        XCTAssertTrue(tables.isSuperset(of: ["channel_state", "cursors", "jobs", "order_history", "orders", "quarantine",
                                             "schema_migrations"]), "\(tables)")
        _ = try store.upsert(Fixture.order(), raw: Data("{}".utf8), now: t0)
        store = nil
        let reopened = try temp.open()
        let again = try temp.open()
        XCTAssertEqual(try names(reopened), Migrations.all.map(\.name))
        XCTAssertEqual(try names(again), Migrations.all.map(\.name))
        XCTAssertEqual(try schema(again), before, "reopening changes no schema")
        XCTAssertEqual(try reopened.orderCounts(), ["bm-eu": 1], "data survives reopening")
        // Running the migrator again on an open connection is a no-op too.
        XCTAssertNoThrow(try Migrations.run(on: reopened.db))
        XCTAssertEqual(try names(reopened).count, Migrations.all.count)
    }

    func testOpeningAFileThatIsNotADatabaseFailsAsCorrupt() throws {
        let path = temp.directory.appendingPathComponent("garbage.sqlite3").path
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try Store(path: path)) { error in
            XCTAssertEqual((error as? StoreError)?.kind, .corrupt)
        }
    }

    func testOpeningInAMissingDirectoryFailsAsCannotOpen() {
        let path = temp.directory.appendingPathComponent("missing/dir/ordersync.sqlite3").path
        XCTAssertThrowsError(try Store(path: path)) { error in
            let storeError = error as? StoreError
            XCTAssertEqual(storeError?.kind, .cannotOpen)
            XCTAssertEqual(storeError?.isTemporary, true)
            XCTAssertEqual(storeError?.operation, "open")
        }
    }

    func testTransactionRollsBackOnThrow() throws {
        struct Boom: Error {}
        XCTAssertThrowsError(try store.db.inTransaction {
            _ = try store.upsert(Fixture.order("1"), raw: nil, now: t0)
            _ = try store.enqueue(Fixture.ref("1"), kind: .accept, dedupeKey: "accept", payload: JobPayload(), now: t0)
            try store.setCursor("c1", channel: "bm-eu", now: t0)
            throw Boom()
        }) { XCTAssertTrue($0 is Boom) }
        XCTAssertNil(try store.order(Fixture.ref("1")))
        XCTAssertEqual(try store.jobs(), [])
        XCTAssertNil(try store.cursor(channel: "bm-eu"))
        XCTAssertEqual(try store.history(Fixture.ref("1")).count, 0)
        // The connection is usable afterwards, and a nested transaction joins the outer one.
        try store.db.inTransaction {
            _ = try store.upsert(Fixture.order("2"), raw: nil, now: t0)
            try store.db.inTransaction { try store.setCursor("c2", channel: "bm-eu", now: t0) }
        }
        XCTAssertNotNil(try store.order(Fixture.ref("2")))
        XCTAssertEqual(try store.cursor(channel: "bm-eu"), "c2")
    }

    func testNestedThrowRollsBackTheWholeOuterTransaction() throws {
        struct Boom: Error {}
        XCTAssertThrowsError(try store.db.inTransaction {
            try store.setCursor("outer", channel: "bm-eu", now: t0)
            try store.db.inTransaction { throw Boom() }
        })
        XCTAssertNil(try store.cursor(channel: "bm-eu"))
    }

    // MARK: Orders

    func testUpsertInsertedThenUnchangedThenUpdated() throws {
        let order = Fixture.order(status: .awaitingAcceptance, channelStatus: "1")
        XCTAssertEqual(try store.upsert(order, raw: Data("v1".utf8), now: t0), .inserted)
        XCTAssertEqual(try store.upsert(order, raw: Data("v1".utf8), now: t0.addingTimeInterval(60)), .unchanged)
        var changed = order
        changed.status = .awaitingShipment
        changed.channelStatus = "3"
        XCTAssertEqual(try store.upsert(changed, raw: Data("v2".utf8), now: t0.addingTimeInterval(120)),
                       .updated(previous: .awaitingAcceptance))
        var sameStatus = changed
        sameStatus.customerNote = "ring twice"
        XCTAssertEqual(try store.upsert(sameStatus, raw: nil, now: t0.addingTimeInterval(180)),
                       .updated(previous: .awaitingShipment))
        XCTAssertEqual(try store.order(order.ref)?.order.customerNote, "ring twice")
        XCTAssertEqual(try store.orderCounts(), ["bm-eu": 1])
    }

    func testUnchangedUpsertWritesNothing() throws {
        let order = Fixture.order()
        _ = try store.upsert(order, raw: Data("first".utf8), now: t0)
        let before = try store.db.query("SELECT changed_at, content_hash FROM orders").first
        XCTAssertEqual(try store.upsert(order, raw: Data("second".utf8), now: t0.addingTimeInterval(3600)), .unchanged)
        let after = try store.db.query("SELECT changed_at, content_hash FROM orders").first
        XCTAssertEqual(after?.string("changed_at"), before?.string("changed_at"))
        XCTAssertEqual(after?.string("changed_at"), "2026-03-10T08:30:00.000Z")
        XCTAssertEqual(after?.string("content_hash"), before?.string("content_hash"))
        XCTAssertEqual(try store.order(order.ref)?.raw, Data("first".utf8))
    }

    func testStoredOrderRoundTripsWithRawPayloadAndExtra() throws {
        var order = Fixture.order(carrier: "colissimo")
        order.extra = ["tracking_number": "6A1"]
        order.acceptBy = t0.addingTimeInterval(86_400)
        let raw = Data(#"{"order_id":40012345,"state":3}"#.utf8)
        _ = try store.upsert(order, raw: raw, now: t0)
        let stored = try XCTUnwrap(try store.order(order.ref))
        XCTAssertEqual(stored.order, order)
        XCTAssertEqual(stored.raw, raw)
        XCTAssertEqual(stored.firstSeenAt, t0)
        XCTAssertEqual(stored.order.extra, ["tracking_number": "6A1"])
        let acceptBy = try store.db.query("SELECT accept_by FROM orders").first?.string("accept_by")
        XCTAssertEqual(acceptBy, "2026-03-11T08:30:00.000Z")
        // The raw payload follows the last changed content; first_seen_at stays.
        var changed = order
        changed.status = .shipped
        _ = try store.upsert(changed, raw: Data("new".utf8), now: t0.addingTimeInterval(60))
        let updated = try XCTUnwrap(try store.order(order.ref))
        XCTAssertEqual(updated.raw, Data("new".utf8))
        XCTAssertEqual(updated.firstSeenAt, t0)
        XCTAssertEqual(updated.order.status, .shipped)
    }

    func testUnknownOrderIsNil() throws {
        XCTAssertNil(try store.order(Fixture.ref("nope")))
    }

    func testStatusHistoryRecordsInsertAndStatusChangesOnly() throws {
        var order = Fixture.order(status: .pendingPayment, channelStatus: "0")
        _ = try store.upsert(order, raw: nil, now: t0)
        order.status = .awaitingAcceptance; order.channelStatus = "1"
        _ = try store.upsert(order, raw: nil, now: t0.addingTimeInterval(60))
        order.customerNote = "content only"
        _ = try store.upsert(order, raw: nil, now: t0.addingTimeInterval(120))
        order.status = .awaitingShipment; order.channelStatus = "3"
        _ = try store.upsert(order, raw: nil, now: t0.addingTimeInterval(180))
        let history = try store.history(order.ref)
        XCTAssertEqual(history.map { $0.from }, [nil, "pending_payment", "awaiting_acceptance"])
        XCTAssertEqual(history.map { $0.to }, ["pending_payment", "awaiting_acceptance", "awaiting_shipment"])
        XCTAssertEqual(history.map { $0.channelStatus }, ["0", "1", "3"])
        XCTAssertEqual(history.map { $0.at }, [t0, t0.addingTimeInterval(60), t0.addingTimeInterval(180)])
    }

    func testOrdersFilterByChannelAndStatusNewestFirst() throws {
        _ = try store.upsert(Fixture.order("1", status: .awaitingShipment), raw: nil, now: t0)
        _ = try store.upsert(Fixture.order("2", status: .shipped), raw: nil, now: t0.addingTimeInterval(10))
        _ = try store.upsert(Fixture.order("3", status: .awaitingShipment), raw: nil, now: t0.addingTimeInterval(20))
        _ = try store.upsert(Fixture.order("9", channel: "bm-us"), raw: nil, now: t0.addingTimeInterval(30))
        XCTAssertEqual(try store.orders().map(\.ref.description), ["bm-us:9", "bm-eu:3", "bm-eu:2", "bm-eu:1"])
        XCTAssertEqual(try store.orders(channel: "bm-eu", status: .awaitingShipment).map(\.ref.externalID), ["3", "1"])
        XCTAssertEqual(try store.orders(limit: 2).count, 2)
        XCTAssertEqual(try store.orderCounts(), ["bm-eu": 3, "bm-us": 1])
    }

    func testQuarantineIsKeptAndCounted() throws {
        try store.quarantine(channel: "bm-eu", externalID: "7", reason: "missing field state", raw: Data("{}".utf8), now: t0)
        try store.quarantine(channel: "bm-eu", externalID: nil, reason: "invalid field order_id", raw: nil, now: t0)
        XCTAssertEqual(try store.quarantineCounts(), ["bm-eu": 2])
        let rows = try store.db.query("SELECT external_id, reason, raw FROM quarantine ORDER BY id")
        XCTAssertEqual(rows.map { $0.string("reason") }, ["missing field state", "invalid field order_id"])
        XCTAssertEqual(rows[0].string("external_id"), "7")
        XCTAssertNil(rows[1].string("external_id"))
        XCTAssertEqual(rows[0].data("raw"), Data("{}".utf8))
    }

    // MARK: Cursors and channel health

    func testCursorIsReplaced() throws {
        XCTAssertNil(try store.cursor(channel: "bm-eu"))
        try store.setCursor("2024-03-10T08:00:00Z", channel: "bm-eu", now: t0)
        try store.setCursor("2024-03-11T08:00:00Z", channel: "bm-eu", now: t0)
        XCTAssertEqual(try store.cursor(channel: "bm-eu"), "2024-03-11T08:00:00Z")
        XCTAssertNil(try store.cursor(channel: "other"))
    }

    func testPollHealthCountsConsecutiveErrorsAndResetsOnSuccess() throws {
        try store.recordPoll(channel: "bm-eu", success: false, error: "HTTP 503", at: t0)
        try store.recordPoll(channel: "bm-eu", success: false, error: "HTTP 429", at: t0.addingTimeInterval(60))
        var health = try XCTUnwrap(try store.channelHealth()["bm-eu"])
        XCTAssertEqual(health.consecutiveErrors, 2)
        XCTAssertEqual(health.lastError, "HTTP 429")
        XCTAssertEqual(health.failingSince, t0)
        XCTAssertEqual(health.lastAttemptAt, t0.addingTimeInterval(60))
        XCTAssertNil(health.lastSuccessAt)
        try store.recordPoll(channel: "bm-eu", success: true, at: t0.addingTimeInterval(120))
        health = try XCTUnwrap(try store.channelHealth()["bm-eu"])
        XCTAssertEqual(health.consecutiveErrors, 0)
        XCTAssertNil(health.lastError)
        XCTAssertNil(health.failingSince)
        XCTAssertEqual(health.lastSuccessAt, t0.addingTimeInterval(120))
    }

}

/// Collects errors from other threads.
final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ item: String) { lock.lock(); items.append(item); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}

/// Bound text reads back as it was written: empty, small, large, non-ASCII and with a NUL inside.
final class DatabaseBindingTests: StoreTestCase {
    func testBoundTextReadsBackWhole() throws {
        let db = store.db
        try db.execute("CREATE TABLE texts (id INTEGER PRIMARY KEY, value TEXT NOT NULL)")
        let values = ["", "a", "fifteen bytes!!", "sixteen bytes!!!", String(repeating: "long ", count: 400), "Zoë – 東京 😀",
                      "before\u{0}after", "\u{0}"]
        for (index, value) in values.enumerated() {
            try db.execute("INSERT INTO texts (id, value) VALUES (?, ?)", [.int(Int64(index)), .text(value)])
        }
        let rows = try db.query("SELECT value, length(CAST(value AS BLOB)) AS bytes FROM texts ORDER BY id")
        XCTAssertEqual(rows.map { $0.int("bytes") }, values.map { $0.utf8.count })
        XCTAssertEqual(rows.compactMap { $0.string("value") }.count, values.count)
        // Compared by SQLite itself: each value found by equality with the same bound text.
        for (index, value) in values.enumerated() {
            XCTAssertEqual(try db.query("SELECT id FROM texts WHERE value = ?", [.text(value)]).first?.int("id"), index, value)
        }
    }
}
