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

    // MARK: - Shipment Tracking (`/wc-shipment-tracking/v3/orders/{id}/shipment-trackings`)

    /// Providers the extension knows, by country: name → link template (`%1$s` number, `%2$s` postcode).
    public static let trackingProviders: [String: [String: String]] = [
        "France": ["Colissimo": "https://www.laposte.fr/outils/suivre-vos-envois?code=%1$s",
                   "Chronopost": "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT=%1$s"],
        "United Kingdom": ["Royal Mail": "https://www.royalmail.com/track-your-item#/tracking-results/%1$s",
                           "DHL": "https://www.dhl.com/en/express/tracking.html?AWB=%1$s&brand=DHL"],
        "United States": ["UPS": "https://www.ups.com/track?loc=en_US&tracknum=%1$s", "USPS": "https://tools.usps.com/go/TrackConfirmAction_input?qtc_tLabels1=%1$s"],
        "Germany": ["DHL Intraship (DE)": "https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?lang=de&idc=%1$s&rfn=&extendedSearch=true",
                    "DPD.de": "https://tracking.dpd.de/status/de_DE/parcel/%1$s"],
    ]

    func routeTracking(_ request: HTTPRequest, rest: [String], key: APIKey, now: Date, state: inout State) -> HTTPResponse {
        guard rest.count >= 3, rest[0] == "orders", let id = Int(rest[1]), rest[2] == "shipment-trackings" else { return Self.noRoute() }
        switch (request.method, rest.count) {
        case ("GET", 3): return listTrackings(id, state: state)
        case ("POST", 3): return addTracking(id, request: request, now: now, state: &state)
        case ("GET", 4) where rest[3] == "providers": return .json(200, Self.trackingProviders)
        case ("GET", 4), ("DELETE", 4):
            guard let order = state.orders[id] else { return Self.trackingInvalidOrder() }
            guard let index = order.trackings.firstIndex(where: { $0.trackingID == rest[3] }) else {
                return Self.error(404, "woocommerce_shipment_tracking_invalid_tracking_id", "Invalid tracking ID.")
            }
            let tracking = order.trackings[index]
            if request.method == "DELETE" {
                state.orders[id]?.trackings.remove(at: index)
                state.effects.append(AppliedEffect(time: now, orderID: id, kind: .trackingDeleted, details: ["tracking_id": tracking.trackingID]))
            }
            return .json(200, tracking.json())
        default: return Self.noRoute()
        }
    }

    static func trackingInvalidOrder() -> HTTPResponse { error(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.") }

    func listTrackings(_ id: Int, state: State) -> HTTPResponse {
        guard let order = state.orders[id] else { return Self.trackingInvalidOrder() }
        return .json(200, order.trackings.map { $0.json() })
    }

    /// `POST …/shipment-trackings` with `tracking_number`, `date_shipped`, and `tracking_provider` (a name
    /// from `providers`) or `custom_tracking_provider` + `custom_tracking_link` → 201 with a new `tracking_id`.
    func addTracking(_ id: Int, request: HTTPRequest, now: Date, state: inout State) -> HTTPResponse {
        let body: [String: Any]
        switch Self.jsonObject(request) {
        case .success(let object): body = object
        case .failure(let denied): return denied.response
        }
        guard let order = state.orders[id] else { return Self.trackingInvalidOrder() }
        guard let number = Self.text(body["tracking_number"]), !number.isEmpty else {
            return Self.error(400, "rest_missing_callback_param", "Missing parameter(s): tracking_number", data: ["params": ["tracking_number"]])
        }
        let provider = Self.text(body["tracking_provider"]) ?? ""
        let customProvider = provider.isEmpty ? Self.text(body["custom_tracking_provider"]) ?? "" : ""
        let template = provider.isEmpty ? Self.text(body["custom_tracking_link"]) ?? ""
            : Self.trackingProviders.values.compactMap { $0[provider] }.first ?? ""
        let link = PHPFormat.sprintf(template, [number, order.shipping.postcode, order.shipping.country])
        var shipped = Self.text(body["date_shipped"]) ?? ""
        if shipped.isEmpty { shipped = String(SimDate.format(now).prefix(10)) }
        let tracking = Tracking(trackingID: state.hexID(), provider: provider, customProvider: customProvider, link: link,
                                number: number, dateShipped: String(shipped.prefix(10)))
        state.orders[id]?.trackings.append(tracking)
        state.effects.append(AppliedEffect(time: now, orderID: id, kind: .tracking, details: [
            "tracking_id": tracking.trackingID, "tracking_number": number, "tracking_provider": provider,
            "custom_tracking_provider": customProvider, "tracking_link": link, "date_shipped": tracking.dateShipped,
        ]))
        return .json(201, tracking.json())
    }
}
