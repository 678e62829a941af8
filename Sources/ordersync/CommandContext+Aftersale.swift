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
