import Foundation
import OrderSync

extension CommandContext {
    func refund() throws -> ExitCode {
        guard let reason = args.option("reason") else {
            throw UserError(.usage, "refund: --reason TEXT is required (the buyer sees it)")
        }
        var lines: [(id: String, quantity: Int?)] = []
        for spec in args.all("line") {
            guard let eq = spec.firstIndex(of: "=") else { lines.append((spec, nil)); continue }
            let text = String(spec[spec.index(after: eq)...])
            guard let quantity = Int(text), quantity > 0 else {
                throw UserError(.usage, "refund: --line \(spec): the quantity must be a whole number above 0")
            }
            lines.append((String(spec[..<eq]), quantity))
        }
        out(try operations().refund(args.positionals[0], reason: reason, amount: args.option("amount"), lines: lines,
                                    viaGateway: args.flag("via-gateway")))
        return .ok
    }
}

extension CommandContext {
    func returns() throws -> ExitCode {
        let config = try config()
        var status: ReturnStatus?
        if let text = args.option("status") {
            guard let value = ReturnStatus(rawValue: text) else {
                throw UserError(.usage, "returns: --status \"\(text)\" is not one of \(ReturnStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            status = value
        }
        let refundChannels = Set(config.channels.filter { ChannelFactory.capabilities(of: $0.type).listsRefundsAsReturns }.map(\.id))
        let rows = try store(config).aftersaleCases(refundChannels: refundChannels, channel: args.option("channel"), status: status)
        if args.flag("json") {
            for row in rows { out(try CommandContext.jsonLine(ReturnLine(row))) }
            return .ok
        }
        let now = Date()
        table(["RETURN", "ORDER", "STATUS", "CHANNEL STATUS", "CREATED", "AGE", "REASON"], rows.map { row in
            let reason = [row.amount.map { "refund \($0)" }, row.value.reason].compactMap { $0 }.joined(separator: ": ")
            return [row.value.returnRef, row.ref.description, row.value.status.rawValue, row.value.channelStatus,
                    Timestamp.format(row.since), "\(Int(now.timeIntervalSince(row.since) / 86_400)) d", reason]
        })
        return .ok
    }

    func decideReturn() throws -> ExitCode {
        let action = args.positionals[0]
        guard action == "accept" || action == "refuse" else {
            throw UserError(.usage, "return: the action is accept or refuse, not \"\(action)\"")
        }
        out(try operations().decideReturn(args.positionals[1], accept: action == "accept", labelURL: args.option("label-url"),
                                          reason: args.option("reason")))
        return .ok
    }
}

/// One line of `returns --json`: a return, or a refund (`kind` `refund`, with its `amount`).
private struct ReturnLine: Encodable {
    let row: AftersaleCase
    init(_ row: AftersaleCase) { self.row = row }

    enum CodingKeys: String, CodingKey {
        case returnRef = "return_ref", orderRef = "order_ref", kind, status, channelStatus = "channel_status", reason
        case createdAt = "created_at", lines, amount
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(row.value.returnRef, forKey: .returnRef)
        try c.encode(row.ref.description, forKey: .orderRef)
        try c.encode(row.kind.rawValue, forKey: .kind)
        try c.encode(row.value.status, forKey: .status)
        try c.encode(row.value.channelStatus, forKey: .channelStatus)
        try c.encode(row.value.reason, forKey: .reason)
        try c.encode(row.value.createdAt.map(Timestamp.format), forKey: .createdAt)
        try c.encode(row.value.lines, forKey: .lines)
        try c.encode(row.amount, forKey: .amount)
    }
}
