import Foundation

/// One row of `ordersync returns`: a stored return, or a refund on an order of a channel whose refunds are its
/// after-sale cases (``ChannelCapabilities/listsRefundsAsReturns``).
public struct AftersaleCase: Sendable, Equatable {
    public enum Kind: String, Sendable { case `return`, refund }

    public var kind: Kind
    public var ref: OrderRef
    /// A refund's `returnRef` is `channel:ORDER_ID/refund-N` (N counts the order's refunds from 1, oldest first),
    /// its status `refunded` and its channel status `refund`.
    public var value: OrderReturn
    /// When it began: the channel's creation time, else when ordersync first saw it.
    public var since: Date
    /// A refund's amount; nil for a return.
    public var amount: Money?
}

extension Store {
    /// Returns (``returns(channel:status:ref:)``) and the refunds of the orders of `refundChannels`, open ones
    /// first and oldest first within each group. `status` other than `refunded` leaves the refunds out.
    public func aftersaleCases(refundChannels: Set<String>, channel: String? = nil,
                               status: ReturnStatus? = nil) throws -> [AftersaleCase] {
        var cases = try returns(channel: channel, status: status).map {
            AftersaleCase(kind: .return, ref: $0.ref, value: $0.value, since: $0.value.createdAt ?? $0.firstSeenAt, amount: nil)
        }
        if status == nil || status == .refunded {
            for id in refundChannels.sorted() where channel == nil || channel == id {
                for order in try orders(channel: id) where !order.refunds.isEmpty {
                    cases += Self.refundCases(order)
                }
            }
        }
        return cases.sorted {
            ($0.value.status.isOpen ? 0 : 1, $0.since, $0.value.returnRef) < ($1.value.status.isOpen ? 0 : 1, $1.since, $1.value.returnRef)
        }
    }

    /// The order's refunds as cases, numbered oldest first; one without a time dates from the order's last change.
    static func refundCases(_ order: Order) -> [AftersaleCase] {
        let fallback = order.updatedAt ?? order.createdAt ?? Date(timeIntervalSince1970: 0)
        return order.refunds.sorted { ($0.createdAt ?? fallback) < ($1.createdAt ?? fallback) }.enumerated().map { index, refund in
            AftersaleCase(kind: .refund, ref: order.ref,
                          value: OrderReturn(returnRef: "\(order.ref)/refund-\(index + 1)", status: .refunded, channelStatus: "refund",
                                             reason: refund.reason, createdAt: refund.createdAt, lines: refund.lines),
                          since: refund.createdAt ?? fallback, amount: refund.amount)
        }
    }
}
