import Foundation
import OrderSync

/// Back Market's after-sale facts on order lines (aftersale.md §1.1): lines 4 (cancelled), 5 (refunded
/// before shipping) and 6 (refunded after shipping, with a `return_reason`). Whole lines only: the refund
/// of a line is its price times its quantity. Pure values: tested without a network.
enum BackMarketAftersale {
    /// `return_reason` codes (OAS `ReturnReason`) and how they read.
    static func reasonText(_ code: Int) -> String {
        switch code {
        case 0: "stock mistake"
        case 1: "withdrawal (legal period)"
        case 11: "customer does not live at the address"
        case 12: "parcel did not reach its destination"
        case 13: "parcel lost"
        case 21: "faulty on opening"
        case 22: "failure at first use"
        case 23: "failure in the warranty period"
        case 24: "non-compliant"
        case 25: "other"
        default: "return reason \(code)"
        }
    }

    /// Reasons 11–13: the parcel never reached the buyer. 13 is lost; 11 and 12 undelivered.
    static func deliveryFailure(_ code: Int) -> OrderStatus? {
        switch code {
        case 13: .lost
        case 11, 12: .undelivered
        default: nil
        }
    }

    /// The refunds the lines show: one per line in 4, 5 or 6, for the line's price times its quantity
    /// (lines without a price are left out: an amount is never invented).
    static func refunds(_ lines: [(line: OrderLine, state: Int, reason: Int?)]) -> [Refund] {
        lines.compactMap { item in
            guard [4, 5, 6].contains(item.state), let price = item.line.unitPrice,
                  let amount = price.times(item.line.quantity) else { return nil }
            let reason: String
            switch item.state {
            case 4: reason = "cancelled before acceptance"
            case 5: reason = "refunded before shipping"
            default: reason = item.reason.map(reasonText) ?? "refunded after shipping"
            }
            return Refund(amount: amount, reason: reason, createdAt: nil, lines: [item.line.lineID: item.line.quantity])
        }
    }

    /// The status once every line is dead: lost or undelivered when every line refunded after shipping
    /// carries a delivery-failure reason (lost wins), else the line-based status.
    static func status(base: OrderStatus, lines: [(state: Int, reason: Int?)]) -> OrderStatus {
        guard base == .refunded else { return base }
        let shippedThenRefunded = lines.filter { $0.state == 6 }
        let failures = shippedThenRefunded.map { $0.reason.flatMap(deliveryFailure) }
        guard !failures.isEmpty, failures.allSatisfy({ $0 != nil }) else { return base }
        return failures.contains(.lost) ? .lost : .undelivered
    }
}
