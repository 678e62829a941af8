import Foundation

extension BackMarketSimulator {
    /// The only line state each writable `new_state` may be reached from (API notes §3/§6).
    static let transitionSource: [Int: Int] = [2: 1, 3: 2, 4: 1, 5: 2, 6: 3]

    /// `POST /ws/orders/{id}` (`UpdateOrder`): moves lines through 1→2|4, 2→3|5, 3→6.
    ///
    /// With `sku`, only lines whose `listing` equals it are considered; without it, all lines.
    /// Of those, the lines in the source state move; when none is, the reply is a 400 text naming
    /// the lines and their states. Errors are plain-text 400s as Back Market sends them.
    func updateOrder(_ id: Int, request: HTTPRequest, now: Date, state: inout State) -> HTTPResponse {
        guard var order = state.orders[id], !order.archived else {
            return .json(404, Self.errorBody(code: "not_found", message: "Order \(id) not found", state: state))
        }
        guard let body = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any] else {
            return .text(400, "request body must be a JSON object")
        }
        if let sent = body["order_id"], !(sent is NSNull), Self.integer(sent) != id {
            return .text(400, "order_id does not match the order in the URL")
        }
        guard let rawState = body["new_state"], !(rawState is NSNull) else {
            return .text(400, "new_state is required")
        }
        guard let newState = Self.integer(rawState) else {
            return .text(400, "new_state must be an integer")
        }
        guard let source = Self.transitionSource[newState] else {
            return .text(400, "new_state \(newState) must be in 2,3,4,5,6")
        }
        let sku = Self.string(body["sku"])
        var targets = Array(order.lines.indices)
        if let sku {
            targets = targets.filter { order.lines[$0].listing == sku }
            guard !targets.isEmpty else { return .text(400, "sku not found") }
        }
        let movable = targets.filter { order.lines[$0].state == source }
        guard !movable.isEmpty else {
            let current = targets.map { "orderline \(order.lines[$0].id) is in state \(order.lines[$0].state)" }.joined(separator: ", ")
            return .text(400, "cannot set new_state \(newState): \(current); only a line in state \(source) can move to \(newState)")
        }

        var details: [String: String] = [:]
        if let sku { details["sku"] = sku }
        if newState == 3 {
            switch shipDetails(body, order: order, now: now, state: state) {
            case .failure(let message):
                return .text(400, message)
            case .success(let ship):
                details.merge(ship.details) { $1 }
                order.trackingNumber = ship.trackingNumber
                order.trackingURL = ship.trackingURL
                order.shipper = ship.shipper
                order.dateShipping = ship.dateShipping
                if let imei = ship.imei { order.lines[0].imei = imei }
                if let serial = ship.serialNumber { order.lines[0].serialNumber = serial }
            }
        }
        if newState == 6, let reason = body["return_reason"], !(reason is NSNull) {
            details["return_reason"] = "\(reason)"
        }
        for index in movable {
            order.lines[index].state = newState
            if newState == 6 {
                order.lines[index].returnReason = (body["return_reason"] as? NSNumber)?.intValue
                order.lines[index].returnMessage = body["return_message"] as? String
            }
        }
        state.orders[id] = order
        state.touch(id, now: now)

