import Foundation
import OrderSync

extension CommandContext {
    func accept() throws -> ExitCode {
        out(try operations().accept(args.positionals[0]))
        return .ok
    }

    func mirror() throws -> ExitCode {
        out(try operations().mirror(args.positionals[0]))
        return .ok
    }

    func cancel() throws -> ExitCode {
        out(try operations().cancel(args.positionals[0], reason: args.option("reason")))
        return .ok
    }

    func ship() throws -> ExitCode {
        guard let tracking = args.option("tracking") else {
            throw UserError(.usage, "ship: --tracking NUMBER is required")
        }
        var shippedAt: Date?
        if let text = args.option("shipped-at") {
            guard let date = Timestamp.parse(text) else {
                throw UserError(.usage, "ship: --shipped-at \"\(text)\" is not an ISO 8601 time (e.g. 2026-03-11T14:00:00Z)")
            }
            shippedAt = date
        }
        let lines: [(id: String, value: String?)] = args.all("line").map { spec in
            if let eq = spec.firstIndex(of: "=") {
                return (String(spec[..<eq]), String(spec[spec.index(after: eq)...]))
            }
            return (spec, nil)
        }
        let input = ShipmentInput(trackingNumber: tracking, carrierKey: args.option("carrier"),
                                  trackingURL: args.option("tracking-url"), imei: args.option("imei"),
                                  serial: args.option("serial"), lines: lines, shippedAt: shippedAt)
        out(try operations().ship(args.positionals[0], input))
        return .ok
    }

    func retry() throws -> ExitCode {
        let ops = try operations()
        if args.flag("all-failed") {
            guard args.positionals.isEmpty else { throw UserError(.usage, "retry: give JOB_ID or --all-failed, not both") }
            out(try ops.retryAllFailed())
            return .ok
        }
        guard let text = args.positionals.first else { throw UserError(.usage, "retry: missing JOB_ID (or --all-failed)") }
        guard let id = Int64(text) else { throw UserError(.usage, "retry: JOB_ID must be a number, got \"\(text)\"") }
        out(try ops.retry(jobID: id))
        return .ok
    }
}
