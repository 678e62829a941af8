import Foundation

extension Operations {
    /// `ordersync mirror ORDER_REF`: queues the store copy of one marketplace order now. 65 (saying why)
    /// when no `mirror` is configured, the order's channel is not mirrored, or the order is not accepted
    /// and waiting to ship.
    public func mirror(_ text: String) throws -> String {
        guard let mirror = config.mirror else {
            throw UserError(.dataError, "\(text): no mirror is configured (add a \"mirror\" section naming the store)")
        }
        let sources = mirror.sourceChannels(in: config)
        if let parsed = OrderRef(parsing: text), config.channel(id: parsed.channel) != nil, !sources.contains(parsed.channel) {
            throw UserError(.dataError, "\(parsed): channel \(parsed.channel) is not mirrored (mirrored: \(sources.joined(separator: ", ")))")
        }
        let (ref, order, _) = try order(text)
        if let record = try store.mirror(of: ref), let existing = record.storeRef {
            return "\(ref) is already mirrored as \(existing); nothing queued"
        }
        guard order.status == .awaitingShipment else {
            throw UserError(.dataError, "\(ref): order is \(order.status.rawValue); only accepted orders awaiting shipment are mirrored")
        }
        switch try store.queueMirror(ref, store: mirror.store) {
        case .queued(let id): return "mirror of \(ref) into \(mirror.store) queued (job \(id))"
        case .duplicate(let id, let state):
            guard state == .failed else { return "mirror of \(ref) is already \(state.rawValue) (job \(id)); nothing queued" }
            _ = try store.retry(id)
            return "mirror of \(ref) into \(mirror.store) queued again (job \(id))"
        }
    }
}
