import Foundation
import OrderSync

extension SpartooChannel {
    /// Accept (`statut=2`), cancel (`statut=41`) or ship (`statut=3` + `tracking_number`; an order still at 11
    /// is accepted first) on the order's own site. Idempotent: the order is read by `oID` first and only
    /// what it does not show yet is sent; −9 (status unchanged) counts as done; −7 is checked against a
    /// fresh read (past the target = done, else permanent, logged with the order ref). Spartoo takes no
    /// carrier, tracking URL or cancel reason: those stay local.
    public func push(_ job: Job, order: Order) async throws -> PushResult {
        let operation = "\(job.kind.rawValue) \(job.ref)"
        let (prefix, orderID) = Self.split(job.ref.externalID)
        let site = prefix ?? order.site ?? endpoints.first?.site ?? "fr"
        let client = try client(site, operation: operation)
        if job.kind == .returnDecision { return try await decideReturn(job, on: client, operation: operation) }
        let externalID = job.ref.externalID
        var tracking = ""
        if job.kind == .ship {
            guard let shipment = job.payload.shipment else {
                throw ChannelError(.permanent, operation: operation, message: "ship job without shipment data")
            }
            tracking = shipment.trackingNumber.filter { !$0.isWhitespace }
        }

        // Before any (re)push, read the order: its status on Spartoo decides what is left to do.
        guard let current = try await readForPush(orderID, on: client, as: externalID, operation: operation) else {
            throw ChannelError(.permanent, operation: operation,
                               message: "order \(job.ref) not found on Spartoo site \(site) (code -6, read twice)")
        }
        let status = Int(current.order.channelStatus) ?? -1
        switch SpartooStates.plan(job.kind, at: status) {
        case .alreadyDone(let reason):
            if job.kind == .ship, let conflict = trackingConflict(current.order, tracking: tracking, operation: operation) {
                throw conflict
            }
            if job.kind == .accept { await saveSlip(of: current.order, ref: job.ref) }
            return PushResult(outcome: .alreadyDone(reason), refreshed: current)
        case .obsolete(let reason):
            throw ChannelError(.obsolete, operation: operation, message: reason)
        case .refuse(let reason):
            throw ChannelError(.permanent, operation: operation, message: "\(job.ref): \(reason)")
        case .send(let steps):
            var applied: [Int] = []
            for target in steps {
                var parameters = [("oID", orderID), ("statut", String(target))]
                if target == SpartooStates.shipped { parameters.append(("tracking_number", tracking)) }
                do {
                    if try await update(parameters, target: target, on: client, ref: job.ref, orderID: orderID, operation: operation) {
                        applied.append(target)
                    }
                } catch var refusal as ChannelError where SpartooStates.parcelOutcomes.contains(target) && !refusal.isRetryable {
                    refusal.message += "; mark it in the Spartoo back office instead (order page, button "
                        + (target == SpartooStates.lost ? "\"Perdido\" / lost)" : "\"Problema de entrega\" / delivery problem)")
                    throw refusal
                }
            }
            let after = try? await fetch(orderID, on: client, as: externalID)
            if job.kind == .accept || applied.contains(SpartooStates.accepted) {
                await saveSlip(of: (after ?? current).order, ref: job.ref)
            }
            let outcome: PushOutcome = applied.isEmpty
                ? .alreadyDone("Spartoo already showed status \(steps.last ?? 0)")
                : .pushed("status set to " + applied.map(String.init).joined(separator: " then "))
            return PushResult(outcome: outcome, refreshed: after)
        }
    }

    /// Reads the order for a push; a −6 is read once more (API notes §4) before it counts as not found.
    private func readForPush(_ orderID: String, on client: SiteClient, as externalID: String, operation: String)
        async throws -> FetchedOrder? {
        if let found = try await fetch(orderID, on: client, as: externalID) { return found }
        try await Task.sleep(nanoseconds: 200_000_000)
        return try await fetch(orderID, on: client, as: externalID)
    }

    /// Sends one `xml_maj_orders.php`. Returns true when Spartoo applied it now (1, or a reply without a code
    /// after which a read shows the target), false when the order already had that status (−9, or −7 with a
    /// fresh read at or past the target). Throws otherwise (retryable when a reply without a code left the
    /// order short of the target).
    private func update(_ parameters: [(String, String)], target: Int, on client: SiteClient, ref: OrderRef,
                        orderID: String, operation: String) async throws -> Bool {
        let reply = try await call("xml_maj_orders.php", parameters, on: client, operation: operation)
        guard let code = reply.code else {
            // The reply's shape is undocumented (API notes §2): read the order back. At the target, the
            // change took (the read before the push showed it short of the target); else retry later.
            let now = try? await fetch(orderID, on: client, as: ref.externalID)
            if let status = now.flatMap({ Int($0.order.channelStatus) }), SpartooStates.reached(target, from: status) {
                logger.debug("spartoo update reply not understood; the order shows it applied",
                             ["order.ref": .string(ref.description), "target": .int(target)])
                return true
            }
            throw ChannelError(.retryable(retryAfter: nil), operation: operation,
                               message: "Spartoo site \(client.site): update reply carries no result code and the order "
                                   + "does not show status \(target) yet")
        }
        switch code.value {
        case 1, 0:
            return true
        case -9:
            return false
        case -7:
            let now = try await fetch(orderID, on: client, as: ref.externalID)
            let status = now.flatMap { Int($0.order.channelStatus) }
            if let status, SpartooStates.reached(target, from: status) { return false }
            logger.warning("spartoo refused status change", ["order.ref": .string(ref.description), "target": .int(target),
                                                             "status": .int(status ?? -1)])
            throw ChannelError(.permanent, operation: operation,
                               message: "Spartoo refused status \(target) for \(ref) (code -7, illegal transition); "
                                   + "the order is now at status \(status.map(String.init) ?? "unknown")")
        default:
            throw code.error(operation: operation, site: client.site)
        }
    }

    /// A shipped order showing another tracking number than the one asked for: a conflict, not a success.
    private func trackingConflict(_ order: Order, tracking: String, operation: String) -> ChannelError? {
        guard let existing = order.extra["tracking_number"]?.filter({ !$0.isWhitespace }), !existing.isEmpty,
              existing.caseInsensitiveCompare(tracking) != .orderedSame else { return nil }
        return ChannelError(.conflict, operation: operation, message: "order already shipped on Spartoo with another tracking number")
    }
}
