import Foundation

/// A row of the returns table: a return or after-sale case with the order it belongs to.
public struct StoredReturn: Sendable, Hashable {
    public var ref: OrderRef
    public var value: OrderReturn
    public var firstSeenAt: Date
    public var updatedAt: Date
}

extension Store {
    /// Writes the order's returns as the channel shows them now (inserted, or updated when changed).
    /// Call inside the transaction that stores the order. Returns never disappear from the table.
    func recordReturns(of order: Order, now: Date) throws {
        try recordReturns(order.returns, of: order.ref, now: now)
    }

    /// Writes returns of the order `ref` (known or not yet) as the channel shows them now.
    func recordReturns(_ returns: [OrderReturn], of ref: OrderRef, now: Date) throws {
        for item in returns {
            let lines = String(decoding: try JSONEncoder.sorted.encode(item.lines), as: UTF8.self)
            try db.execute("""
                INSERT INTO returns (channel, return_ref, external_id, status, channel_status, reason, created_at, lines,
                    first_seen_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (channel, return_ref) DO UPDATE SET external_id = excluded.external_id,
                    status = excluded.status, channel_status = excluded.channel_status, reason = excluded.reason,
                    created_at = excluded.created_at, lines = excluded.lines, updated_at = excluded.updated_at
                WHERE returns.status != excluded.status OR returns.channel_status != excluded.channel_status
                    OR returns.reason IS NOT excluded.reason OR returns.lines != excluded.lines
                    OR returns.created_at IS NOT excluded.created_at
                """, [.text(ref.channel), .text(item.returnRef), .text(ref.externalID), .text(item.status.rawValue),
                      .text(item.channelStatus), item.reason.map { .text($0) } ?? .null,
                      item.createdAt.map(Store.time) ?? .null, .text(lines), Store.time(now), Store.time(now)])
        }
    }

    /// The stored order of `channel` one of whose lines has `line_id` = `lineID`, if any.
    func externalID(channel: String, lineID: String) throws -> String? {
        try db.query("""
            SELECT external_id FROM orders WHERE channel = ? AND EXISTS (SELECT 1 FROM
                json_each(CAST(order_json AS TEXT), '$.lines') WHERE json_extract(value, '$.line_id') = ?) LIMIT 1
            """, [.text(channel), .text(lineID)]).first?.string("external_id")
    }

    /// Returns across channels, open ones first and oldest first within each group.
    public func returns(channel: String? = nil, status: ReturnStatus? = nil, ref: OrderRef? = nil) throws -> [StoredReturn] {
        var sql = """
            SELECT channel, return_ref, external_id, status, channel_status, reason, created_at, lines, first_seen_at,
                updated_at FROM returns WHERE 1 = 1
            """
        var args: [SQLValue] = []
        if let channel { sql += " AND channel = ?"; args.append(.text(channel)) }
        if let status { sql += " AND status = ?"; args.append(.text(status.rawValue)) }
        if let ref { sql += " AND channel = ? AND external_id = ?"; args += [.text(ref.channel), .text(ref.externalID)] }
        let open = ReturnStatus.allCases.filter(\.isOpen).map { "'\($0.rawValue)'" }.joined(separator: ",")
        sql += " ORDER BY status IN (\(open)) DESC, COALESCE(created_at, first_seen_at), return_ref"
        return try db.query(sql, args).map { row in
            let lines = (try? JSONDecoder().decode([String: Int].self, from: Data((row.string("lines") ?? "{}").utf8))) ?? [:]
            let value = OrderReturn(returnRef: row.string("return_ref") ?? "",
                                    status: ReturnStatus(rawValue: row.string("status") ?? "") ?? .closed,
                                    channelStatus: row.string("channel_status") ?? "", reason: row.string("reason"),
                                    createdAt: Store.date(row, "created_at"), lines: lines)
            return StoredReturn(ref: OrderRef(channel: row.string("channel") ?? "", externalID: row.string("external_id") ?? ""),
                                value: value, firstSeenAt: Store.date(row, "first_seen_at") ?? Date(),
                                updatedAt: Store.date(row, "updated_at") ?? Date())
        }
    }

    /// One return by its ref (`channel:ID`).
    public func storedReturn(_ returnRef: String) throws -> StoredReturn? {
        guard let channel = returnRef.split(separator: ":", maxSplits: 1).first.map(String.init) else { return nil }
        return try returns(channel: channel).first { $0.value.returnRef == returnRef }
    }

    /// Returns waiting for the merchant's label not warned about for `interval`; each is marked warned at `now`.
    func returnsToWarn(channel: String, interval: TimeInterval, now: Date) throws -> [StoredReturn] {
        let due = try db.query("""
            SELECT return_ref FROM returns WHERE channel = ? AND status = ? AND (warned_at IS NULL OR warned_at <= ?)
            """, [.text(channel), .text(ReturnStatus.waitingForLabel.rawValue), Store.time(now.addingTimeInterval(-interval))])
            .compactMap { $0.string("return_ref") }
        guard !due.isEmpty else { return [] }
        for ref in due {
            try db.execute("UPDATE returns SET warned_at = ? WHERE channel = ? AND return_ref = ?", [Store.time(now), .text(channel), .text(ref)])
        }
        return try returns(channel: channel, status: .waitingForLabel).filter { due.contains($0.value.returnRef) }
    }

    /// Open returns (waiting for a label, for the parcel, or received and undecided) per channel.
    public func openReturnCounts() throws -> [String: Int] {
        let open = ReturnStatus.allCases.filter(\.isOpen).map { "'\($0.rawValue)'" }.joined(separator: ",")
        var counts: [String: Int] = [:]
        for row in try db.query("SELECT channel, COUNT(*) AS n FROM returns WHERE status IN (\(open)) GROUP BY channel") {
            counts[row.string("channel") ?? ""] = row.int("n") ?? 0
        }
        return counts
    }

}

extension JSONEncoder {
    /// Sorted keys: the same value always gives the same bytes.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }
}
