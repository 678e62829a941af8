import Foundation

extension WooCommerceSimulator {
    // MARK: - Order notes (`/wc/v3/orders/{id}/notes`)

    /// `GET …/notes?type=any|customer|internal`, newest first.
    func listNotes(_ id: Int, request: HTTPRequest, state: State) -> HTTPResponse {
        guard let order = state.orders[id] else { return Self.invalidOrderID() }
        let type = request.query["type"] ?? "any"
        guard ["any", "customer", "internal"].contains(type) else {
            return Self.invalidParam("type", "type is not one of any, customer, and internal.")
        }
        let notes = order.notes.filter { type == "any" || $0.customerNote == (type == "customer") }
            .sorted { ($0.dateCreated, $0.id) > ($1.dateCreated, $1.id) }
        return .json(200, notes.map { order.noteJSON($0, zone: state.configuration.timeZone) })
    }

    func getNote(_ id: Int, noteID: Int, state: State) -> HTTPResponse {
        guard let order = state.orders[id] else { return Self.invalidOrderID() }
        guard let note = order.notes.first(where: { $0.id == noteID }) else {
            return Self.error(404, "woocommerce_rest_order_invalid_id", "Invalid resource ID.")
        }
        return .json(200, order.noteJSON(note, zone: state.configuration.timeZone))
    }

    /// `POST …/notes {note, customer_note, added_by_user}` → 201. A customer note e-mails the buyer.
    /// Adding a note does not change the order's `date_modified`.
    func addNote(_ id: Int, request: HTTPRequest, key: APIKey, now: Date, state: inout State) -> HTTPResponse {
        let body: [String: Any]
        switch Self.jsonObject(request) {
        case .success(let object): body = object
        case .failure(let denied): return denied.response
        }
        guard let text = body["note"] as? String else {
            return Self.error(400, "rest_missing_callback_param", "Missing parameter(s): note", data: ["params": ["note"]])
        }
        guard let order = state.orders[id] else { return Self.invalidOrderID() }
        guard !text.isEmpty else {
            return Self.error(500, "woocommerce_rest_shop_order_invalid_order_note", "Cannot create order note, please try again.")
        }
        let customer = Self.boolean(body["customer_note"]) ?? false
        let byUser = Self.boolean(body["added_by_user"]) ?? false
        let note = state.appendNote(id, text: text, customer: customer, author: byUser ? key.user : "WooCommerce", byUser: byUser, now: now)
        state.effects.append(AppliedEffect(time: now, orderID: id, kind: customer ? .customerNote : .internalNote,
                                           details: ["note": text, "note_id": String(note.id)]))
        if customer { state.sendEmail(id, "customer_note", to: order.billing.email ?? "", now: now) }
        return .json(201, state.orders[id]!.noteJSON(note, zone: state.configuration.timeZone))
    }

    /// `DELETE …/notes/{note_id}?force=true` (notes cannot be trashed: 501 without `force`).
    func deleteNote(_ id: Int, noteID: Int, request: HTTPRequest, now: Date, state: inout State) -> HTTPResponse {
        guard let order = state.orders[id] else { return Self.invalidOrderID() }
        guard let index = order.notes.firstIndex(where: { $0.id == noteID }) else {
            return Self.error(404, "woocommerce_rest_order_invalid_id", "Invalid resource ID.")
        }
        guard ["true", "1"].contains(request.query["force"]?.lowercased() ?? "") else {
            return Self.error(501, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.")
        }
        let note = order.notes[index]
        state.orders[id]?.notes.remove(at: index)
        state.effects.append(AppliedEffect(time: now, orderID: id, kind: .noteDeleted, details: ["note_id": String(noteID)]))
        return .json(200, order.noteJSON(note, zone: state.configuration.timeZone))
    }
}
