import Foundation
import OrderSync

extension BackMarketChannel {
    public func push(_ job: Job, order: Order) async throws -> PushResult {
        let operation = "\(job.kind.rawValue) \(job.ref)"
        // Before any (re)push, read the order: the channel's state decides what is left to do.
        guard let current = try await fetchOrder(externalID: job.ref.externalID) else {
            throw ChannelError(.permanent, operation: operation, httpStatus: 404, message: "order not found on Back Market")
        }
        switch job.kind {
        case .accept: return try await accept(current, operation: operation)
        case .cancel: return try await cancel(current, operation: operation)
        case .ship:
            guard let shipment = job.payload.shipment else {
                throw ChannelError(.permanent, operation: operation, message: "ship job without shipment data")
            }
            return try await ship(current, shipment: shipment, operation: operation)
        case .mirror:
            throw ChannelError(.permanent, operation: operation, message: "mirror jobs are run by the mirror service")
        case .refund:
            return try await refund(current, job: job, operation: operation)
        case .returnDecision:
            throw ChannelError(.permanent, operation: operation,
                               message: "Back Market takes no return decision through its API (care folders are read-only here)")
        case .parcelLost, .parcelUndelivered:
            throw ChannelError(.permanent, operation: operation,
                               message: "Back Market marks parcels lost or undelivered itself (return reasons 11-13)")
        }
    }

    private func lineStates(_ order: Order) -> [(line: OrderLine, state: Int)] {
        order.lines.map { ($0, Int($0.channelState ?? "") ?? -1) }
    }

    /// Posts one state change. Returns false when Back Market answered 2xx without a JSON body: the change
    /// may or may not have been applied, and the caller judges it by reading the order back.
    @discardableResult
    private func post(_ orderID: String, _ fields: [(String, JSONValue)], operation: String) async throws -> Bool {
        let body = JSONValue.object([("order_id", .number(orderID))] + fields)
        let (response, json) = try await send(request("POST", "ws/orders/\(orderID)", body: body), operation: operation)
        guard (200..<300).contains(response.status) else { throw failure(response, operation: operation) }
        if json == nil { unconfirmedWrite(response, operation: operation) }
        return json != nil
    }

    private func unconfirmedWrite(_ response: ChannelResponse, operation: String) {
        logger.info("write answered without JSON; reading the order back",
                    ["channel": .string(id), "operation": .string(operation), "status": .int(response.status)])
    }

    /// The order as it stands after a write whose reply did not say what happened.
    private func readBack(_ orderID: String, operation: String) async throws -> FetchedOrder {
        guard let after = try await fetchOrder(externalID: orderID) else {
            throw ChannelError(.retryable(retryAfter: nil), operation: operation, message: "order not found when read back")
        }
        return after
    }

    /// Accept: `new_state 2` with the line's `sku` (its listing), once per distinct listing in state 1,
    /// then GET again to verify every line moved.
    func accept(_ fetched: FetchedOrder, operation: String) async throws -> PushResult {
        let lines = lineStates(fetched.order)
        let waiting = lines.filter { $0.state == 1 }
        if waiting.isEmpty {
            if lines.contains(where: { [2, 3].contains($0.state) }) {
                return PushResult(outcome: .alreadyDone("lines already accepted"), refreshed: fetched)
            }
            if fetched.order.status == .pendingPayment || fetched.order.status == .onHold {
                throw ChannelError(.retryable(retryAfter: nil), operation: operation,
                                   message: "order is \(fetched.order.status.rawValue); not yet acceptable")
            }
            throw ChannelError(.obsolete, operation: operation, message: "no line waits for acceptance (order \(fetched.order.status.rawValue))")
        }
        var listings: [String] = []
        for (line, _) in waiting {
            guard let sku = line.sku else {
                throw ChannelError(.permanent, operation: operation, message: "line \(line.lineID) has no listing to accept")
            }
            if !listings.contains(sku) { listings.append(sku) }
        }
        for sku in listings {
            try await post(fetched.order.ref.externalID, [("new_state", .number("2")), ("sku", .string(sku))], operation: operation)
        }
        guard let after = try await fetchOrder(externalID: fetched.order.ref.externalID) else {
            throw ChannelError(.retryable(retryAfter: nil), operation: operation, message: "order vanished after accept")
        }
        if lineStates(after.order).contains(where: { $0.state == 1 }) {
            throw ChannelError(.retryable(retryAfter: nil), operation: operation, message: "some lines still wait for acceptance")
        }
        return PushResult(outcome: .pushed("accepted \(listings.count) listing(s)"), refreshed: after)
    }

