import Foundation

/// An order waiting to be shipped that carries a deadline, with what has been logged about it.
public struct PendingShipment: Sendable, Equatable {
    public var ref: OrderRef
    public var shipBy: Date
    /// The start of the window: acceptance, else first sight.
    public var start: Date
    public var warned: Bool
    public var missed: Bool
}

/// Per channel: unshipped orders whose `ship_by` falls within the next hours / has passed.
public struct ShipmentDeadlineCounts: Sendable, Equatable {
    public var dueSoon = 0
    public var overdue = 0
}

extension Store {
    /// Orders in `awaiting_shipment` with a `ship_by`, no ship job (a queued shipment counts as shipped) and
    /// no missed-deadline error logged yet, whose warning or deadline may be due at `now` (within a second:
    /// ``ShippingDeadline/due(start:shipBy:warned:missed:now:)`` decides), soonest first.
    ///
    /// Performance: the watch runs this every few seconds; the window arithmetic is done by SQLite so that
    /// only due rows are read (20,000 unshipped orders, debug build: 41 ms per look with the next-due query,
    /// 176 ms when every row was read and decoded in Swift).
    public func pendingShipments(dueBy now: Date, channels: Set<String>? = nil) throws -> [PendingShipment] {
        try db.query("""
            SELECT channel, external_id, ship_by, accepted_at, first_seen_at, ship_warned_at FROM orders
            WHERE \(Store.unshippedWithDeadline) AND ship_missed_at IS NULL \(Store.channelFilter(channels))
            AND (ship_by <= ?1 OR (ship_warned_at IS NULL AND \(Store.warnDay) <= julianday(?1) + 1.0 / 86400))
            ORDER BY ship_by
            """, [Store.time(now)] + (channels ?? []).sorted().map { .text($0) }).compactMap { row in
            guard let shipBy = Store.date(row, "ship_by") else { return nil }
            return PendingShipment(ref: OrderRef(channel: row.string("channel") ?? "", externalID: row.string("external_id") ?? ""),
                                   shipBy: shipBy, start: Store.date(row, "accepted_at") ?? Store.date(row, "first_seen_at") ?? shipBy,
                                   warned: row.string("ship_warned_at") != nil, missed: false)
        }
    }

    /// The next instant a shipping warning or deadline falls due among the orders ``pendingShipments(dueBy:)``
    /// watches (nil when none); may lie in the past for orders not yet handled.
    public func nextShipmentDeadline(channels: Set<String>? = nil) throws -> Date? {
        let row = try db.query("""
            SELECT MIN(CASE WHEN ship_warned_at IS NULL THEN \(Store.warnDay) ELSE julianday(ship_by) END) AS next FROM orders
            WHERE \(Store.unshippedWithDeadline) AND ship_missed_at IS NULL \(Store.channelFilter(channels, firstParameter: 1))
            """, (channels ?? []).sorted().map { .text($0) }).first
        guard case .real(let day) = row?["next"] else { return nil }
        return Date(timeIntervalSince1970: (day - 2_440_587.5) * 86_400)
    }

    /// Records that the shipping warning (or the missed-deadline error) was logged, so it is logged once.
    public func markShipDeadline(_ ref: OrderRef, missed: Bool, now: Date = Date()) throws {
        try markShipDeadlines([(ref, missed)], now: now)
    }

    /// ``markShipDeadline(_:missed:now:)`` for many orders, in one transaction (one commit for a look of the
    /// watch, not one per order: a commit writes the pages it changed to the WAL again, issue 17).
    public func markShipDeadlines(_ marks: [(ref: OrderRef, missed: Bool)], now: Date = Date()) throws {
        try writeDeadlineMarks(marks, missedColumn: "ship_missed_at", warnedColumn: "ship_warned_at", now: now)
    }

    /// Per channel, unshipped orders (as ``pendingShipments()`` means it, whatever was logged) due within
    /// `within` seconds of `now`, and overdue.
    public func shipmentDeadlineCounts(now: Date = Date(), within: TimeInterval = 6 * 3600) throws -> [String: ShipmentDeadlineCounts] {
        var counts: [String: ShipmentDeadlineCounts] = [:]
        // Stored times are fixed-width UTC text (`Store.time`), so text order is time order.
        for row in try db.query("""
            SELECT channel, SUM(ship_by <= ?1) AS overdue, SUM(ship_by > ?1 AND ship_by <= ?2) AS due_soon FROM orders
            WHERE \(Store.unshippedWithDeadline)
            GROUP BY channel
            """, [Store.time(now), Store.time(now.addingTimeInterval(within))]) {
            counts[row.string("channel") ?? ""] = ShipmentDeadlineCounts(dueSoon: row.int("due_soon") ?? 0,
                                                                         overdue: row.int("overdue") ?? 0)
        }
        return counts
    }

    /// `AND channel IN (?N, …)` for `channels` bound from parameter `firstParameter` on; empty for nil.
    static func channelFilter(_ channels: Set<String>?, firstParameter: Int = 2) -> String {
        guard let channels else { return "" }
        guard !channels.isEmpty else { return "AND 0" }
        return "AND channel IN (" + (0..<channels.count).map { "?\(firstParameter + $0)" }.joined(separator: ", ") + ")"
    }

    /// `orders` rows in `awaiting_shipment` with a `ship_by` and no ship job.
    static let unshippedWithDeadline = "status = 'awaiting_shipment' AND ship_by IS NOT NULL AND NOT EXISTS (\(shipJobExists))"

    /// The 75 % instant of an `orders` row's window (acceptance, else first sight, to `ship_by`) as a Julian day;
    /// an empty or negative window warns at its start.
    static let warnDay = """
        (julianday(COALESCE(accepted_at, first_seen_at))
         + \(ShippingDeadline.warningShare) * MAX(0, julianday(ship_by) - julianday(COALESCE(accepted_at, first_seen_at))))
        """

    /// A ship job other than a dropped one exists for the `orders` row (queued, running, pushed or failed).
    static let shipJobExists = """
        SELECT 1 FROM jobs j WHERE j.channel = orders.channel AND j.external_id = orders.external_id
        AND j.kind = 'ship' AND j.state != 'dropped'
        """
}
