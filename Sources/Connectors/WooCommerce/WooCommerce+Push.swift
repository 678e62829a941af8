import Foundation
import OrderSync

extension WooCommerceChannel {
    /// Performs a job. The order is read first, then its notes or trackings: an effect already on the
    /// store (a note or tracking entry carrying this tracking number, the status already set) is not sent
    /// again, so a job re-run after a crash or a timeout never e-mails the buyer twice.
    public func push(_ job: Job, order: Order) async throws -> PushResult {
        let operation = "\(job.kind.rawValue) \(job.ref)"
        guard let current = try await fetchOrder(externalID: job.ref.externalID) else {
            throw ChannelError(.permanent, operation: operation, httpStatus: 404, message: "order not found on WooCommerce (deleted?)")
        }
        switch job.kind {
        case .accept:
            return PushResult(outcome: .alreadyDone("woocommerce orders need no acceptance"), refreshed: current)
        case .cancel:
            return try await cancel(current, reason: job.payload.reason, operation: operation)
        case .ship:
            guard let shipment = job.payload.shipment else {
                throw ChannelError(.permanent, operation: operation, message: "ship job without shipment data")
            }
            return try await ship(current, shipment: shipment, local: order, operation: operation)
        case .mirror:
            throw ChannelError(.permanent, operation: operation, message: "mirror jobs are run by the mirror service")
        case .refund:
            return try await refund(current, job: job, operation: operation)
        case .returnDecision:
            throw ChannelError(.permanent, operation: operation, message: "WooCommerce has no returns to decide; refund instead")
        case .parcelLost, .parcelUndelivered:
            throw ChannelError(.permanent, operation: operation, message: "WooCommerce has no lost or undelivered status; refund instead")
        }
    }

    /// `PUT /orders/{id}` with only the given fields (never line items or addresses: that recalculates
    /// totals). Setting a status twice sends no second e-mail, so this may be retried. Returns the order.
    func update(_ externalID: String, _ fields: [(String, JSONValue)], operation: String) async throws -> FetchedOrder {
        let (response, json) = try await send(request("PUT", "orders/\(externalID)", body: .object(fields)), operation: operation)
        guard let json else { throw failure(response, operation: operation) }
        return try fetched(json, response: response, operation: operation)
    }

    /// The order's notes of `type` (`customer`, `internal`, `any`).
    func notes(_ externalID: String, type: String, operation: String) async throws -> [JSONValue] {
        let (response, json) = try await send(request("GET", "orders/\(externalID)/notes", query: [("type", type)]),
                                              operation: operation + " (read notes)")
        guard let json else { throw failure(response, operation: operation + " (read notes)") }
        guard let list = json.array else {
            throw ChannelError(.retryable(retryAfter: nil), operation: operation, httpStatus: response.status,
                               message: "notes response is not a list")
        }
        return list
    }

    /// `POST /orders/{id}/notes`, one attempt (a customer note e-mails the buyer).
    func addNote(_ externalID: String, text: String, customer: Bool, operation: String) async throws {
        let body = JSONValue.object([("note", .string(text)), ("customer_note", .bool(customer))])
        let (response, json) = try await send(request("POST", "orders/\(externalID)/notes", body: body),
                                              operation: operation + " (add note)", once: true)
        guard let json else { throw failure(response, operation: operation + " (add note)") }
        // Done only when WooCommerce names the note it created (a redirected or proxied reply is not).
        guard json["id"]?.int != nil else {
            throw ChannelError(.retryable(retryAfter: nil), operation: operation + " (add note)", httpStatus: response.status,
                               message: "the reply names no created note (no id); the notes are read again before any retry")
        }
    }

    /// Cancel (pending, processing, on-hold): the reason as an internal note (no e-mail), then
    /// `{"status":"cancelled"}`. No refund is made. Already cancelled, failed, refunded or trashed: done.
    func cancel(_ current: FetchedOrder, reason: String?, operation: String) async throws -> PushResult {
        let externalID = current.order.ref.externalID
        let status = current.order.channelStatus
        if WooCommerceStatuses.cancelledLike.contains(status) {
            return PushResult(outcome: .alreadyDone("already \(status)"), refreshed: current)
        }
        if status == "completed" {
            throw ChannelError(.permanent, operation: operation,
                               message: "order is completed on WooCommerce; a completed order is refunded, not cancelled")
        }
        if let reason, !reason.isEmpty {
            let text = "Cancelled by ordersync: \(reason)"
            let existing = try await notes(externalID, type: "internal", operation: operation)
            if !existing.contains(where: { ($0["note"]?.text).map { WooCommerceMapper.plainText($0) == text } ?? false }) {
                try await addNote(externalID, text: text, customer: false, operation: operation)
            }
        }
        let after = try await update(externalID, [("status", .string("cancelled"))], operation: operation)
        return PushResult(outcome: .pushed("status cancelled"), refreshed: after)
    }

