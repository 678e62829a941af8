import Foundation

/// Health of one channel's polling, as `status` shows it.
public struct ChannelHealth: Sendable, Codable {
    public var channel: String
    public var lastAttemptAt: Date?
    public var lastSuccessAt: Date?
    public var consecutiveErrors: Int
    public var lastError: String?
    public var failingSince: Date?
    /// The last poll failed because the channel refused the credentials (401, Spartoo −1/−2/−428).
    public var unauthorized: Bool = false
}

/// The bookkeeping a poller keeps per channel besides its cursor.
public enum ChannelMark: String, Sendable, CaseIterable {
    /// When the stale open orders were last re-read (a timestamp).
    case staleRefresh = "stale-refresh"
    /// The shipped-order follow-up's progress (``AftersaleSchedule/Progress``).
    case aftersale
}

extension Store {
    /// The opaque cursor a connector saved for a channel.
    public func cursor(channel: String) throws -> String? {
        try db.query("SELECT cursor FROM cursors WHERE channel = ?", [.text(channel)]).first?.string("cursor")
    }

    /// Saves a channel's cursor.
    public func setCursor(_ cursor: String, channel: String, now: Date = Date()) throws {
        try db.execute("""
            INSERT INTO cursors (channel, cursor, updated_at) VALUES (?, ?, ?)
            ON CONFLICT(channel) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at
            """, [.text(channel), .text(cursor), Store.time(now)])
    }

    /// A named piece of a channel's bookkeeping that is not its cursor (when the stale orders were last
    /// re-read, the shipped-order follow-up's progress), or nil if never saved.
    public func mark(_ name: ChannelMark, channel: String) throws -> String? {
        try db.query("SELECT value FROM channel_marks WHERE channel = ? AND mark = ?",
                     [.text(channel), .text(name.rawValue)]).first?.string("value")
    }

    /// Saves a channel mark.
    public func setMark(_ name: ChannelMark, _ value: String, channel: String, now: Date = Date()) throws {
        try db.execute("""
            INSERT INTO channel_marks (channel, mark, value, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT(channel, mark) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """, [.text(channel), .text(name.rawValue), .text(value), Store.time(now)])
    }

    /// Orders of a channel that are not final and have not changed since `before`: candidates for a
    /// direct re-read (a walk by modification date would never see them again).
    public func staleOpenOrders(channel: String, changedBefore before: Date, limit: Int = 500) throws -> [OrderRef] {
        let open = OrderStatus.allCases.filter { !$0.isFinal }.map { "'\($0.rawValue)'" }.joined(separator: ",")
        return try db.query("""
            SELECT external_id FROM orders WHERE channel = ? AND status IN (\(open)) AND changed_at < ?
            ORDER BY changed_at LIMIT ?
            """, [.text(channel), Store.time(before), .int(Int64(limit))]).map {
            OrderRef(channel: channel, externalID: $0.string("external_id") ?? "")
        }
    }

    /// Records a poll attempt's outcome: success resets the error count; failure increments it and keeps
    /// the message (which must carry no secret) and whether the channel refused the credentials.
    public func recordPoll(channel: String, success: Bool, error: String? = nil, unauthorized: Bool = false,
                           at now: Date = Date()) throws {
        if success {
            try db.execute("""
                INSERT INTO channel_state (channel, last_attempt_at, last_success_at, consecutive_errors, last_error, failing_since)
                VALUES (?, ?, ?, 0, NULL, NULL)
                ON CONFLICT(channel) DO UPDATE SET last_attempt_at = excluded.last_attempt_at,
                    last_success_at = excluded.last_success_at, consecutive_errors = 0, last_error = NULL,
                    failing_since = NULL, unauthorized = 0
                """, [.text(channel), Store.time(now), Store.time(now)])
        } else {
            try db.execute("""
                INSERT INTO channel_state (channel, last_attempt_at, consecutive_errors, last_error, failing_since, unauthorized)
                VALUES (?, ?, 1, ?, ?, ?)
                ON CONFLICT(channel) DO UPDATE SET last_attempt_at = excluded.last_attempt_at,
                    consecutive_errors = consecutive_errors + 1, last_error = excluded.last_error,
                    failing_since = COALESCE(failing_since, excluded.failing_since), unauthorized = excluded.unauthorized
                """, [.text(channel), Store.time(now), .text(error ?? "unknown error"), Store.time(now),
                      .int(unauthorized ? 1 : 0)])
        }
    }

    /// Health of every channel that has polled at least once.
    public func channelHealth() throws -> [String: ChannelHealth] {
        var result: [String: ChannelHealth] = [:]
        for row in try db.query("SELECT * FROM channel_state") {
            let id = row.string("channel") ?? ""
            result[id] = ChannelHealth(channel: id, lastAttemptAt: Store.date(row, "last_attempt_at"),
                                       lastSuccessAt: Store.date(row, "last_success_at"),
                                       consecutiveErrors: row.int("consecutive_errors") ?? 0,
                                       lastError: row.string("last_error"), failingSince: Store.date(row, "failing_since"),
                                       unauthorized: (row.int("unauthorized") ?? 0) != 0)
        }
        return result
    }
}

extension Store {
    /// Orders of a channel still shipped whose move to `shipped` was stored at or after `since`: the ones
    /// followed after shipping (a lost or returned parcel shows only on a read by id). Oldest shipment first.
    public func shippedOrders(channel: String, shippedSince since: Date) throws -> [OrderRef] {
        try db.query("""
            SELECT o.external_id AS external_id, MAX(h.at) AS shipped_at FROM orders o
            JOIN order_history h ON h.channel = o.channel AND h.external_id = o.external_id AND h.to_status = ?
            WHERE o.channel = ? AND o.status = ?
            GROUP BY o.external_id HAVING shipped_at >= ? ORDER BY shipped_at, o.external_id
            """, [.text(OrderStatus.shipped.rawValue), .text(channel), .text(OrderStatus.shipped.rawValue), Store.time(since)]).map {
            OrderRef(channel: channel, externalID: $0.string("external_id") ?? "")
        }
    }
}
