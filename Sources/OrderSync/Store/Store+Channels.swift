import Foundation

/// Health of one channel's polling, as `status` shows it.
public struct ChannelHealth: Sendable, Codable {
    public var channel: String
    public var lastAttemptAt: Date?
    public var lastSuccessAt: Date?
    public var consecutiveErrors: Int
    public var lastError: String?
    public var failingSince: Date?
    /// The last poll failed because the channel refused the credentials (401, or the channel's own code for it).
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
    /// See ``ChannelState``.
    public func cursor(channel: String) throws -> String? { try channelState.cursor(channel: channel) }
    public func setCursor(_ cursor: String, channel: String, now: Date = Date()) throws {
        try channelState.setCursor(cursor, channel: channel, now: now)
    }
    public func mark(_ name: ChannelMark, channel: String) throws -> String? { try channelState.mark(name, channel: channel) }
    public func setMark(_ name: ChannelMark, _ value: String, channel: String, now: Date = Date()) throws {
        try channelState.setMark(name, value, channel: channel, now: now)
    }
    public func recordPoll(channel: String, success: Bool, error: String? = nil, unauthorized: Bool = false,
                           at now: Date = Date()) throws {
        try channelState.recordPoll(channel: channel, success: success, error: error, unauthorized: unauthorized, at: now)
    }
    public func channelHealth() throws -> [String: ChannelHealth] { try channelState.channelHealth() }
    public func heartbeat(now: Date = Date()) throws { try channelState.heartbeat(now: now) }
    public func lastHeartbeat() throws -> Date? { try channelState.lastHeartbeat() }

    /// Orders of a channel that are not final and have not changed since `before`, or were created before
    /// `createdBefore` (when given): candidates for a direct re-read (a walk would never list them again).
    /// Least recently changed first. Only open orders are read (index on `(channel, status)`).
    /// `firstSeenBefore`: an order first stored at or after it is not a candidate by its creation date (a
    /// walk listed it then). Its stored JSON is then not parsed at all: the first poll of a new database
    /// stored every order moments ago, and parsing each one's JSON again was 1.6 % of a 10k backlog's CPU.
    public func staleOpenOrders(channel: String, changedBefore before: Date, orCreatedBefore createdBefore: Date? = nil,
                                firstSeenBefore: Date? = nil, limit: Int = 500) throws -> [OrderRef] {
        let open = OrderStatus.allCases.filter { !$0.isFinal }.map { "'\($0.rawValue)'" }.joined(separator: ",")
        // `created_at` is written by `Timestamp.format`, so text order is time order. SQLite evaluates the
        // terms of an AND left to right: `first_seen_at` is compared before any JSON is parsed.
        let seen = firstSeenBefore == nil ? "" : "first_seen_at < ? AND "
        let created = createdBefore == nil ? "" : " OR (\(seen)json_extract(CAST(order_json AS TEXT), '$.created_at') < ?)"
        var values: [SQLValue] = [.text(channel), Store.time(before)]
        if let createdBefore {
            if let firstSeenBefore { values.append(Store.time(firstSeenBefore)) }
            values.append(.text(Timestamp.format(createdBefore)))
        }
        values.append(.int(Int64(limit)))
        return try db.query("""
            SELECT external_id FROM orders WHERE channel = ? AND status IN (\(open)) AND (changed_at < ?\(created))
            ORDER BY changed_at LIMIT ?
            """, values).map {
            OrderRef(channel: channel, externalID: $0.string("external_id") ?? "")
        }
    }

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
