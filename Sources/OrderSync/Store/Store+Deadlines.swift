import Foundation

/// An order waiting for acceptance, with its deadline and what has been logged about it.
public struct PendingAcceptance: Sendable {
    public var ref: OrderRef
    public var acceptBy: Date
    public var warned: Bool
    public var missed: Bool
}

extension Store {
    /// Orders awaiting acceptance that carry a deadline, soonest first.
    ///
    /// Performance: the heartbeat (every 2 s) and the deadline watch (every 5 s) both read every waiting
    /// order; when no `orders` row has changed since the last read, the last answer is returned. Changes
    /// are seen through `ordersVersion` (bumped by this process's writes to `orders`, after them) and
    /// `PRAGMA data_version` (commits by other connections: the CLI).
    public func pendingAcceptances(channel: String? = nil) throws -> [PendingAcceptance] {
        // Not inside a transaction: its writes could still roll back after being cached.
        guard channel == nil, !db.isInTransaction else { return try readPendingAcceptances(channel: channel) }
        let key = [ordersVersion.value, try dataVersion()]
        if let cached = ordersVersion.cachedPending(for: key) { return cached }
        let pending = try readPendingAcceptances(channel: nil)
        ordersVersion.cachePending(pending, for: key)
        return pending
    }

    private func readPendingAcceptances(channel: String?) throws -> [PendingAcceptance] {
        var sql = """
            SELECT channel, external_id, accept_by, deadline_warned_at, deadline_missed_at FROM orders
            WHERE status = 'awaiting_acceptance' AND accept_by IS NOT NULL
            """
        var args: [SQLValue] = []
        if let channel { sql += " AND channel = ?"; args.append(.text(channel)) }
        return try db.query(sql + " ORDER BY accept_by", args).compactMap { row in
            guard let by = Store.date(row, "accept_by") else { return nil }
            return PendingAcceptance(ref: OrderRef(channel: row.string("channel") ?? "", externalID: row.string("external_id") ?? ""),
                                     acceptBy: by, warned: row.string("deadline_warned_at") != nil,
                                     missed: row.string("deadline_missed_at") != nil)
        }
    }

    /// Records that the 75 % warning (or the missed-deadline error) was logged, so it is logged once.
    public func markDeadline(_ ref: OrderRef, missed: Bool, now: Date = Date()) throws {
        let column = missed ? "deadline_missed_at" : "deadline_warned_at"
        try db.execute("UPDATE orders SET \(column) = ? WHERE channel = ? AND external_id = ?",
                       [Store.time(now), .text(ref.channel), .text(ref.externalID)])
        ordersVersion.bump()
    }
}

/// Counts this process's writes to `orders` and keeps the last `pendingAcceptances()` answer with the
/// versions it was read at. Thread-safe.
final class OrdersVersion: @unchecked Sendable {
    private let lock = NSLock()
    private var version = 0
    private var pending: (key: [Int], value: [PendingAcceptance])?

    var value: Int { lock.withLock { version } }

    /// Call after every write to `orders` (even one that may roll back: a spurious bump only costs a re-read).
    func bump() { lock.withLock { version += 1 } }

    func cachedPending(for key: [Int]) -> [PendingAcceptance]? {
        lock.withLock { pending.flatMap { $0.key == key ? $0.value : nil } }
    }

    func cachePending(_ value: [PendingAcceptance], for key: [Int]) {
        lock.withLock { pending = (key, value) }
    }
}
