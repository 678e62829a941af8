import Foundation
import OrderSync

extension BackMarketChannel {
    /// Why a partial amount is refused on Back Market, and where to make one.
    static let partialRefundAdvice = "Back Market refunds an amount only through /ws/sav/refund, which cannot be read back, "
        + "so a retry could refund twice; refund whole lines (--line), or a partial amount in the Back Market back office"

    /// `return_reason` sent with `new_state 6`: 25 ("other"); the refund's reason goes in `return_message`.
    static let refundReturnReason = 25

    /// Refund whole lines (aftersale.md §1.2): line 1 → 4, 2 → 5 (before shipping), 3 → 6 (after shipping,
    /// with `return_reason` and the reason as `return_message`, which the buyer receives). The order was just
    /// read: a line already at 4, 5 or 6 counts as done and nothing is sent for it. Back Market moves lines
    /// by listing, so a listing shared with a line not being refunded is refused. The order is read again
    /// afterwards and the job is done only when every line shows its target.
    func refund(_ fetched: FetchedOrder, job: Job, operation: String) async throws -> PushResult {
        guard let wanted = job.payload.refund, wanted.amount == nil, !wanted.lines.isEmpty else {
            throw ChannelError(.permanent, operation: operation, message: Self.partialRefundAdvice)
        }
        let order = fetched.order
        var moves: [(sku: String, to: Int)] = []
        for lineID in wanted.lines.keys.sorted() {
            guard let line = order.lines.first(where: { $0.lineID == lineID }) else {
                throw ChannelError(.permanent, operation: operation, message: "line \(lineID) is not in the order on Back Market")
            }
            let state = Int(line.channelState ?? "") ?? -1
            if [4, 5, 6].contains(state) { continue }
            let target: Int
            switch state {
            case 1: target = 4
            case 2: target = 5
            case 3: target = 6
            default:
                throw ChannelError(.permanent, operation: operation, message: "line \(lineID) is in state \(state); it cannot be refunded")
            }
            guard let sku = line.sku else { throw ChannelError(.permanent, operation: operation, message: "line \(lineID) has no listing") }
            if let other = order.lines.first(where: { $0.sku == sku && wanted.lines[$0.lineID] == nil
                                                       && !["4", "5", "6"].contains($0.channelState ?? "") }) {
                throw ChannelError(.permanent, operation: operation,
                                   message: "line \(other.lineID) has the same listing \(sku); Back Market would refund it too")
            }
            if !moves.contains(where: { $0.sku == sku && $0.to == target }) { moves.append((sku, target)) }
        }
        if moves.isEmpty {
            return PushResult(outcome: .alreadyDone("every line is already refunded or cancelled"), refreshed: fetched)
        }
        let message = String((job.payload.reason ?? "").prefix(500))
        for move in moves {
            var fields: [(String, JSONValue)] = [("order_id", .number(order.ref.externalID)), ("new_state", .number(String(move.to))),
                                                 ("sku", .string(move.sku))]
            if move.to == 6 {
                fields += [("return_reason", .number(String(Self.refundReturnReason))), ("return_message", .string(message))]
            }
            let (response, _) = try await send(request("POST", "ws/orders/\(order.ref.externalID)", body: .object(fields)),
                                               operation: operation)
            guard (200..<300).contains(response.status) else { throw failure(response, operation: operation) }
        }
        guard let after = try await fetchOrder(externalID: order.ref.externalID) else {
            throw ChannelError(.retryable(retryAfter: nil), operation: operation, message: "order not found when read back")
        }
        let pending = wanted.lines.keys.filter { id in
            !["4", "5", "6"].contains(after.order.lines.first { $0.lineID == id }?.channelState ?? "")
        }
        guard pending.isEmpty else {
            throw ChannelError(.retryable(retryAfter: nil), operation: operation,
                               message: "line(s) \(pending.sorted().joined(separator: ", ")) not refunded yet when read back")
        }
        return PushResult(outcome: .pushed("refunded \(wanted.lines.count) line(s)"), refreshed: after)
    }
}
