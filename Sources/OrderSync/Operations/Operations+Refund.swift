import Foundation

extension Operations {
    /// Queues a refund of `ref`: `amount`, or `lines` (line id → quantity; nil quantity = the whole line),
    /// with a `reason` the buyer sees. Refused with 65 where the channel cannot do it through its API
    /// (saying where instead), when nothing is given, a line is unknown or a quantity exceeds the line.
    /// The same refund again (same amount, lines and reason) is not queued twice.
    public func refund(_ text: String, reason: String, amount: String?, lines: [(id: String, quantity: Int?)],
                       viaGateway: Bool) throws -> String {
        let (ref, order, channel) = try order(text)
        let trimmed = reason.trimmingWhitespaceAndNewlines()
        guard !trimmed.isEmpty else { throw UserError(.usage, "refund: --reason TEXT is required (the buyer sees it)") }
        var money: Money?
        if let amount {
            guard let parsed = Money(amount), parsed.minorUnits > 0 else {
                throw UserError(.dataError, "refund: --amount \"\(amount)\" is not a positive decimal amount (e.g. 12.50)")
            }
            money = parsed
        }
        guard money != nil || !lines.isEmpty else {
            throw UserError(.usage, "refund: give --amount X or --line LINE_ID[=QTY] (or both)")
        }
        var quantities: [String: Int] = [:]
        for line in lines {
            guard let known = order.lines.first(where: { $0.lineID == line.id }) else {
                let ids = order.lines.map(\.lineID).joined(separator: ", ")
                throw UserError(.dataError, "\(ref): no line \"\(line.id)\" (lines: \(ids))")
            }
            let quantity = line.quantity ?? known.quantity
            guard quantity > 0, quantity + (quantities[line.id] ?? 0) <= known.quantity else {
                throw UserError(.dataError, "\(ref): line \(line.id) has quantity \(known.quantity); cannot refund \(quantity)")
            }
            quantities[line.id, default: 0] += quantity
        }
        switch ChannelFactory.capabilities(of: channel.type).refunds {
        case .none(let advice):
            throw UserError(.dataError, "\(ref): \(channel.type.rawValue) refunds are not made through its API: \(advice)")
        case .wholeLines(let partialAdvice):
            if money != nil { throw UserError(.dataError, "\(ref): a refund by amount is refused: \(partialAdvice)") }
            if let part = order.lines.first(where: { line in quantities[line.lineID].map { $0 != line.quantity } ?? false }) {
                throw UserError(.dataError, "\(ref): line \(part.lineID) can only be refunded whole (quantity \(part.quantity)): \(partialAdvice)")
            }
            if viaGateway { throw UserError(.usage, "refund: --via-gateway applies to channels that refund amounts through a payment gateway; \(channel.type.rawValue) refunds the buyer itself") }
        case .amountsOrLines:
            break
        }
        let request = RefundRequest(amount: money, lines: quantities, viaGateway: viaGateway)
        let key = "refund:" + (money?.description ?? "-") + ":" + quantities.keys.sorted().map { "\($0)=\(quantities[$0]!)" }.joined(separator: ",")
            + ":" + trimmed
        switch try store.enqueue(ref, kind: .refund, dedupeKey: key, payload: JobPayload(reason: trimmed, refund: request)) {
        case .queued(let id):
            return "refund of \(ref) queued (job \(id))" + (viaGateway ? "; the payment gateway will be asked to return the money" : "")
        case .duplicate(let id, let state):
            return "the same refund of \(ref) is already \(state.displayName) (job \(id)); nothing queued"
        }
    }
}
