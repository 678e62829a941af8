import Foundation

/// The state-changing commands (accept, cancel, ship, retry): validate against the stored order and
/// the config, then write a job to the queue. The running daemon performs the push. Each method returns
/// a sentence for the person at the terminal and throws `UserError` (65 for bad input) otherwise.
public struct Operations: Sendable {
    public let config: Config
    public let store: Store

    public init(config: Config, store: Store) {
        self.config = config; self.store = store
    }

    /// Parses and looks up an order ref; 65 when unknown, naming what is known.
    public func order(_ text: String) throws -> (OrderRef, Order, ChannelConfig) {
        guard let ref = OrderRef(parsing: text) else {
            throw UserError(.dataError, "invalid order ref \"\(text)\": expected CHANNEL_ID:EXTERNAL_ID, e.g. bm-eu:40012345")
        }
        guard let channel = config.channel(id: ref.channel) else {
            let ids = config.channels.map(\.id).joined(separator: ", ")
            throw UserError(.dataError, "\(ref): no channel \"\(ref.channel)\" in the config (channels: \(ids))")
        }
        guard let stored = try store.order(ref) else {
            throw UserError(.dataError, "\(ref): unknown order (not imported yet? see `ordersync orders --channel \(ref.channel)`)")
        }
        return (ref, stored.order, channel)
    }

    public func accept(_ text: String) throws -> String {
        let (ref, order, channel) = try order(text)
        guard channel.hasAcceptStep else {
            throw UserError(.dataError, "\(ref): \(channel.type.rawValue) orders need no acceptance")
        }
        guard order.status == .awaitingAcceptance else {
            if [.awaitingShipment, .shipped, .completed].contains(order.status) {
                return "\(ref) is already accepted (\(order.status.rawValue)); nothing queued"
            }
            throw UserError(.dataError, "\(ref): order is \(order.status.rawValue); only orders awaiting acceptance can be accepted")
        }
        switch try store.enqueue(ref, kind: .accept, dedupeKey: "accept", payload: JobPayload()) {
        case .queued(let id): return "accept of \(ref) queued (job \(id))"
        case .duplicate(let id, let state): return "accept of \(ref) is already \(state.rawValue) (job \(id)); nothing queued"
        }
    }

    public func cancel(_ text: String, reason: String?) throws -> String {
        let (ref, order, channel) = try order(text)
        switch order.status {
        case .cancelled, .refunded:
            return "\(ref) is already \(order.status.rawValue); nothing queued"
        case .shipped, .completed, .lost, .undelivered:
            throw UserError(.dataError, "\(ref): order is \(order.status.rawValue); a shipped order is a return, not a cancellation")
        case .pendingPayment, .awaitingAcceptance, .awaitingShipment, .onHold:
            break
        }
        if let refusal = channel.type.definition.cancelRefusal(order) {
            throw UserError(.dataError, "\(ref): \(refusal)")
        }
        switch try store.enqueue(ref, kind: .cancel, dedupeKey: "cancel", payload: JobPayload(reason: reason)) {
        case .queued(let id):
            let kept = reason != nil && !ChannelFactory.capabilities(of: channel.type).sendsCancelReason
                ? " (the reason is kept locally: \(channel.type.rawValue) takes none)" : ""
            return "cancel of \(ref) queued (job \(id))\(kept)"
        case .duplicate(let id, let state): return "cancel of \(ref) is already \(state.rawValue) (job \(id)); nothing queued"
        }
    }

    /// Queues a shipment. The same order + tracking number again is a no-op that says so.
    public func ship(_ text: String, _ input: ShipmentInput) throws -> String {
        let (ref, order, channel) = try order(text)
        let key = ShipmentPlanner.dedupeKey(input.trackingNumber)
        if let existing = try store.jobs(ref: ref).first(where: { $0.kind == .ship && $0.dedupeKey == key }) {
            return "shipment \(input.trackingNumber) of \(ref) is already \(existing.state.rawValue) (job \(existing.id)); nothing queued"
        }
        let acceptQueued = try store.jobs(ref: ref).contains { $0.kind == .accept && [.queued, .running, .done].contains($0.state) }
        let request = try ChannelFactory.planner(for: channel, config: config).plan(input, order: order, acceptQueued: acceptQueued)
        switch try store.enqueue(ref, kind: .ship, dedupeKey: key, payload: JobPayload(shipment: request)) {
        case .queued(let id):
            var note = ""
            if input.carrierKey == nil, let carrier = request.carrierKey { note = " with the order's mapped carrier \(carrier)" }
            return "shipment \(request.trackingNumber) of \(ref) queued (job \(id))\(note)"
        case .duplicate(let id, let state):
            return "shipment \(input.trackingNumber) of \(ref) is already \(state.rawValue) (job \(id)); nothing queued"
        }
    }

    public func retry(jobID: Int64) throws -> String {
        guard let job = try store.job(id: jobID) else { throw UserError(.dataError, "job \(jobID): no such job") }
        guard try store.retry(jobID) else {
            throw UserError(.dataError, "job \(jobID) is \(job.state.rawValue); only failed or dropped jobs can be retried")
        }
        return "job \(jobID) (\(job.kind.rawValue) \(job.ref)) queued again"
    }

    public func retryAllFailed() throws -> String {
        let n = try store.retryAllFailed()
        return "\(n) failed job(s) queued again"
    }
}
