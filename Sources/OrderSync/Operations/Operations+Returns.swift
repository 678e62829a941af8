import Foundation

extension Operations {
    /// Queues a decision on a return listed by `ordersync returns`. 65 when the return is unknown, when its
    /// channel takes no decisions through its API (saying so), or when a refusal has no reason.
    public func decideReturn(_ returnRef: String, accept: Bool, labelURL: String?, reason: String?) throws -> String {
        guard let stored = try store.storedReturn(returnRef) else {
            throw UserError(.dataError, "\(returnRef): unknown return (see `ordersync returns`)")
        }
        guard let channel = config.channel(id: stored.ref.channel) else {
            throw UserError(.dataError, "\(returnRef): no channel \"\(stored.ref.channel)\" in the config")
        }
        guard ChannelFactory.capabilities(of: channel.type).decidesReturns else {
            throw UserError(.dataError, "\(returnRef): \(channel.type.rawValue) takes no return decisions through its API; "
                + "decide it in the channel's back office (ordersync only lists these cases)")
        }
        if !accept, (reason ?? "").trimmingWhitespace().isEmpty {
            throw UserError(.usage, "return refuse: --reason TEXT is required")
        }
        if let labelURL, URL(string: labelURL)?.scheme.map({ ["http", "https"].contains($0.lowercased()) }) != true {
            throw UserError(.dataError, "return accept: --label-url \"\(labelURL)\" is not an http(s) URL")
        }
        let verb = accept ? "accept" : "refuse"
        let payload = JobPayload(reason: reason, returnDecision: ReturnDecision(returnRef: returnRef, accept: accept, labelURL: labelURL))
        switch try store.enqueue(stored.ref, kind: .returnDecision, dedupeKey: "return:\(returnRef)", payload: payload) {
        case .queued(let id): return "\(verb) of return \(returnRef) (order \(stored.ref)) queued (job \(id))"
        case .duplicate(let id, let state):
            return "a decision on return \(returnRef) is already \(state.displayName) (job \(id)); nothing queued"
        }
    }
}

extension Operations {
    /// Queues marking a shipped order lost (`lost: true`) or undelivered. 65 when the order is not shipped
    /// or its channel cannot take it through its API (saying so).
    public func parcelOutcome(_ text: String, lost: Bool) throws -> String {
        let (ref, order, channel) = try order(text)
        let word = lost ? "lost" : "undelivered"
        guard ChannelFactory.capabilities(of: channel.type).marksParcelOutcomes else {
            throw UserError(.dataError, "\(ref): \(channel.type.rawValue) cannot mark a parcel \(word) through its API")
        }
        if order.status == (lost ? .lost : .undelivered) { return "\(ref) is already \(word); nothing queued" }
        guard order.status == .shipped else {
            throw UserError(.dataError, "\(ref): order is \(order.status.rawValue); only a shipped order can be marked \(word)")
        }
        switch try store.enqueue(ref, kind: lost ? .parcelLost : .parcelUndelivered, dedupeKey: word, payload: JobPayload()) {
        case .queued(let id): return "\(word) of \(ref) queued (job \(id))"
        case .duplicate(let id, let state): return "\(word) of \(ref) is already \(state.displayName) (job \(id)); nothing queued"
        }
    }
}
