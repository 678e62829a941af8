import Foundation

extension BackMarketSimulator {
    /// A postal address as Back Market sends it (snake_case on the wire).
    public struct Address: Sendable, Equatable {
        /// `first_name`.
        public var firstName: String
        /// `last_name`.
        public var lastName: String
        /// `company`; omitted from the JSON when nil.
        public var company: String?
        /// `street`.
        public var street: String
        /// `street2` (often empty).
        public var street2: String
        /// `postal_code`.
        public var postalCode: String
        /// `city`.
        public var city: String
        /// ISO 3166-1 alpha-2 (`FR`, `DE`…).
        public var country: String
        /// `phone`.
        public var phone: String
        /// Nil means the key is absent from the JSON (it happens on real orders).
        public var email: String?

        /// Creates an address; defaults describe a Paris buyer.
        public init(
            firstName: String = "Jean", lastName: String = "Dupont", company: String? = nil, street: String = "10 rue de Turenne",
            street2: String = "", postalCode: String = "75003", city: String = "Paris", country: String = "FR",
            phone: String = "+33 6 12 34 56 78", email: String? = "jean.dupont@example.com"
        ) {
            self.firstName = firstName
            self.lastName = lastName
            self.company = company
            self.street = street
            self.street2 = street2
            self.postalCode = postalCode
            self.city = city
            self.country = country
            self.phone = phone
            self.email = email
        }

        var json: [String: Any] {
            var object: [String: Any] = [
                "first_name": firstName, "last_name": lastName, "street": street, "street2": street2,
                "postal_code": postalCode, "city": city, "country": country, "phone": phone,
            ]
            if let email { object["email"] = email }
            if let company { object["company"] = company }
            return object
        }
    }

    /// One order line. Line states: 0 new, 8 pending payment, 9 on hold, 1 paid, 2 accepted,
    /// 3 shipped, 4 cancelled, 5 refunded before shipping, 6 refunded after shipping, 7 not paid.
    public struct OrderLine: Sendable, Equatable {
        /// The orderline id (never equal to the order id). 0 in a template means "assign one".
        public var id: Int
        /// The line state (see the type comment); only 2–6 may be written through the API.
        public var state: Int
        /// The merchant SKU (`listing` on the wire); accept/cancel name lines by it.
        public var listing: String
        /// Product title, e.g. `iPhone 12 64 GB`.
        public var product: String
        /// Brand, e.g. `Apple`.
        public var brand: String
        /// Units on this line (1 or 2 in generated data).
        public var quantity: Int
        /// Unit price, tax included, as a decimal string.
        public var price: String
        /// 9 premium, 10 excellent, 11 good, 12 fair.
        public var condition: Int
        /// Empty until set (by a ship body or PATCH); once non-empty it cannot be changed.
        public var imei: String
        /// `serial_number`; empty until set, then immutable like `imei`.
        public var serialNumber: String
        /// `return_reason` (OAS `ReturnReason`) and `return_message`, set with state 6.
        public var returnReason: Int? = nil
        public var returnMessage: String? = nil

        /// Creates a line; defaults describe one paid iPhone 12.
        public init(
            id: Int = 0, state: Int = 1, listing: String = "SKU-IP12-64", product: String = "iPhone 12 64 GB",
            brand: String = "Apple", quantity: Int = 1, price: String = "299.00", condition: Int = 11,
            imei: String = "", serialNumber: String = ""
        ) {
            self.id = id
            self.state = state
            self.listing = listing
            self.product = product
            self.brand = brand
            self.quantity = quantity
            self.price = price
            self.condition = condition
            self.imei = imei
            self.serialNumber = serialNumber
        }

        /// Whether the line still counts ("live" = not 4, 5, 6 or 7).
        public var isLive: Bool { ![4, 5, 6, 7].contains(state) }

        var json: [String: Any] {
            var object: [String: Any] = [
                "id": id, "state": state, "listing": listing, "product": product, "brand": brand,
                "quantity": quantity, "price": price, "condition": condition, "imei": imei,
                "serial_number": serialNumber,
            ]
            if let returnReason { object["return_reason"] = returnReason }
            if let returnMessage { object["return_message"] = returnMessage }
            return object
        }
    }

    /// An order as the simulator holds it; also the template for ``BackMarketSimulator/addOrder(_:)``
    /// and the snapshot returned by ``BackMarketSimulator/order(_:)``.
    public struct Order: Sendable, Equatable {
        /// Dates equal to this value in a template are replaced by the simulator's "now" on add.
        public static let unsetDate = Date(timeIntervalSince1970: 0)

