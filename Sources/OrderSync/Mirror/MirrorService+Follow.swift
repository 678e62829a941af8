import Foundation

extension MirrorService {
    /// Follows the open mirrors (created, or waiting for something): a marketplace cancellation or refund
    /// cancels the mirror; a marketplace order shipped elsewhere completes it; a mirror completed in the
    /// store with what the marketplace needs queues the marketplace shipment (as `ship` would), otherwise a
    /// private note says what is missing, once per reason. Bounded: only open mirrors are read.
    public func follow(now: Date = Date()) async throws {
        try await writeTimeline()
        let open = try store.mirrors(states: [.created, .waiting]).filter { $0.storeOrderID != nil }
        guard !open.isEmpty else { return }
        var inStore: [MirrorRecord] = []
        for record in open {
            guard let id = record.storeOrderID, let order = try store.order(record.ref)?.order else { continue }
            let name = marketplaceName(record.ref)
            do {
                switch order.status {
                case .cancelled, .refunded:
                    try await target.setMirrorStatus(id, to: .cancelled, note: "\(name): order \(order.ref) was "
                        + "\(order.status == .refunded ? "refunded" : "cancelled") on the marketplace; cancelled here")
                    try store.setMirrorState(record.ref, .closed, reason: "\(order.status.rawValue) on \(name)", now: now)
                    logger.info("mirror cancelled", ["order.ref": .string(record.ref.description)])
                case .shipped, .completed:
                    let tracking = order.shipments.last.map { " with \($0.carrier ?? "a carrier") \($0.trackingNumber)" } ?? ""
                    try await target.setMirrorStatus(id, to: .completed, note: "\(name): shipped\(tracking) (outside the store)")
                    try store.setMirrorState(record.ref, .closed, reason: "shipped on \(name)", now: now)
                default:
                    inStore.append(record)
                }
            } catch let error as ChannelError {
                logger.warning("mirror not updated", ["order.ref": .string(record.ref.description), "error": .string(error.description)])
            }
        }
        guard !inStore.isEmpty else { return }
        let snapshots = try await target.readMirrors(inStore.compactMap(\.storeOrderID))
        for snapshot in snapshots where [.completed, .cancelled, .refunded].contains(snapshot.status) {
            guard let record = inStore.first(where: { $0.storeOrderID == snapshot.externalID }),
                  let order = try store.order(record.ref)?.order else { continue }
            if snapshot.status != .completed {
                // The merchant cancelled the copy: nothing to push; the marketplace order is theirs to cancel.
                try store.setMirrorState(record.ref, .closed, reason: "\(snapshot.status.rawValue) in the store", now: now)
                logger.warning("mirror cancelled in the store; the marketplace order is unchanged",
                               ["order.ref": .string(record.ref.description)])
                continue
            }
            do {
                try await fulfil(record, order: order, snapshot: snapshot, now: now)
            } catch let error as ChannelError {
                logger.warning("mirror not followed", ["order.ref": .string(record.ref.description), "error": .string(error.description)])
            }
        }
    }

    private func fulfil(_ record: MirrorRecord, order: Order, snapshot: MirrorSnapshot, now: Date) async throws {
        let notes = try await target.privateNotes(ofMirror: snapshot.externalID)
        let name = marketplaceName(record.ref)
        var reason: String
        switch MirrorFulfilment.plan(order: order, trackings: snapshot.trackings, notes: notes.filter { !$0.hasPrefix(Self.notePrefix) },
                                     carriers: operations?.config.carrierList ?? [],
                                     storeType: storeType ?? operations?.config.channel(id: config.store)?.type ?? ChannelType(rawValue: "")) {
        case .blocked(let why):
            reason = why
        case .ship(let plan):
            guard let operations else { return }
            let input = ShipmentInput(trackingNumber: plan.trackingNumber, carrierKey: plan.carrierKey, trackingURL: plan.trackingURL,
                                      lines: plan.identifiers.sorted { $0.key < $1.key }.map { (id: $0.key, value: $0.value) })
            do {
                let queued = try operations.ship(record.ref.description, input)
                try store.setMirrorState(record.ref, .closed, reason: queued, now: now)
                try await target.addPrivateNote("\(Self.notePrefix)\(name): shipment queued with \(plan.description)",
                                                toMirror: snapshot.externalID)
                logger.info("mirror fulfilment queued", ["order.ref": .string(record.ref.description), "result": .string(queued)])
                return
            } catch let error as UserError {
                reason = "\(name) would refuse it: " + error.message.replacingOccurrences(of: "\(record.ref): ", with: "")
            }
        }
        guard record.state != .waiting || record.reason != reason else { return }
        try await target.addPrivateNote("\(Self.notePrefix)not sent to \(name): \(reason)", toMirror: snapshot.externalID)
        try store.setMirrorState(record.ref, .waiting, reason: reason, now: now)
        logger.warning("mirror waiting", ["order.ref": .string(record.ref.description), "reason": .string(reason)])
    }

    /// Each finished push of a mirrored order as a private note on its mirror ("<marketplace>: ship Colissimo 6A…: <result>",
    /// or the channel's refusal), once.
    func writeTimeline() async throws {
        for (mirror, job) in try store.unnotedPushes() {
            guard let id = mirror.storeOrderID else { continue }
            let outcome = job.state == .done ? (job.result ?? "done") : "refused: " + (job.lastError ?? "failed")
            let what = job.payload.shipment.map { "\(job.kind.rawValue) \($0.carrierName ?? $0.carrierKey ?? "") \($0.trackingNumber)" }
                ?? job.kind.rawValue
            do {
                try await target.addPrivateNote("\(Self.notePrefix)\(marketplaceName(mirror.ref)): \(what): \(outcome)", toMirror: id)
                try store.markPushNoted(mirror.ref, jobID: job.id)
            } catch let error as ChannelError {
                logger.warning("mirror timeline not written", ["order.ref": .string(mirror.ref.description), "error": .string(error.description)])
                return
            }
        }
    }

    /// ordersync's own notes start so; they are never read back as the merchant's input.
    static let notePrefix = "ordersync: "

    func marketplaceName(_ ref: OrderRef) -> String { sources.first { $0.id == ref.channel }?.name ?? ref.channel }
}
