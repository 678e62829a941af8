import Foundation

extension WooCommerceSimulator {
    /// Parses a JSON object body; WordPress answers 400 `rest_invalid_json` otherwise.
    static func jsonObject(_ request: HTTPRequest) -> Result<[String: Any], Denied> {
        if request.body.isEmpty { return .success([:]) }
        guard let object = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any] else {
            return .failure(Denied(response: error(400, "rest_invalid_json", "Invalid JSON body passed.")))
        }
        return .success(object)
    }

    /// `GET /orders/{id}`: any status, trash included; 404 `woocommerce_rest_shop_order_invalid_id` when unknown.
    func getOrder(_ id: Int, now: Date, state: inout State) -> HTTPResponse {
        guard state.orders[id] != nil else { return Self.invalidOrderID() }
        if state.configuration.getBumpsModified { state.touch(id, now: now) }
        return .json(200, state.orders[id]!.json(zone: state.configuration.timeZone, baseURL: state.baseURL))
    }

    /// `PUT /orders/{id}` (also POST/PATCH): applies `meta_data`, `customer_note`, addresses and the rest,
    /// then `status` last, and bumps `date_modified`. Writing `line_items`, `billing`, `shipping`,
    /// `shipping_lines`, `fee_lines` or `coupon_lines` makes WooCommerce recalculate totals: recorded as a
    /// ``AppliedEffect/Kind/totalsRecalculated`` effect so tests can prove a client never does it.
    func updateOrder(_ id: Int, request: HTTPRequest, key: APIKey, now: Date, state: inout State) -> HTTPResponse {
        let body: [String: Any]
        switch Self.jsonObject(request) {
        case .success(let object): body = object
        case .failure(let denied): return denied.response
        }
        if let problem = applyUpdate(id, body, key: key, now: now, state: &state) { return problem }
        return .json(200, state.orders[id]!.json(zone: state.configuration.timeZone, baseURL: state.baseURL))
    }

    /// Applies one order update; returns an error reply, or nil when applied.
    func applyUpdate(_ id: Int, _ body: [String: Any], key: APIKey, now: Date, state: inout State) -> HTTPResponse? {
        guard var order = state.orders[id] else { return Self.invalidOrderID() }
        var newStatus: String?
        if let value = body["status"] {
            guard let status = value as? String, state.settableStatuses.contains(status) else {
                return Self.invalidParam("status", "status is not one of \(state.settableStatuses.joined(separator: ", ")).")
            }
            if state.configuration.strictTransitions, order.status == "completed", ["processing", "pending", "on-hold"].contains(status) {
                return Self.error(400, "woocommerce_rest_invalid_transition", "Cannot move a completed order back to \(status).")
            }
            newStatus = status
        }
        var details: [String: String] = [:]
        if let meta = body["meta_data"] {
            guard let entries = meta as? [[String: Any]] else { return Self.invalidParam("meta_data", "meta_data is not of type array.") }
            for entry in entries {
                guard let metaKey = entry["key"] as? String else { continue }
                let value = Self.text(entry["value"]) ?? ""
                if let index = order.metaData.firstIndex(where: { $0.key == metaKey }) {
                    order.metaData[index].value = value
                } else {
                    order.metaData.append(Meta(key: metaKey, value: value))
                }
                details["meta.\(metaKey)"] = value
            }
        }
        if let note = body["customer_note"] as? String { order.customerNote = note; details["customer_note"] = note }
        let recalculating = ["line_items", "billing", "shipping", "shipping_lines", "fee_lines", "coupon_lines"].filter { body[$0] != nil }
        for (name, keyPath) in [("billing", \Order.billing), ("shipping", \Order.shipping)] {
            guard let fields = body[name] as? [String: Any] else { continue }
            var address = order[keyPath: keyPath]
            if let v = fields["first_name"] as? String { address.firstName = v }
            if let v = fields["last_name"] as? String { address.lastName = v }
            if let v = fields["address_1"] as? String { address.address1 = v }
            if let v = fields["postcode"] as? String { address.postcode = v }
            if let v = fields["city"] as? String { address.city = v }
            order[keyPath: keyPath] = address
        }
        state.assignIDs(&order)
        state.orders[id] = order
        state.touch(id, now: now)
        if !details.isEmpty {
            state.effects.append(AppliedEffect(time: now, orderID: id, kind: .metaUpdate, details: details))
        }
        if !recalculating.isEmpty {
            state.effects.append(AppliedEffect(time: now, orderID: id, kind: .totalsRecalculated,
                                               details: ["fields": recalculating.joined(separator: ",")]))
        }
        if let newStatus {
            let manual = (body["manual_update"] as? Bool) == true
            state.changeStatus(id, to: newStatus, now: now, byUser: manual ? key.user : nil)
        }
        return nil
    }

    /// `DELETE /orders/{id}`: to the bin, or gone with `force=true`.
    func deleteOrder(_ id: Int, request: HTTPRequest, now: Date, state: inout State) -> HTTPResponse {
        guard let order = state.orders[id] else { return Self.invalidOrderID() }
        let json = order.json(zone: state.configuration.timeZone, baseURL: state.baseURL)
        if ["true", "1"].contains(request.query["force"]?.lowercased() ?? "") {
            state.orders[id] = nil
            state.effects.append(AppliedEffect(time: now, orderID: id, kind: .deleted, details: [:]))
            return .json(200, json)
        }
        state.trash(id, now: now)
        return .json(200, state.orders[id]!.json(zone: state.configuration.timeZone, baseURL: state.baseURL))
    }

    /// `POST /orders/batch` `{create, update, delete}`: at most 100 items in all (else 413); each update
    /// is applied like a PUT, each delete moves to the bin; creating orders is not simulated.
    func batch(_ request: HTTPRequest, key: APIKey, now: Date, state: inout State) -> HTTPResponse {
        let body: [String: Any]
        switch Self.jsonObject(request) {
        case .success(let object): body = object
        case .failure(let denied): return denied.response
        }
        let creates = body["create"] as? [Any] ?? [], updates = body["update"] as? [[String: Any]] ?? []
        let deletes = body["delete"] as? [Any] ?? []
        guard creates.count + updates.count + deletes.count <= 100 else {
            return Self.error(413, "woocommerce_rest_request_entity_too_large", "Unable to accept more than 100 items for this request.")
        }
        func itemError(_ id: Any, _ response: HTTPResponse) -> [String: Any] {
            let object = response.wooObject() ?? [:]
            return ["id": id, "error": ["code": object["code"] ?? "error", "message": object["message"] ?? "",
                                        "data": object["data"] ?? ["status": response.status]]]
        }
        let zone = state.configuration.timeZone
        var result: [String: Any] = [:]
        if !creates.isEmpty {
            result["create"] = creates.map { _ in
                itemError(0, Self.error(400, "woocommerce_rest_cannot_create", "The simulator does not create orders through the API."))
            }
        }
        if !updates.isEmpty {
            result["update"] = updates.map { item -> [String: Any] in
                guard let id = Self.integer(item["id"]) else { return itemError(0, Self.invalidOrderID()) }
                if let problem = applyUpdate(id, item, key: key, now: now, state: &state) { return itemError(id, problem) }
                return state.orders[id]!.json(zone: zone, baseURL: state.baseURL)
            }
        }
        if !deletes.isEmpty {
            result["delete"] = deletes.map { value -> [String: Any] in
                guard let id = Self.integer(value), state.orders[id] != nil else { return itemError(value, Self.invalidOrderID()) }
                state.trash(id, now: now)
                return state.orders[id]!.json(zone: zone, baseURL: state.baseURL)
            }
        }
        return .json(200, result)
    }

    // MARK: - Lenient JSON value readers

    /// An integer from a JSON number without fraction or a string of digits.
    static func integer(_ value: Any?) -> Int? {
        if let text = value as? String { return Int(text.trimmingCharacters(in: .whitespaces)) }
        if let number = value as? NSNumber, String(cString: number.objCType) != "c" {
            let double = number.doubleValue
            return double == double.rounded() && abs(double) < 1e15 ? number.intValue : nil
        }
        return nil
    }

    /// Text from a string, number or boolean.
    static func text(_ value: Any?) -> String? {
        switch value {
        case let text as String: return text
        case let number as NSNumber: return String(cString: number.objCType) == "c" ? (number.boolValue ? "1" : "") : number.stringValue
        default: return nil
        }
    }

    /// A boolean as WordPress reads one: true/false, 1/0, "true"/"false", "1"/"0".
    static func boolean(_ value: Any?) -> Bool? {
        switch value {
        case let text as String: return ["true", "1"].contains(text.lowercased()) ? true : ["false", "0", ""].contains(text.lowercased()) ? false : nil
        case let number as NSNumber: return number.boolValue
        default: return nil
        }
    }
}

extension HTTPResponse {
    /// The body as a JSON object; nil when it is not one.
    fileprivate func wooObject() -> [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
}