        /// The order id. 0 in a template means "assign the next one".
        public var orderID: Int
        /// ISO 4217 code, e.g. `EUR`.
        public var currency: String
        /// Total of the lines, tax included, shipping excluded; nil in a template = computed from the lines.
        public var price: String?
        /// `shipping_price`, a decimal string.
        public var shippingPrice: String
        /// `date_creation`.
        public var dateCreation: Date
        /// Bumped to "now" by every successful change.
        public var dateModification: Date
        /// `date_payment`; nil (JSON null) while the buyer is still paying.
        public var datePayment: Date?
        /// `date_shipping`; set by the ship call (its `date_shipping`, else now).
        public var dateShipping: Date?
        /// `expected_dispatch_date`; nil in a template = `date_payment` + 2 days. Served as the OAS `Order`
        /// schema's example writes it (`2022-04-29T09:35:24`: no offset; UTC here), and null once shipped
        /// ("only applicable for orders not already SENT").
        public var expectedDispatchDate: Date? = nil
        /// How this order's dates are written on the wire.
        public var dateStyle: DateStyle
        /// `shipping_address`; its `country` gives the order's `country_code` (see ``countryCode``).
        public var shippingAddress: Address
        /// `billing_address` (defaults to the shipping address).
        public var billingAddress: Address
        /// Carrier name as sent in the ship call; empty until shipped.
        public var shipper: String
        /// `tracking_number`; empty until shipped.
        public var trackingNumber: String
        /// `tracking_url`; empty until shipped.
        public var trackingURL: String
        /// Sent as `delivery_mode` when non-nil.
        public var deliveryMode: String?
        /// Sent as `shipper_display` when non-nil.
        public var shipperDisplay: String?
        /// `payment_method`, e.g. `card`, `paypal`.
        public var paymentMethod: String
        /// `orderlines`.
        public var lines: [OrderLine]
        /// Archived orders answer 404 on GET by id and are never listed (simulator-only flag).
        public var archived: Bool
        /// When set, lines in 8 (pending payment) or 0 become 1 at that instant (order 10 → 1).
        public var paymentCompletesAt: Date?
        /// True once the order reached 9 (all live lines 3 and `shippedOrderDelay` elapsed).
        public internal(set) var shippedFinal: Bool

        /// Creates an order template; unset dates become "now" when added.
        public init(
            orderID: Int = 0, lines: [OrderLine] = [OrderLine()], currency: String = "EUR", price: String? = nil,
            shippingPrice: String = "0.00", dateCreation: Date = Order.unsetDate, dateModification: Date = Order.unsetDate,
            datePayment: Date? = Order.unsetDate, dateShipping: Date? = nil, dateStyle: DateStyle = .utc,
            shippingAddress: Address = Address(), billingAddress: Address? = nil, shipper: String = "",
            trackingNumber: String = "", trackingURL: String = "", deliveryMode: String? = "Standard",
            shipperDisplay: String? = nil, paymentMethod: String = "card", archived: Bool = false,
            paymentCompletesAt: Date? = nil
        ) {
            self.orderID = orderID
            self.lines = lines
            self.currency = currency
            self.price = price
            self.shippingPrice = shippingPrice
            self.dateCreation = dateCreation
            self.dateModification = dateModification
            self.datePayment = datePayment
            self.dateShipping = dateShipping
            self.dateStyle = dateStyle
            self.shippingAddress = shippingAddress
            self.billingAddress = billingAddress ?? shippingAddress
            self.shipper = shipper
            self.trackingNumber = trackingNumber
            self.trackingURL = trackingURL
            self.deliveryMode = deliveryMode
            self.shipperDisplay = shipperDisplay
            self.paymentMethod = paymentMethod
            self.archived = archived
            self.paymentCompletesAt = paymentCompletesAt
            self.shippedFinal = false
        }

        /// Left out once shipped ("only applicable for orders not already SENT") or unpaid: the OAS types it
        /// as a string, not nullable.
        var expectedDispatchJSON: Any? {
            guard !allLiveLinesShipped,
                  let date = expectedDispatchDate ?? datePayment.map({ $0.addingTimeInterval(2 * 86_400) }) else { return nil }
            return String(SimDate.format(date).dropLast())  // no "Z": the OAS example's shape
        }

        /// The order state Back Market derives from the lines (0, 10, 1, 3, 8 or 9).
        public var state: Int {
            BackMarketSimulator.deriveOrderState(lineStates: lines.map(\.state), shippedFinal: shippedFinal)
        }

