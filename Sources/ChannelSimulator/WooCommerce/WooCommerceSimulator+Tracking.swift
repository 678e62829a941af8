import Foundation

extension WooCommerceSimulator {
    // MARK: - Shipment Tracking (`/wc-shipment-tracking/v3/orders/{id}/shipment-trackings`)

    /// The extension's built-in providers (`WC_Shipment_Tracking_Actions::get_providers`), as its
    /// `…/providers` route answers them: country → provider name → link format (`%1$s` number, `%2$s`
    /// postcode, `%3$s` country). A subset of the extension's list, names and formats as it spells them.
    public static let trackingProviders: [String: [String: String]] = [
        "Austria": ["post.at": "https://www.post.at/sv/sendungsdetails?snr=%1$s",
                    "DPD.at": "https://tracking.dpd.de/parcelstatus?locale=de_AT&query=%1$s"],
        "Belgium": ["bpost": "https://track.bpost.be/btr/web/#/search?itemCode=%1$s"],
        "Czech Republic": ["Česká pošta": "https://www.postaonline.cz/trackandtrace/-/zasilka/cislo?parcelNumbers=%1$s"],
        "France": ["Colissimo": "https://www.laposte.fr/outils/suivre-vos-envois?code=%1$s"],
        "Germany": ["DHL Intraship (DE)": "https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?lang=de&idc=%1$s&rfn=&extendedSearch=true",
                    "Hermes": "https://www.myhermes.de/empfangen/sendungsverfolgung/sendungsinformation/#%1$s",
                    "DPD.de": "https://tracking.dpd.de/parcelstatus?query=%1$s&locale=en_DE"],
        "Italy": ["BRT (Bartolini)": "https://as777.brt.it/vas/sped_det_show.hsm?referer=sped_numspe_par.htm&Nspediz=%1$s",
                  "DHL Express": "https://www.dhl.it/it/express/ricerca.html?AWB=%1$s&brand=DHL"],
        "Netherlands": ["PostNL": "https://postnl.nl/tracktrace/?B=%1$s&P=%2$s&D=%3$s&T=C"],
        "United Kingdom": ["DHL": "https://www.dhl.com/content/g0/en/express/tracking.shtml?brand=DHL&AWB=%1$s",
                           "DPD Local": "https://apis.track.dpdlocal.co.uk/v1/track?postcode=%2$s&parcel=%1$s",
                           "Royal Mail": "https://www3.royalmail.com/track-your-item#/tracking-results/%1$s"],
        "United States": ["Fedex": "https://www.fedex.com/apps/fedextrack/?action=track&action=track&tracknumbers=%1$s",
                          "UPS": "https://www.ups.com/track?loc=en_US&tracknum=%1$s",
                          "USPS": "https://tools.usps.com/go/TrackConfirmAction_input?qtc_tLabels1=%1$s"],
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
                return Self.error(404, "woocommerce_rest_order_shipment_tracking_invalid_id", "Invalid shipment tracking ID.")
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

    /// `POST …/shipment-trackings` → 201 with a new `tracking_id`, as the extension's `create_item` does:
    /// `tracking_provider` is stored as its `sanitize_title` slug and shown with the link of the built-in
    /// provider whose name or slug equals it (none: no provider name, no link); a `custom_tracking_provider`
    /// wins, and its `custom_tracking_link` is stored and shown word for word (after `wc_clean`), never
    /// formatted.
    func addTracking(_ id: Int, request: HTTPRequest, now: Date, state: inout State) -> HTTPResponse {
        let body: [String: Any]
        switch Self.jsonObject(request) {
        case .success(let object): body = object
        case .failure(let denied): return denied.response
        }
        if let existing = Self.text(body["tracking_id"]), !existing.isEmpty {
            return Self.error(400, "woocommerce_rest_shop_order_shipment_tracking_exists", "Cannot create existing order shipment tracking.")
        }
        guard let order = state.orders[id] else { return Self.trackingInvalidOrder() }
        guard let number = Self.text(body["tracking_number"]).map(Self.wcClean), !number.isEmpty else {
            return Self.error(400, "rest_missing_callback_param", "Missing parameter(s): tracking_number", data: ["params": ["tracking_number"]])
        }
        let provider = Self.sanitizeTitle(Self.text(body["tracking_provider"]) ?? "")
        let customProvider = Self.wcClean(Self.text(body["custom_tracking_provider"]) ?? "")
        let customLink = Self.wcClean(Self.text(body["custom_tracking_link"]) ?? "")
        var shownProvider = customProvider
        var link = customLink
        if customProvider.isEmpty {
            link = ""
            for group in Self.trackingProviders.values {
                guard let (name, format) = group.first(where: { Self.wcClean($0.key) == provider || Self.sanitizeTitle($0.key) == provider })
                else { continue }
                shownProvider = name
                let postcode = (order.shipping.postcode.isEmpty ? order.billing.postcode : order.shipping.postcode)
                    .uppercased().filter { !$0.isWhitespace }
                link = PHPFormat.sprintf(format, [number, postcode.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? postcode,
                                                  order.shipping.country, String(id)])
                break
            }
        }
        var shipped = Self.text(body["date_shipped"]) ?? ""
        if shipped.isEmpty { shipped = String(SimDate.format(now).prefix(10)) }
        let tracking = Tracking(trackingID: state.hexID(), provider: provider, customProvider: customProvider, customLink: customLink,
                                shownProvider: shownProvider, link: link, number: number, dateShipped: String(shipped.prefix(10)))
        state.orders[id]?.trackings.append(tracking)
        state.effects.append(AppliedEffect(time: now, orderID: id, kind: .tracking, details: [
            "tracking_id": tracking.trackingID, "tracking_number": number, "tracking_provider": provider,
            "custom_tracking_provider": customProvider, "custom_tracking_link": customLink, "tracking_link": link,
            "date_shipped": tracking.dateShipped,
        ]))
        return .json(201, tracking.json())
            .setting(header: "Location", "/wp-json/wc-shipment-tracking/v3/orders/\(id)/shipment-trackings/\(tracking.trackingID)")
    }

    /// WordPress `sanitize_title` (save context): accents removed, lower case, `.` `/` and spaces as `-`,
    /// other ASCII punctuation dropped, other letters percent-encoded, single `-` between words.
    static func sanitizeTitle(_ text: String) -> String {
        let folded = text.folding(options: [.diacriticInsensitive], locale: Locale(identifier: "en_US_POSIX")).lowercased()
        var slug = ""
        for scalar in folded.unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-" {
                slug.unicodeScalars.append(scalar)
            } else if scalar == "." || scalar == "/" || scalar.properties.isWhitespace {
                slug += "-"
            } else if !scalar.isASCII {
                slug += String(scalar).utf8.map { String(format: "%%%02x", $0) }.joined()
            }
        }
        while slug.contains("--") { slug = slug.replacingOccurrences(of: "--", with: "-") }
        return slug.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }

    /// WooCommerce `wc_clean` on a string (`sanitize_text_field`): tags stripped, line breaks and tabs
    /// removed, runs of spaces made one, trimmed, and percent-encoded octets (`%20`) removed.
    static func wcClean(_ text: String) -> String {
        var out = text.replacingOccurrences(of: "<[^>]*>", with: "", options: .regularExpression)
        out = out.replacingOccurrences(of: "[\\r\\n\\t ]+", with: " ", options: .regularExpression)
        out = out.trimmingCharacters(in: .whitespaces)
        while let range = out.range(of: "%[0-9a-fA-F]{2}", options: .regularExpression) { out.removeSubrange(range) }
        return out
    }
}