    /// Cancel: lines in 1 → 4, lines in 2 → 5 (refund before shipping); shipped lines refuse.
    func cancel(_ fetched: FetchedOrder, operation: String) async throws -> PushResult {
        let lines = lineStates(fetched.order)
        if lines.contains(where: { $0.state == 3 }) {
            throw ChannelError(.permanent, operation: operation,
                               message: "a line is already shipped; cancel is a return flow on Back Market")
        }
        var moves: [(sku: String, to: Int)] = []
        for (line, state) in lines where state == 1 || state == 2 {
            guard let sku = line.sku else {
                throw ChannelError(.permanent, operation: operation, message: "line \(line.lineID) has no listing")
            }
            let move = (sku, state == 1 ? 4 : 5)
            if !moves.contains(where: { $0.sku == move.0 && $0.to == move.1 }) { moves.append(move) }
        }
        if moves.isEmpty {
            if fetched.order.status == .cancelled || fetched.order.status == .refunded {
                return PushResult(outcome: .alreadyDone("already cancelled"), refreshed: fetched)
            }
            throw ChannelError(.permanent, operation: operation, message: "no line can be cancelled (order \(fetched.order.status.rawValue))")
        }
        var confirmed = true
        for move in moves {
            confirmed = try await post(fetched.order.ref.externalID, [("new_state", .number(String(move.to))), ("sku", .string(move.sku))],
                                       operation: operation) && confirmed
        }
        if !confirmed {
            let after = try await readBack(fetched.order.ref.externalID, operation: operation)
            if lineStates(after.order).contains(where: { $0.state == 1 || $0.state == 2 }) {
                throw ChannelError(.retryable(retryAfter: nil), operation: operation,
                                   message: "Back Market's reply was not JSON and the order still has lines to cancel")
            }
            return PushResult(outcome: .pushed("cancelled \(moves.count) listing(s)"), refreshed: after)
        }
        let after = try await fetchOrder(externalID: fetched.order.ref.externalID)
        return PushResult(outcome: .pushed("cancelled \(moves.count) listing(s)"), refreshed: after)
    }