        /// Whether every live line is shipped (3) and at least one line is live.
        var allLiveLinesShipped: Bool {
            let live = lines.filter(\.isLive)
            return !live.isEmpty && live.allSatisfy { $0.state == 3 }
        }

        /// `country_code`: the OAS `CountryCode` of the shipping country (`fr-fr`, `de-at`, `en-gb`…);
        /// `fr-fr` (the spec's default) for a country Back Market does not sell in.
        public var countryCode: String {
            BackMarketSimulator.countryCodes[shippingAddress.country.uppercased()] ?? "fr-fr"
        }

        /// Dates that are not set yet (`date_payment` while paying, `date_shipping` before shipping) are left
        /// out: the OAS types them as strings, not nullable.
        func json() -> [String: Any] {
            func date(_ value: Date?) -> Any? { value.map { SimDate.format($0, style: dateStyle) } }
            var object: [String: Any?] = [
                "order_id": orderID, "state": state, "currency": currency,
                "price": price ?? SimMoney.total(lines), "shipping_price": shippingPrice,
                "date_creation": date(dateCreation), "date_modification": date(dateModification),
                "date_payment": date(datePayment), "date_shipping": date(dateShipping),
                "expected_dispatch_date": expectedDispatchJSON,
                "shipping_address": shippingAddress.json, "billing_address": billingAddress.json,
                "shipper": shipper, "tracking_number": trackingNumber, "tracking_url": trackingURL,
                "payment_method": paymentMethod, "country_code": countryCode,
                "orderlines": lines.map(\.json),
            ]
            if let deliveryMode { object["delivery_mode"] = deliveryMode }
            if let shipperDisplay { object["shipper_display"] = shipperDisplay }
            return object.compactMapValues { $0 }
        }
    }

    /// Shipping country (ISO 3166-1 alpha-2) → the OAS `CountryCode` of that market.
    static let countryCodes: [String: String] = [
        "FR": "fr-fr", "BE": "fr-be", "ES": "es-es", "DE": "de-de", "AT": "de-at", "IT": "it-it", "JP": "ja-jp",
        "AU": "en-au", "GB": "en-gb", "US": "en-us", "NL": "nl-nl", "PT": "pt-pt", "IE": "en-ie", "GR": "el-gr",
        "SK": "sk-sk", "SE": "sv-se",
    ]

    /// Back Market's order state from its line states (API notes §3). Pure; exposed for tests.
    ///
    /// No live line: 8 when every line is 7 (not paid), else 9 (final; connectors must read the
    /// lines — the notes do not say what Back Market reports here). Otherwise: a live line 9
    /// (on hold) or 0 (new) → 0; a live line 8 (pending payment) → 10; a live line 1 → 1;
    /// a live line 2 → 3; all live lines 3 → 9 when `shippedFinal`, else 3.
    public static func deriveOrderState(lineStates: [Int], shippedFinal: Bool) -> Int {
        let live = lineStates.filter { ![4, 5, 6, 7].contains($0) }
        if live.isEmpty {
            return !lineStates.isEmpty && lineStates.allSatisfy { $0 == 7 } ? 8 : 9
        }
        if live.contains(9) || live.contains(0) { return 0 }
        if live.contains(8) { return 10 }
        if live.contains(1) { return 1 }
        if live.contains(2) { return 3 }
        return shippedFinal ? 9 : 3
    }
}

/// Decimal-string money arithmetic in minor units; never goes through `Double`.
enum SimMoney {
    /// `"299.00"` → 29900; nil for anything that is not `digits[.digits]` with at most two decimals.
    static func cents(_ text: String) -> Int? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let units = Int(parts[0]), units >= 0 else { return nil }
        var fraction = 0
        if parts.count == 2 {
            let digits = String(parts[1])
            guard digits.count <= 2, digits.allSatisfy(\.isASCII), let value = Int(digits) else { return nil }
            fraction = digits.count == 1 ? value * 10 : value
        }
        return units * 100 + fraction
    }

    /// 29900 → `"299.00"`.
    static func format(_ cents: Int) -> String {
        let fraction = cents % 100
        return "\(cents / 100)." + (fraction < 10 ? "0\(fraction)" : "\(fraction)")
    }

    /// Sum of unit price × quantity over `lines`, as a decimal string.
    static func total(_ lines: [BackMarketSimulator.OrderLine]) -> String {
        format(lines.reduce(0) { $0 + (cents($1.price) ?? 0) * $1.quantity })
    }
}
