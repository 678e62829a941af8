import Foundation

/// The project's persistent state over one SQLite database: the order store (orders, their history,
/// quarantined payloads, deadlines) with its two neighbours over the same connection, the ``JobQueue``
/// and the ``ChannelState`` (whose calls it also answers). Safe to share between tasks
/// and between processes (the daemon and the CLI use the same file at the same time).
public final class Store: Sendable {
    /// The connection; outside the store, writes that must land together go through `transaction`.
    let db: Database
    /// The outbound queue, over the same database.
    public let jobQueue: JobQueue
    /// Cursors, marks, polling health and heartbeat, over the same database.
    public let channelState: ChannelState

    /// Opens `state_dir/ordersync.sqlite3` (or any path) and applies pending migrations.
    public init(path: String) throws {
        db = try Database(path: path)
        db.onJobsCommitted = { JobWake.touch(databasePath: path) }
        jobQueue = JobQueue(db: db)
        channelState = ChannelState(db: db)
        try Migrations.run(on: db)
    }

    /// Runs `body` in one write transaction: every store call inside it commits together, and any throw
    /// rolls all of them back and is rethrown. Nested calls join the outer transaction.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try db.inTransaction(body)
    }

    /// The database file inside a state directory.
    public static func path(inStateDir dir: String) -> String {
        (dir as NSString).appendingPathComponent("ordersync.sqlite3")
    }

    static func time(_ date: Date) -> SQLValue { .text(millis(date)) }

    static func millis(_ date: Date) -> String { recentTime.text(date) }

    /// A page's rows all carry the page's `now`, two or three times each (first seen, changed, history):
    /// formatted once, not each time (1.2 % of a backlog import's instructions, issue 17).
    static let recentTime = RecentTimeText()
    static func date(_ row: Row, _ column: String) -> Date? { row.string(column).flatMap { Timestamp.parse($0) } }
}

/// The outcome of storing one order.
public enum UpsertOutcome: Sendable, Equatable {
    /// First time seen.
    case inserted
    /// Content changed; `previous` is the status before.
    case updated(previous: OrderStatus)
    /// Same content hash: nothing written.
    case unchanged
}

/// An order as stored, with its last raw payload.
public struct StoredOrder: Sendable {
    public var order: Order
    public var raw: Data?
    public var firstSeenAt: Date
}

extension Store {
    /// Stores `order` unless its content hash equals the stored one. Keeps `raw` as the last payload and
    /// records a status change in the history. Call inside a transaction to batch a page.
    public func upsert(_ order: Order, raw: Data?, now: Date = Date()) throws -> UpsertOutcome {
        try upsert(order, raw: raw, now: now, stored: try known(order.ref))
    }