    /// Ship: record IMEI/serial numbers (in the ship body only for one line of quantity 1, otherwise
    /// `PATCH /ws/orderlines/{id}` per line first), then `new_state 3` with tracking and shipper, no sku.
    func ship(_ fetched: FetchedOrder, shipment: ShipmentRequest, operation: String) async throws -> PushResult {
        let order = fetched.order
        let lines = lineStates(order)
        let tracking = shipment.trackingNumber.filter { !$0.isWhitespace }
        // Every line cancelled or refunded before shipping (Back Market may then report order 9): drop the job.
        let live = lines.filter { !BackMarketStates.deadLineStates.contains($0.state) }
        if live.isEmpty, !lines.contains(where: { $0.state == 6 }) {
            throw ChannelError(.obsolete, operation: operation, message: "no line left to ship (order \(order.status.rawValue))")
        }
        if !lines.isEmpty, lines.allSatisfy({ $0.state == 3 || BackMarketStates.deadLineStates.contains($0.state) })
            || order.channelStatus == "9" {
            let existing = order.extra["tracking_number"]?.filter { !$0.isWhitespace }
            if existing == nil || existing == tracking {
                return PushResult(outcome: .alreadyDone("already shipped with this tracking number"), refreshed: fetched)
            }
            throw ChannelError(.conflict, operation: operation,
                               message: "order already shipped with another tracking number")
        }
        if lines.contains(where: { $0.state == 1 }) {
            throw ChannelError(.retryable(retryAfter: nil), operation: operation, message: "order not accepted yet")
        }
        // Back Market: `new_state 3` ships every line of the order, so a parcel packed before some lines were
        // cancelled no longer matches; the operator decides.
        let cancelled = lines.filter { $0.state == 4 || $0.state == 5 }.map(\.line.lineID)
        if !cancelled.isEmpty, lines.contains(where: { $0.state == 2 }) {
            throw ChannelError(.conflict, operation: operation, message: "held: line(s) \(cancelled.joined(separator: ", ")) "
                + "were cancelled on Back Market and the others still wait to ship; new_state 3 ships every line, so check "
                + "the parcel, ship the remaining lines in the Back Market back office, then `ordersync retry` this job")
        }
        if !lines.contains(where: { $0.state == 2 }) {
            throw ChannelError(.obsolete, operation: operation, message: "no line can be shipped (order \(order.status.rawValue))")
        }
        var body: [(String, JSONValue)] = [("new_state", .number("3")), ("tracking_number", .string(tracking))]
        if let url = shipment.trackingURL { body.append(("tracking_url", .string(url))) }
        if let shipper = shipment.carrierName { body.append(("shipper", .string(shipper))) }
        body.append(("date_shipping", .string(Timestamp.format(shipment.shippedAt))))

        let identified = shipment.lines.filter { $0.imei != nil || $0.serial != nil }
        var unconfirmedPatches: [ShipLine] = []
        let singleUnit = order.lines.count == 1 && order.lines[0].quantity == 1
        for item in identified {
            guard let line = order.lines.first(where: { $0.lineID == item.lineID }) else {
                throw ChannelError(.permanent, operation: operation, message: "line \(item.lineID) is not in the order")
            }
            // Values cannot be corrected on Back Market: equal → nothing to send; different → refuse.
            if let want = item.imei, let have = line.imei {
                if have == want { continue }
                throw ChannelError(.conflict, operation: operation, message: "line \(line.lineID) already has another IMEI")
            }
            if let want = item.serial, let have = line.serial {
                if have == want { continue }
                throw ChannelError(.conflict, operation: operation, message: "line \(line.lineID) already has another serial number")
            }
            if singleUnit {
                // Back Market: imei / serial_number in the ship body only for one line of quantity 1.
                if let imei = item.imei { body.append(("imei", .string(imei))) }
                if let serial = item.serial { body.append(("serial_number", .string(serial))) }
            } else {
                var patch: [(String, JSONValue)] = []
                if let imei = item.imei { patch.append(("imei", .string(imei))) }
                if let serial = item.serial { patch.append(("serial_number", .string(serial))) }
                let (response, json) = try await send(request("PATCH", "ws/orderlines/\(line.lineID)", body: .object(patch)),
                                                      operation: "\(operation) line \(line.lineID)")
                guard (200..<300).contains(response.status) else {
                    throw failure(response, operation: "\(operation) line \(line.lineID)")
                }
                if json == nil {
                    unconfirmedWrite(response, operation: "\(operation) line \(line.lineID)")
                    unconfirmedPatches.append(item)
                }
            }
        }
        if !unconfirmedPatches.isEmpty {
            let after = try await readBack(order.ref.externalID, operation: operation)
            for item in unconfirmedPatches {
                let line = after.order.lines.first { $0.lineID == item.lineID }
                let imeiMissing = item.imei.map { $0 != line?.imei } ?? false
                let serialMissing = item.serial.map { $0 != line?.serial } ?? false
                if imeiMissing || serialMissing {
                    throw ChannelError(.retryable(retryAfter: nil), operation: "\(operation) line \(item.lineID)",
                                       message: "Back Market's reply was not JSON and the line does not show the identifier")
                }
            }
        }
        let confirmed = try await post(order.ref.externalID, body, operation: operation)
        if !confirmed {
            let after = try await readBack(order.ref.externalID, operation: operation)
            let states = lineStates(after.order)
            let shipped = after.order.channelStatus == "9"
                || (!states.isEmpty && states.allSatisfy { $0.state == 3 || BackMarketStates.deadLineStates.contains($0.state) })
            guard shipped else {
                throw ChannelError(.retryable(retryAfter: nil), operation: operation,
                                   message: "Back Market's reply was not JSON and the order is not shipped")
            }
            return PushResult(outcome: .pushed("shipped"), refreshed: after)
        }
        let after = try await fetchOrder(externalID: order.ref.externalID)
        return PushResult(outcome: .pushed("shipped"), refreshed: after)
    }
}
