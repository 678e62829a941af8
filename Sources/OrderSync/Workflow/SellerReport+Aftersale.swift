import Foundation

/// After-sale figures of one channel over the report's window: returns per order (the return rate
/// marketplaces rate sellers on), the amount refunded (decimal), lost and undelivered parcels, and open
/// returns older than 7 days.
public struct AftersaleFigures: Encodable, Sendable, Equatable {
    /// Orders of the window with at least one return.
    public var returnedOrders: Int = 0
    /// returnedOrders / orders, 0...1 (nil without orders).
    public var returnRate: Double?
    /// The sum of the refunds of the window's orders, per currency when they differ (`"12.50"`; `"10.00 EUR, 5.00 GBP"`).
    public var refundedAmount: String = "0.00"
    public var lost: Int = 0
    public var undelivered: Int = 0
    /// Open returns (any order's) whose case is older than 7 days.
    public var openReturnsOver7Days: Int = 0

    enum CodingKeys: String, CodingKey {
        case returnedOrders = "returned_orders", returnRate = "return_rate", refundedAmount = "refunded_amount"
        case lost, undelivered, openReturnsOver7Days = "open_returns_over_7_days"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(returnedOrders, forKey: .returnedOrders); try c.encode(returnRate, forKey: .returnRate)
        try c.encode(refundedAmount, forKey: .refundedAmount); try c.encode(lost, forKey: .lost)
        try c.encode(undelivered, forKey: .undelivered); try c.encode(openReturnsOver7Days, forKey: .openReturnsOver7Days)
    }

    /// The figures for `orders` (the window's orders of one channel, returns filled) and the channel's returns.
    static func build(orders: [Order], returns: [StoredReturn], now: Date) -> AftersaleFigures {
        var f = AftersaleFigures()
        var sums: [String: Money] = [:]
        for order in orders {
            if !order.returns.isEmpty { f.returnedOrders += 1 }
            if order.status == .lost { f.lost += 1 }
            if order.status == .undelivered { f.undelivered += 1 }
            for refund in order.refunds {
                let currency = order.currency ?? ""
                sums[currency] = (sums[currency] ?? Money(minorUnits: 0, scale: 2)).adding(refund.amount) ?? sums[currency]
            }
        }
        f.returnRate = orders.isEmpty ? nil : Double(f.returnedOrders) / Double(orders.count)
        if sums.count == 1, let only = sums.first {
            f.refundedAmount = only.value.rescaled(to: max(2, only.value.scale))?.description ?? only.value.description
        } else if sums.count > 1 {
            f.refundedAmount = sums.keys.sorted().map { "\(sums[$0]!) \($0)" }.joined(separator: ", ")
        }
        let weekAgo = now.addingTimeInterval(-7 * 86_400)
        f.openReturnsOver7Days = returns.filter { $0.value.status.isOpen && ($0.value.createdAt ?? $0.firstSeenAt) < weekAgo }.count
        return f
    }
}
