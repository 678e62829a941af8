import Foundation
import OrderSync

extension CommandContext {
    func checkConfig() throws -> ExitCode {
        do {
            let loaded = try Daemon.loadConfig(path: configPath, environment: environment)
            let config = loaded.config
            for warning in loaded.warnings {
                FileHandle.standardError.write(Data("warning: \(warning.description)\n".utf8))
            }
            out("config \(configPath): ok, \(config.channels.count) channel(s)")
            config.channels.forEach { out("  " + $0.summary) }
            if let mirror = config.mirror { out("  " + mirror.summary(in: config)) }
            return .ok
        } catch {
            for problem in error.problems { FileHandle.standardError.write(Data((problem.description + "\n").utf8)) }
            for warning in error.warnings { FileHandle.standardError.write(Data("warning: \(warning.description)\n".utf8)) }
            return .config
        }
    }

    func status() throws -> ExitCode {
        let config = try config()
        let report = try StatusReport.build(config: config, store: try store(config))
        if args.flag("json") {
            out(String(decoding: try report.json(), as: UTF8.self))
            return .ok
        }
        out(StatusScreen.render(report, now: Date()))
        return .ok
    }

    func orders() throws -> ExitCode {
        let config = try config()
        var status: OrderStatus?
        if let text = args.option("status") {
            guard let s = OrderStatus(rawValue: text) else {
                throw UserError(.usage, "orders: unknown status \"\(text)\" (one of: \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            status = s
        }
        if let channel = args.option("channel"), config.channel(id: channel) == nil {
            throw UserError(.usage, "orders: no channel \"\(channel)\" in the config")
        }
        let orders = try store(config).orders(channel: args.option("channel"), status: status)
        if args.flag("json") {
            for order in orders { out(String(decoding: try OrderCoding.publicJSON(order), as: UTF8.self)) }
            return .ok
        }
        table(["REF", "STATUS", "CREATED", "TOTAL", "LINES", "CARRIER", "ACCEPT BY"], orders.map { o in
            [o.ref.description, o.status.rawValue, o.createdAt.map(Timestamp.format) ?? "-",
             o.total.map { "\($0) \(o.currency ?? "")" } ?? "-", String(o.lines.count), o.carrier ?? "-",
             o.acceptBy.map(Timestamp.format) ?? "-"]
        })
        return .ok
    }

    func show() throws -> ExitCode {
        let ops = try operations()
        let (ref, _, _) = try ops.order(args.positionals[0])
        guard let stored = try ops.store.order(ref) else { throw UserError(.dataError, "\(ref): unknown order") }
        let order = stored.order
        if args.flag("json") {
            var text = String(decoding: try OrderCoding.publicJSON(order), as: UTF8.self)
            let mirror = try ops.store.mirror(of: ref)?.storeRef
            text = String(text.dropLast()) + ",\"mirror\":" + (mirror.map { JSONLinesLogHandler.quote($0) } ?? "null") + "}"
            if args.flag("raw") {
                let raw = stored.raw.flatMap { try? JSONValue.parse($0) }?.serialized
                    ?? JSONLinesLogHandler.quote(String(decoding: stored.raw ?? Data(), as: UTF8.self))
                text = String(text.dropLast()) + ",\"raw\":" + raw + "}"
            }
            out(text)
            return .ok
        }
        out("\(order.ref)  \(order.status.rawValue) (channel status \(order.channelStatus))")
        out("  created \(order.createdAt.map(Timestamp.format) ?? "-"), updated \(order.updatedAt.map(Timestamp.format) ?? "-")")
        if let acceptBy = order.acceptBy { out("  accept by \(Timestamp.format(acceptBy))") }
        if let shipBy = order.shipBy { out("  ship by \(Timestamp.format(shipBy))") }
        out("  total \(order.total?.description ?? "-") \(order.currency ?? "") (shipping \(order.shippingTotal?.description ?? "-"))")
        if let c = order.customer { out("  customer \(c.name) \(c.email ?? "")") }
        if let a = order.shippingAddress {
            out("  ship to \(a.name), \([a.line1, a.line2].filter { !$0.isEmpty }.joined(separator: ", ")), \(a.postcode) \(a.city) \(a.country)")
        }
        out("  shipping method \(order.shippingMethod ?? "-"), carrier \(order.carrier ?? "-")")
        if let mirror = try ops.store.mirror(of: ref) {
            out("  mirror \(mirror.storeRef ?? mirror.store + " (not created yet)"): \(mirror.state.rawValue)"
                + (mirror.reason.map { " (\($0))" } ?? ""))
        }
        for line in order.lines {
            var ids = ""
            if let imei = line.imei { ids += " imei \(imei)" }
            if let serial = line.serial { ids += " serial \(serial)" }
            out("  line \(line.lineID): \(line.quantity) x \(line.name) [\(line.sku ?? "-")] \(line.unitPrice?.description ?? "-")"
                + (line.requiresIMEI ? " (needs IMEI)" : "") + ids)
        }
        for s in order.shipments {
            out("  shipment \(s.trackingNumber) via \(s.carrier ?? "-"): \(s.state.rawValue)")
        }
        for h in try ops.store.history(ref) {
            out("  \(Timestamp.format(h.at)) \(h.from ?? "new") -> \(h.to) (\(h.channelStatus))")
        }
        if args.flag("raw") {
            out("raw payload:")
            out(String(decoding: stored.raw ?? Data(), as: UTF8.self))
        }
        return .ok
    }

    func jobs() throws -> ExitCode {
        let config = try config()
        let jobs = try store(config).jobs(states: args.flag("failed") ? [.failed] : nil)
        if args.flag("json") {
            for job in jobs { out(try CommandContext.jsonLine(job)) }
            return .ok
        }
        table(["ID", "KIND", "ORDER", "STATE", "ATTEMPTS", "NEXT ATTEMPT", "LAST ERROR"], jobs.map { j in
            [String(j.id), j.kind.rawValue + (j.payload.shipment.map { " " + $0.trackingNumber } ?? ""), j.ref.description,
             j.state.displayName, String(j.attempts),
             j.state == .queued ? Timestamp.format(j.nextAttemptAt) : "-", j.lastError ?? ""]
        })
        return .ok
    }
}