    /// ``upsert(_:raw:now:)`` when the caller has just read the row with ``known(_:)`` (`stored`, nil when
    /// there is none) in this transaction: a second lookup of the same key was one index descent per order
    /// more (issue 17).
    /// `encoded`: the order's stored JSON and content hash when the caller has them already.
    func upsert(_ order: Order, raw: Data?, now: Date, stored existing: KnownOrder?,
                encoded: (json: Data, hash: String)? = nil) throws -> UpsertOutcome {
        // The content hash is the one answer to "did this order change?".
        let json = try encoded?.json ?? OrderCoding.storedJSON(order)
        let hash = encoded?.hash ?? ContentHash.hex(json)
        let acceptBy: SQLValue = order.acceptBy.map(Store.time) ?? .null
        let shipBy: SQLValue = order.shipBy.map(Store.time) ?? .null
        let acceptedAt: SQLValue = order.acceptedAt.map(Store.time) ?? .null
        if let existing {
            if existing.contentHash == hash { return .unchanged }
            let previous = OrderStatus(rawValue: existing.status ?? "") ?? .onHold
            try db.execute("""
                UPDATE orders SET status = ?, channel_status = ?, content_hash = ?, order_json = ?, raw = ?,
                    accept_by = ?, ship_by = COALESCE(ship_by, ?), accepted_at = COALESCE(accepted_at, ?), changed_at = ?
                    WHERE channel = ? AND external_id = ?
                """, [.text(order.status.rawValue), .text(order.channelStatus), .text(hash), .blob(json),
                      raw.map { .blob($0) } ?? .null, acceptBy, shipBy, acceptedAt, Store.time(now),
                      .text(order.ref.channel), .text(order.ref.externalID)])
            if previous != order.status {
                try recordHistory(order, from: previous, now: now)
            }
            return .updated(previous: previous)
        }
        try db.execute("""
            INSERT INTO orders (channel, external_id, status, channel_status, content_hash, order_json, raw,
                accept_by, first_seen_at, changed_at, site, ship_by, accepted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(order.ref.channel), .text(order.ref.externalID), .text(order.status.rawValue),
                  .text(order.channelStatus), .text(hash), .blob(json), raw.map { .blob($0) } ?? .null,
                  acceptBy, Store.time(now), Store.time(now), order.site.map { .text($0) } ?? .null, shipBy, acceptedAt])
        try recordHistory(order, from: nil, now: now)
        return .inserted
    }

    private func recordHistory(_ order: Order, from: OrderStatus?, now: Date) throws {
        try db.execute("""
            INSERT INTO order_history (channel, external_id, at, from_status, to_status, channel_status)
            VALUES (?, ?, ?, ?, ?, ?)
            """, [.text(order.ref.channel), .text(order.ref.externalID), Store.time(now),
                  from.map { .text($0.rawValue) } ?? .null, .text(order.status.rawValue), .text(order.channelStatus)])
    }

    /// One order with its shipments (derived from ship jobs) and last raw payload; nil if unknown.
    public func order(_ ref: OrderRef) throws -> StoredOrder? {
        guard let row = try db.query(
            "SELECT order_json, raw, first_seen_at FROM orders WHERE channel = ? AND external_id = ?",
            [.text(ref.channel), .text(ref.externalID)]).first,
            let json = row.data("order_json") else { return nil }
        var order = try OrderCoding.decode(json)
        order.shipments = try jobQueue.shipments(for: ref)
        let kept = try returns(ref: ref).map(\.value)
        if !kept.isEmpty { order.returns = kept }
        return StoredOrder(order: order, raw: row.data("raw"), firstSeenAt: Store.date(row, "first_seen_at") ?? Date())
    }

    /// What a stored order keeps across fetches: its site and its deadlines.
    public struct KnownOrder: Sendable, Equatable {
        public var site: String?
        public var acceptBy: Date?
        public var shipBy: Date?
        public var acceptedAt: Date?
        /// The stored status and content hash (what ``upsert(_:raw:now:)`` compares with).
        var status: String?
        var contentHash: String?
    }

    /// The stored site, deadlines and acceptance time of an order, or nil if unknown.
    public func known(_ ref: OrderRef) throws -> KnownOrder? {
        guard let row = try db.query("""
            SELECT site, accept_by, ship_by, accepted_at, status, content_hash FROM orders WHERE channel = ? AND external_id = ?
            """, [.text(ref.channel), .text(ref.externalID)]).first else { return nil }
        return Store.knownOrder(row)
    }

    /// ``known(_:)`` for many orders at once: one statement per channel and 100 ids, instead of one per
    /// order (a page's lookups, issue 17). Orders not stored are absent from the result.
    public func known(_ refs: [OrderRef]) throws -> [OrderRef: KnownOrder] {
        var found: [OrderRef: KnownOrder] = [:]
        for (channel, group) in Dictionary(grouping: refs, by: \.channel) {
            var ids = Array(Set(group.map(\.externalID)))[...]
            while !ids.isEmpty {
                let chunk = ids.prefix(Store.knownChunk)
                ids = ids.dropFirst(chunk.count)
                // Always 100 placeholders (NULL never matches): one statement in the cache, whatever the count.
                let padding = [SQLValue](repeating: .null, count: Store.knownChunk - chunk.count)
                for row in try db.query(Store.knownManySQL, [.text(channel)] + chunk.map { .text($0) } + padding) {
                    guard let id = row.string("external_id") else { continue }
                    found[OrderRef(channel: channel, externalID: id)] = Store.knownOrder(row)
                }
            }
        }
        return found
    }

    static let knownChunk = 100
    static let knownManySQL = """
        SELECT external_id, site, accept_by, ship_by, accepted_at, status, content_hash FROM orders
        WHERE channel = ?1 AND external_id IN (\((2...(knownChunk + 1)).map { "?\($0)" }.joined(separator: ", ")))
        """

    static func knownOrder(_ row: Row) -> KnownOrder {
        KnownOrder(site: row.string("site"), acceptBy: Store.date(row, "accept_by"),
                   shipBy: Store.date(row, "ship_by"), acceptedAt: Store.date(row, "accepted_at"),
                   status: row.string("status"), contentHash: row.string("content_hash"))
    }

    /// Orders, newest first, optionally filtered by channel and status.
    public func orders(channel: String? = nil, status: OrderStatus? = nil, limit: Int = 1_000_000) throws -> [Order] {
        var sql = "SELECT order_json FROM orders WHERE 1 = 1"
        var args: [SQLValue] = []
        if let channel { sql += " AND channel = ?"; args.append(.text(channel)) }
        if let status { sql += " AND status = ?"; args.append(.text(status.rawValue)) }
        sql += " ORDER BY first_seen_at DESC, external_id DESC LIMIT ?"
        args.append(.int(Int64(limit)))
        let shipmentsByRef = try jobQueue.allShipments(channel: channel)
        let returnsByRef = Dictionary(grouping: try returns(channel: channel), by: \.ref)
        return try db.query(sql, args).compactMap { row in
            guard let json = row.data("order_json") else { return nil }
            var order = try OrderCoding.decode(json)
            order.shipments = shipmentsByRef[order.ref] ?? []
            if let kept = returnsByRef[order.ref] { order.returns = kept.map(\.value) }
            return order
        }
    }

    /// Status history of an order, oldest first.
    public func history(_ ref: OrderRef) throws -> [(at: Date, from: String?, to: String, channelStatus: String)] {
        try db.query("""
            SELECT at, from_status, to_status, channel_status FROM order_history
            WHERE channel = ? AND external_id = ? ORDER BY id
            """, [.text(ref.channel), .text(ref.externalID)]).map {
            (Store.date($0, "at") ?? Date(), $0.string("from_status"), $0.string("to_status") ?? "", $0.string("channel_status") ?? "")
        }
    }

    /// Number of orders per channel.
    public func orderCounts() throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try db.query("SELECT channel, COUNT(*) AS n FROM orders GROUP BY channel") {
            counts[row.string("channel") ?? ""] = row.int("n") ?? 0
        }
        return counts
    }

    /// Keeps a payload that could not be normalized, with the reason, for later inspection. The same
    /// payload seen again (every walk lists it) is kept once; returns whether it was new.
    @discardableResult
    public func quarantine(channel: String, externalID: String?, reason: String, raw: Data?, now: Date = Date()) throws -> Bool {
        let rawValue: SQLValue = raw.map { .blob($0) } ?? .null
        if try !db.query("SELECT 1 FROM quarantine WHERE channel = ? AND external_id IS ? AND reason = ? AND raw IS ? LIMIT 1",
                         [.text(channel), externalID.map { .text($0) } ?? .null, .text(reason), rawValue]).isEmpty {
            return false
        }
        try db.execute("INSERT INTO quarantine (channel, external_id, reason, raw, at) VALUES (?, ?, ?, ?, ?)",
                       [.text(channel), externalID.map { .text($0) } ?? .null, .text(reason), rawValue, Store.time(now)])
        return true
    }

    /// Number of quarantined payloads per channel.
    public func quarantineCounts() throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try db.query("SELECT channel, COUNT(*) AS n FROM quarantine GROUP BY channel") {
            counts[row.string("channel") ?? ""] = row.int("n") ?? 0
        }
        return counts
    }
}

/// The text of the last time formatted (``Timestamp/formatMillis(_:)``), kept for the next call with the
/// same time.
final class RecentTimeText: @unchecked Sendable {
    private let lock = NSLock()
    private var seconds = Double.nan
    private var formatted = ""

    func text(_ date: Date) -> String {
        let value = date.timeIntervalSince1970
        if let hit = lock.withLock({ seconds == value ? formatted : nil }) { return hit }
        let text = Timestamp.formatMillis(date)
        lock.withLock { (seconds, formatted) = (value, text) }
        return text
    }
}