    /// Ship: (a) the tracking on the store, unless a note or tracking entry already carries this number;
    /// (b) when every line has shipped, `{"status":"completed"}` (`complete_on_ship`) or our shipped
    /// marker in `meta_data` (so `processing` reads `shipped`).
    func ship(_ current: FetchedOrder, shipment: ShipmentRequest, local: Order, operation: String) async throws -> PushResult {
        let order = current.order
        let externalID = order.ref.externalID
        let status = order.channelStatus
        if WooCommerceStatuses.cancelledLike.contains(status) {
            throw ChannelError(.obsolete, operation: operation, message: "order is \(status) on WooCommerce")
        }
        if status == "pending" || WooCommerceStatuses.drafts.contains(status) {
            throw ChannelError(.permanent, operation: operation, message: "order is \(status) on WooCommerce (not paid)")
        }
        var done: [String] = []
        var skipped: [String] = []
        switch tracking {
        case .note:
            let lines = shipment.wholeOrder ? [] : shipment.lines.compactMap { item in order.lines.first { $0.lineID == item.lineID } }
            let existing = try await notes(externalID, type: "customer", operation: operation)
            if existing.contains(where: { WooCommerceTracking.mentions($0["note"]?.text ?? "", tracking: shipment.trackingNumber) }) {
                skipped.append("a customer note already carries this tracking number")
            } else {
                let text = WooCommerceTracking.noteText(carrier: shipment.carrierName ?? shipment.carrierKey,
                                                        tracking: shipment.trackingNumber, url: shipment.trackingURL, lines: lines)
                try await addNote(externalID, text: text, customer: true, operation: operation)
                done.append("customer note added")
            }
        case .shipmentTracking:
            let (found, trackingID) = try await addTracking(externalID, shipment: shipment, local: local, operation: operation)
            if found { skipped.append("tracking \(trackingID) already on the order") } else { done.append("tracking \(trackingID) added") }
        }

        var refreshed = current
        let allShipped = WooCommerceTracking.allLinesShipped(lines: order.lines, shipments: local.shipments, current: shipment)
        if allShipped && completeOnShip && status != "completed" {
            refreshed = try await update(externalID, [("status", .string("completed"))], operation: operation)
            done.append("status completed")
        } else if allShipped && !completeOnShip && order.extra["shipped_by_ordersync"] != "yes" {
            let meta = JSONValue.array([.object([("key", .string(WooCommerceMapper.shippedMetaKey)), ("value", .string("yes"))])])
            refreshed = try await update(externalID, [("meta_data", meta)], operation: operation)
            done.append("marked shipped")
        }
        if done.isEmpty {
            return PushResult(outcome: .alreadyDone(skipped.joined(separator: "; ")), refreshed: refreshed)
        }
        return PushResult(outcome: .pushed((done + skipped).joined(separator: "; ")), refreshed: refreshed)
    }

    /// Shipment Tracking extension: reads the order's entries; one with this number → its `tracking_id`
    /// (found: true); else POSTs one and returns the new `tracking_id`. The provider is
    /// `carriers.<key>.names.woocommerce` when the extension's provider list has it; otherwise a custom
    /// provider with the rendered link (logged once per name), since an unknown name leaves the buyer no link.
    func addTracking(_ externalID: String, shipment: ShipmentRequest, local: Order,
                     operation: String) async throws -> (found: Bool, trackingID: String) {
        let path = "orders/\(externalID)/shipment-trackings"
        let readOperation = operation + " (read trackings)"
        let (response, json) = try await send(request("GET", path, namespace: .shipmentTracking), operation: readOperation)
        guard let json else {
            if response.status == 404 {
                throw ChannelError(.permanent, operation: readOperation, httpStatus: 404,
                                   message: "the Shipment Tracking extension does not answer (rest_no_route): install it, or use \"tracking\": \"note\"")
            }
            throw failure(response, operation: readOperation)
        }
        let wanted = ShipmentPlanner.dedupeKey(shipment.trackingNumber)
        if let entry = json.array?.first(where: { ShipmentPlanner.dedupeKey($0["tracking_number"]?.text ?? "") == wanted }) {
            return (true, entry["tracking_id"]?.text ?? "?")
        }
        var body: [(String, JSONValue)] = [("tracking_number", .string(WooCommerceTracking.compact(shipment.trackingNumber)))]
        var provider: String?
        if let name = shipment.carrierName, !name.isEmpty {
            if try await trackingProviderKnown(name, orderID: externalID, operation: operation) {
                provider = name
            } else if alerts.raise("provider:" + WooCommerceTracking.providerSlug(name)) {
                logger.warning("tracking provider unknown to the Shipment Tracking extension; sent as a custom provider with its link",
                               ["provider": .string(name), "carrier": .string(shipment.carrierKey ?? "")])
            }
        }
        if let provider {
            body.append(("tracking_provider", .string(provider)))
        } else {
            let carrier = shipment.carrierKey.flatMap { carriers[$0] }
            let rendered = carrier?.trackingURL(number: shipment.trackingNumber, postcode: local.shippingAddress?.postcode ?? "")
            let name = shipment.carrierName.flatMap { $0.isEmpty ? nil : $0 } ?? shipment.carrierKey ?? "Carrier"
            body.append(("custom_tracking_provider", .string(name)))
            if let link = WooCommerceTracking.customLink(shipmentURL: shipment.trackingURL, rendered: rendered) {
                body.append(("custom_tracking_link", .string(link)))
            }
        }
        body.append(("date_shipped", .string(WooCommerceTracking.dateShipped(shipment.shippedAt))))
        let addOperation = operation + " (add tracking)"
        let (created, createdJSON) = try await send(request("POST", path, body: .object(body), namespace: .shipmentTracking),
                                                    operation: addOperation, once: true)
        guard let createdJSON else { throw failure(created, operation: addOperation) }
        // Done only when the extension names the entry it created (a redirected or proxied reply is not).
        guard let trackingID = createdJSON["tracking_id"]?.text, !trackingID.isEmpty else {
            throw ChannelError(.retryable(retryAfter: nil), operation: addOperation, httpStatus: created.status,
                               message: "the reply names no created tracking entry (no tracking_id); the trackings are read again before any retry")
        }
        return (false, trackingID)
    }
}
