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
    public func pendingAcceptances(channel: String? = nil) throws -> [PendingAcceptance] {
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
    }

    /// Writes the daemon's heartbeat (a write: it proves the database accepts writes).
    public func heartbeat(now: Date = Date()) throws {
        try db.execute("INSERT INTO daemon_state (key, value) VALUES ('heartbeat', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                       [Store.time(now)])
    }

    /// The last heartbeat of a running daemon.
    public func lastHeartbeat() throws -> Date? {
        try db.query("SELECT value FROM daemon_state WHERE key = 'heartbeat'").first.flatMap { Store.date($0, "value") }
    }
}