        let kind: AppliedEffect.Kind = switch newState {
        case 2: .accept
        case 3: .ship
        case 4: .cancel
        default: .refund
        }
        state.effects.append(
            AppliedEffect(time: now, orderID: id, kind: kind, lineIDs: movable.map { order.lines[$0].id }, newState: newState, details: details))
        return .json(200, state.orders[id]?.json() ?? order.json())
    }

    private struct ShipDetails {
        var trackingNumber: String
        var trackingURL: String
        var shipper: String
        var dateShipping: Date
        var imei: String?
        var serialNumber: String?
        var details: [String: String]
    }

    private enum ShipResult {
        case success(ShipDetails)
        case failure(String)
    }

    /// Validates the shipping fields of a `new_state: 3` body.
    private func shipDetails(_ body: [String: Any], order: Order, now: Date, state: State) -> ShipResult {
        guard let tracking = Self.string(body["tracking_number"]) else {
            return .failure("tracking_number is required with new_state 3")
        }
        let url = Self.string(body["tracking_url"]) ?? ""
        let shipper = Self.string(body["shipper"]) ?? ""
        if let known = state.configuration.knownShippers, !known.contains(shipper) {
            return .failure("shipper \(shipper.isEmpty ? "(empty)" : shipper) is not a valid shipper")
        }
        var dateShipping = now
        if let text = Self.string(body["date_shipping"]) {
            guard let parsed = SimDate.parse(text) else { return .failure("date_shipping is not a valid date") }
            dateShipping = parsed
        }
        var details = ["tracking_number": tracking, "tracking_url": url, "shipper": shipper, "date_shipping": SimDate.format(dateShipping)]
        let imei = Self.string(body["imei"])
        let serial = Self.string(body["serial_number"])
        if imei != nil || serial != nil {
            // Back Market: imei/serial_number in the ship body only for one line of quantity 1.
            guard order.lines.count == 1, order.lines[0].quantity == 1 else {
                return .failure("imei and serial_number are only accepted for an order with one line of quantity 1; use PATCH /ws/orderlines/{id}")
            }
            let line = order.lines[0]
            if let imei {
                guard Self.isValidIMEI(imei) else { return .failure("imei \(imei) is not a valid IMEI") }
                if !line.imei.isEmpty && line.imei != imei { return .failure("imei is already set on orderline \(line.id)") }
                details["imei"] = imei
            }
            if let serial {
                guard serial.count <= 50 else { return .failure("serial_number must be at most 50 characters") }
                if !line.serialNumber.isEmpty && line.serialNumber != serial {
                    return .failure("serial_number is already set on orderline \(line.id)")
                }
                details["serial_number"] = serial
            }
        }
        return .success(
            ShipDetails(trackingNumber: tracking, trackingURL: url, shipper: shipper, dateShipping: dateShipping, imei: imei, serialNumber: serial, details: details))
    }

    /// `PATCH /ws/orderlines/{id}` with `{imei?, serial_number?}`: sets values that are still empty.
    /// 404 for an unknown line; 422 `{"error":{"code":"E009"…},"data":{"fields":{…}}}` when a value
    /// is already set (even to the same value), invalid, or none is given.
    func patchOrderLine(_ lineID: Int, request: HTTPRequest, now: Date, state: inout State) -> HTTPResponse {
        guard let orderID = state.lineOwner[lineID], var order = state.orders[orderID], !order.archived,
            let index = order.lines.firstIndex(where: { $0.id == lineID })
        else {
            return .json(404, Self.errorBody(code: "not_found", message: "Orderline \(lineID) not found", state: state))
        }
        guard let body = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any] else {
            return .json(400, Self.errorBody(code: "bad_request", message: "request body must be a JSON object", state: state))
        }
        var fields: [String: [String]] = [:]
        func value(_ name: String) -> String? {
            guard let raw = body[name], !(raw is NSNull) else { return nil }
            guard let text = raw as? String else {
                fields[name] = ["Not a valid string."]
                return nil
            }
            return text
        }
        let imei = value("imei")
        let serial = value("serial_number")
        let line = order.lines[index]
        if imei == nil && serial == nil && fields.isEmpty {
            fields["imei"] = ["imei or serial_number is required."]
        }
        if let imei {
            if !line.imei.isEmpty {
                fields["imei"] = ["imei is already set and cannot be changed."]
            } else if !Self.isValidIMEI(imei) {
                fields["imei"] = ["Enter a valid IMEI: 15 digits, at most 15 characters."]
            }
        }
        if let serial {
            if !line.serialNumber.isEmpty {
                fields["serial_number"] = ["serial_number is already set and cannot be changed."]
            } else if serial.trimmingCharacters(in: .whitespaces).isEmpty {
                fields["serial_number"] = ["This field may not be blank."]
            } else if serial.count > 50 {
                fields["serial_number"] = ["Ensure this field has no more than 50 characters."]
            }
        }
        guard fields.isEmpty else {
            return .json(422, ["error": ["code": "E009", "message": "Invalid fields"], "data": ["fields": fields]])
        }
        var details: [String: String] = [:]
        if let imei {
            order.lines[index].imei = imei
            details["imei"] = imei
        }
        if let serial {
            order.lines[index].serialNumber = serial
            details["serial_number"] = serial
        }
        state.orders[orderID] = order
        state.touch(orderID, now: now)
        state.effects.append(AppliedEffect(time: now, orderID: orderID, kind: .patchLine, lineIDs: [lineID], newState: nil, details: details))
        return .json(200, ["imei": order.lines[index].imei, "serial_number": order.lines[index].serialNumber])
    }

    // MARK: - Lenient JSON value readers

    /// An integer from a JSON number with no fraction, or a string of digits; nil otherwise.
    static func integer(_ value: Any?) -> Int? {
        if let text = value as? String { return Int(text.trimmingCharacters(in: .whitespaces)) }
        if let number = value as? NSNumber {
            // JSON booleans arrive as NSNumber of type "c" (and `is Bool` holds for 0 and 1 too on Linux).
            guard String(cString: number.objCType) != "c" else { return nil }
            let double = number.doubleValue
            guard double == double.rounded(), abs(double) < 1e15 else { return nil }
            return number.intValue
        }
        return nil
    }

    /// A non-empty string (numbers are rendered as text); nil for null, absent or empty.
    static func string(_ value: Any?) -> String? {
        switch value {
        case let text as String: return text.isEmpty ? nil : text
        case let number as NSNumber: return number.stringValue
        default: return nil
        }
    }

    /// Back Market's IMEI rule: at most 15 characters, exactly 15 digits, Luhn check digit valid.
    public static func isValidIMEI(_ text: String) -> Bool {
        let digits = text.compactMap { $0.isASCII ? $0.wholeNumberValue : nil }
        guard text.count == 15, digits.count == 15 else { return false }
        var sum = 0
        for (offset, digit) in digits.enumerated() {
            if offset % 2 == 1 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return sum % 10 == 0
    }
}
