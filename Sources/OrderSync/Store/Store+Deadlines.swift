import Foundation

/// An order waiting for acceptance, with its deadline and what has been logged about it.
public struct PendingAcceptance: Sendable {
    public var ref: OrderRef
    public var acceptBy: Date
    public var warned: Bool
    public var missed: Bool
}

/// Per channel: orders awaiting acceptance whose deadline falls within the next hours / has passed.
public struct AcceptanceDeadlineCounts: Sendable, Equatable {
    public var dueSoon = 0
    public var overdue = 0
}

extension PendingAcceptance {
    /// From an `orders` row with `external_id`, `accept_by` and the two deadline marks; nil without `accept_by`.
    init?(_ row: Row, channel: String) {
        guard let by = Store.date(row, "accept_by") else { return nil }
        self.init(ref: OrderRef(channel: channel, externalID: row.string("external_id") ?? ""), acceptBy: by,
                  warned: row.string("deadline_warned_at") != nil, missed: row.string("deadline_missed_at") != nil)
    }
}

extension Store {
    /// Orders awaiting acceptance with something to log: the 75 % warning (of `windows[channel]` hours) come
    /// and not yet logged, or the deadline passed and the error not yet logged; soonest first, at most
    /// `limit`. Each comes back until it is marked (``markDeadline(_:missed:now:)``), so a caller takes
    /// batches until one is short. Channels without a window are not read.
    ///
    /// Memory and time: only those rows are read, a batch at a time, through `orders_accept_unmarked`, a
    /// partial index of the waiting orders whose missed-deadline error is not logged yet. Through
    /// `(status, accept_by)`, every look read again each order already marked before reaching the next
    /// one: in the 100k backlog, all overdue, the watch was 11 % of the daemon's CPU (issue 17).
    /// The watch used to read every waiting order every few seconds (94,000 in the 100k backlog: about
    /// 18 MB held between looks, and ~100 MB at once when they were all overdue).
    public func acceptancesToMark(now: Date, windows: [String: Int], limit: Int = 500) throws -> [PendingAcceptance] {
        var due: [PendingAcceptance] = []
        for (channel, hours) in windows.sorted(by: { $0.key < $1.key }) {
            let horizon = now.addingTimeInterval(0.25 * Double(hours) * 3600)
            for row in try db.query(Store.acceptancesToMarkSQL,
                                    [Store.time(horizon), .text(channel), Store.time(now), .int(Int64(limit))]) {
                if let pending = PendingAcceptance(row, channel: channel) { due.append(pending) }
            }
        }
        return Array(due.sorted { $0.acceptBy < $1.acceptBy }.prefix(limit))
    }

    /// ``acceptancesToMark(now:windows:limit:)``'s query: ?1 the warning horizon, ?2 the channel, ?3 now, ?4
    /// the limit. Its WHERE implies `orders_accept_unmarked`'s, so SQLite can read through that index.
    static let acceptancesToMarkSQL = """
        SELECT external_id, accept_by, deadline_warned_at, deadline_missed_at FROM orders
        WHERE status = 'awaiting_acceptance' AND deadline_missed_at IS NULL AND accept_by IS NOT NULL
        AND channel = ?2 AND accept_by <= ?1 AND (accept_by <= ?3 OR deadline_warned_at IS NULL)
        ORDER BY accept_by LIMIT ?4
        """

    /// Orders of `channels` still awaiting acceptance after their deadline, in (channel, id) order after
    /// `after`, at most `limit`: the watch repeats their alert, reading them a page at a time.
    public func overdueAcceptances(now: Date, channels: [String], after: OrderRef? = nil, limit: Int = 500) throws -> [PendingAcceptance] {
        guard !channels.isEmpty else { return [] }
        let start = after ?? OrderRef(channel: "", externalID: "")
        let list = (0..<channels.count).map { "?\($0 + 5)" }.joined(separator: ", ")
        return try db.query("""
            SELECT channel, external_id, accept_by, deadline_warned_at, deadline_missed_at FROM orders
            WHERE (channel, external_id) > (?1, ?2) AND channel IN (\(list))
            AND status = 'awaiting_acceptance' AND accept_by IS NOT NULL AND accept_by <= ?3
            ORDER BY channel, external_id LIMIT ?4
            """, [.text(start.channel), .text(start.externalID), Store.time(now), .int(Int64(limit))] + channels.sorted().map { .text($0) })
            .compactMap { PendingAcceptance($0, channel: $0.string("channel") ?? "") }
    }

    /// Per channel, orders awaiting acceptance due within `within` of `now` (not yet passed) and overdue,
    /// counted by SQLite (stored times are fixed-width UTC text, so text order is time order).
    public func acceptanceDeadlineCounts(now: Date = Date(), within: TimeInterval = 6 * 3600) throws -> [String: AcceptanceDeadlineCounts] {
        var counts: [String: AcceptanceDeadlineCounts] = [:]
        for row in try db.query("""
            SELECT channel, SUM(accept_by <= ?1) AS overdue, SUM(accept_by > ?1) AS due_soon FROM orders
            WHERE status = 'awaiting_acceptance' AND accept_by IS NOT NULL AND accept_by <= ?2
            GROUP BY channel
            """, [Store.time(now), Store.time(now.addingTimeInterval(within))]) {
            counts[row.string("channel") ?? ""] = AcceptanceDeadlineCounts(dueSoon: row.int("due_soon") ?? 0,
                                                                           overdue: row.int("overdue") ?? 0)
        }
        return counts
    }

    /// Records that the 75 % warning (or the missed-deadline error) was logged, so it is logged once.
    public func markDeadline(_ ref: OrderRef, missed: Bool, now: Date = Date()) throws {
        try markDeadlines([(ref, missed)], now: now)
    }

    /// ``markDeadline(_:missed:now:)`` for many orders, in one transaction (a batch of the watch: one
    /// commit instead of one per order).
    public func markDeadlines(_ marks: [(ref: OrderRef, missed: Bool)], now: Date = Date()) throws {
        try writeDeadlineMarks(marks, missedColumn: "deadline_missed_at", warnedColumn: "deadline_warned_at", now: now)
    }

    /// Sets `missedColumn` or `warnedColumn` of each order to `now`, all in one transaction (acceptance and
    /// shipping deadlines alike).
    func writeDeadlineMarks(_ marks: [(ref: OrderRef, missed: Bool)], missedColumn: String, warnedColumn: String, now: Date) throws {
        guard !marks.isEmpty else { return }
        // Each statement's text once per batch, not once per order.
        let missedSQL = "UPDATE orders SET \(missedColumn) = ? WHERE channel = ? AND external_id = ?"
        let warnedSQL = "UPDATE orders SET \(warnedColumn) = ? WHERE channel = ? AND external_id = ?"
        let at = Store.time(now)
        try db.inTransaction {
            for mark in marks {
                try db.execute(mark.missed ? missedSQL : warnedSQL, [at, .text(mark.ref.channel), .text(mark.ref.externalID)])
            }
        }
    }
}
