import Foundation

extension WooCommerceSimulator {
    /// A `billing` or `shipping` block. `email` is sent in `billing` only; `phone` in `shipping` only when
    /// non-nil (newer WooCommerce versions).
    public struct Address: Sendable, Equatable {
        public var firstName: String, lastName: String, company: String
        public var address1: String, address2: String, city: String, state: String, postcode: String, country: String
        public var email: String?
        public var phone: String?

        /// Defaults describe a Paris buyer.
        public init(firstName: String = "Jean", lastName: String = "Dupont", company: String = "", address1: String = "10 rue de Turenne",
                    address2: String = "", city: String = "Paris", state: String = "", postcode: String = "75003",
                    country: String = "FR", email: String? = "jean.dupont@example.com", phone: String? = "+33612345678") {
            self.firstName = firstName; self.lastName = lastName; self.company = company; self.address1 = address1
            self.address2 = address2; self.city = city; self.state = state; self.postcode = postcode; self.country = country
            self.email = email; self.phone = phone
        }

        func json(billing: Bool) -> [String: Any] {
            var object: [String: Any] = [
                "first_name": firstName, "last_name": lastName, "company": company, "address_1": address1,
                "address_2": address2, "city": city, "state": state, "postcode": postcode, "country": country,
            ]
            if billing {
                object["email"] = email.map { $0 as Any } ?? NSNull()
                object["phone"] = phone ?? ""
            } else if let phone {
                object["phone"] = phone
            }
            return object
        }
    }

    /// A `meta_data` entry; line items also carry `display_key` / `display_value`.
    public struct Meta: Sendable, Equatable {
        public var id: Int
        public var key: String
        public var value: String
        public var displayKey: String?
        public var displayValue: String?

        public init(id: Int = 0, key: String, value: String, displayKey: String? = nil, displayValue: String? = nil) {
            self.id = id; self.key = key; self.value = value; self.displayKey = displayKey; self.displayValue = displayValue
        }

        func json(line: Bool) -> [String: Any] {
            var object: [String: Any] = ["id": id, "key": key, "value": value]
            if line {
                object["display_key"] = displayKey ?? key
                object["display_value"] = displayValue ?? value
            }
            return object
        }
    }

    /// One `line_items` entry. Amounts are decimal strings without tax (`subtotal` before discounts,
    /// `total` after); `sku` nil renders `null` (the product was deleted).
    public struct LineItem: Sendable, Equatable {
        public var id: Int
        public var name: String
        public var productID: Int
        public var variationID: Int
        public var sku: String?
        public var quantity: Int
        public var subtotal: String, subtotalTax: String, total: String, totalTax: String
        public var meta: [Meta]
        public var imageSrc: String

        public init(id: Int = 0, name: String = "T-shirt M", productID: Int = 77, variationID: Int = 0, sku: String? = "TSHIRT-M",
                    quantity: Int = 1, subtotal: String = "37.50", subtotalTax: String = "7.50", total: String = "37.50",
                    totalTax: String = "7.50", meta: [Meta] = [], imageSrc: String = "") {
            self.id = id; self.name = name; self.productID = productID; self.variationID = variationID; self.sku = sku
            self.quantity = quantity; self.subtotal = subtotal; self.subtotalTax = subtotalTax; self.total = total
            self.totalTax = totalTax; self.meta = meta; self.imageSrc = imageSrc
        }

        /// A line priced tax included (`unitGross` × `quantity`, less `discountGross`), split at `taxPercent`.
        public static func priced(name: String, sku: String?, quantity: Int = 1, unitGross: String, discountGross: String = "0.00",
                                  taxPercent: Int = 20, productID: Int = 77, variationID: Int = 0, meta: [Meta] = []) -> LineItem {
            let gross = (WooCents.parse(unitGross) ?? 0) * quantity
            let discounted = gross - (WooCents.parse(discountGross) ?? 0)
            let subtotal = WooCents.scale(gross, 100, 100 + taxPercent)
            let total = WooCents.scale(discounted, 100, 100 + taxPercent)
            return LineItem(name: name, productID: productID, variationID: variationID, sku: sku, quantity: quantity,
                            subtotal: WooCents.format(subtotal), subtotalTax: WooCents.format(gross - subtotal),
                            total: WooCents.format(total), totalTax: WooCents.format(discounted - total), meta: meta)
        }

        func json(parentName: String?) -> [String: Any] {
            let total = WooCents.parse(self.total) ?? 0
            return [
                "id": id, "name": name, "product_id": productID, "variation_id": variationID, "quantity": quantity,
                "tax_class": "", "subtotal": subtotal, "subtotal_tax": subtotalTax, "total": self.total, "total_tax": totalTax,
                "taxes": [], "meta_data": meta.map { $0.json(line: true) }, "sku": sku.map { $0 as Any } ?? NSNull(),
                // WooCommerce sends the unit price as a float; clients must not use it for money.
                "price": quantity > 0 ? Double(total) / 100 / Double(quantity) : 0.0,
                "image": ["id": imageSrc.isEmpty ? 0 : 10_000 + productID, "src": imageSrc] as [String: Any],
                "parent_name": parentName.map { $0 as Any } ?? NSNull(),
            ]
        }
    }

    /// A `shipping_lines` entry (amounts without tax).
    public struct ShippingLine: Sendable, Equatable {
        public var id: Int, methodTitle: String, methodID: String, total: String, totalTax: String
        public init(id: Int = 0, methodTitle: String = "Colissimo", methodID: String = "flat_rate", total: String = "4.08", totalTax: String = "0.82") {
            self.id = id; self.methodTitle = methodTitle; self.methodID = methodID; self.total = total; self.totalTax = totalTax
        }
    }

    /// A `fee_lines` entry (amounts without tax).
    public struct FeeLine: Sendable, Equatable {
        public var id: Int, name: String, total: String, totalTax: String
        public init(id: Int = 0, name: String = "Gift wrap", total: String = "2.50", totalTax: String = "0.50") {
            self.id = id; self.name = name; self.total = total; self.totalTax = totalTax
        }
    }

    /// A `coupon_lines` entry.
    public struct CouponLine: Sendable, Equatable {
        public var id: Int, code: String, discount: String, discountTax: String
        public init(id: Int = 0, code: String, discount: String, discountTax: String = "0.00") {
            self.id = id; self.code = code; self.discount = discount; self.discountTax = discountTax
        }
    }

    /// A `refunds` entry; `total` is negative on the wire (`-10.00`).
    public struct Refund: Sendable, Equatable {
        public var id: Int, reason: String, total: String
        /// When it was made, its `meta_data`, whether the gateway refunded the money, and the lines it
        /// names (order line id, quantity, total excl. tax), as `GET /orders/{id}/refunds` shows them.
        public var dateCreated: Date? = nil
        public var meta: [Meta] = []
        public var refundedPayment = false
        public var lines: [RefundLine] = []
        public init(id: Int = 0, reason: String = "", total: String) { self.id = id; self.reason = reason; self.total = total }
    }

    /// A line of a refund: the order line it refunds, the quantity and the amount excl. tax (positive).
    public struct RefundLine: Sendable, Equatable {
        public var itemID: Int, quantity: Int, total: String, tax: String
    }

    /// An order note: customer notes e-mail the buyer; internal ones do not.
    public struct Note: Sendable, Equatable {
        public var id: Int
        public var note: String
        public var customerNote: Bool
        public var addedByUser: Bool
        /// `WooCommerce` for system notes, the key owner's name for notes added by a user.
        public var author: String
        public var dateCreated: Date
    }

    /// A Shipment Tracking extension entry.
    /// One Shipment Tracking entry as the extension stores it (`_wc_shipment_tracking_items`).
    public struct Tracking: Sendable, Equatable {
        public var trackingID: String
        /// `tracking_provider` as stored: the `sanitize_title` slug of the name sent.
        public var provider: String
        public var customProvider: String
        /// `custom_tracking_link` as stored (and shown to the buyer) word for word.
        public var customLink: String
        /// The provider name the buyer sees: the custom one, or the built-in one matched; empty when none matched.
        public var shownProvider: String
        /// The link the buyer sees (`formatted_tracking_link`); empty when none.
        public var link: String
        public var number: String
        /// `YYYY-MM-DD`.
        public var dateShipped: String

        /// The extension's reply (`prepare_item_for_response`): five fields, the provider and link as shown.
        func json() -> [String: Any] {
            ["tracking_id": trackingID, "tracking_provider": shownProvider, "tracking_link": link,
             "tracking_number": number, "date_shipped": dateShipped]
        }
    }

    /// A simulated order. Ids of 0 are assigned on insert; dates equal to ``unsetDate`` become now.
    public struct Order: Sendable, Equatable {
        /// Marks a date to be set on insert.
        public static let unsetDate = Date(timeIntervalSince1970: 0)

        public var id: Int
        /// The visible order number; nil shows the id (a sequential-number plugin sets its own).
        public var number: String?
        public var status: String
        public var currency: String
        public var dateCreated: Date, dateModified: Date
        public var datePaid: Date?, dateCompleted: Date?
        public var customerID: Int
        public var billing: Address, shipping: Address
        public var paymentMethod: String, paymentMethodTitle: String
        public var customerNote: String
        public var lineItems: [LineItem]
        public var shippingLines: [ShippingLine]
        public var feeLines: [FeeLine]
        public var couponLines: [CouponLine]
        public var refunds: [Refund]
        public var metaData: [Meta]
        public var notes: [Note]
        public var trackings: [Tracking]

        public init(id: Int = 0, number: String? = nil, status: String = "processing", currency: String = "EUR",
                    dateCreated: Date = Order.unsetDate, dateModified: Date = Order.unsetDate, datePaid: Date? = Order.unsetDate,
                    dateCompleted: Date? = nil, customerID: Int = 0, billing: Address = Address(),
                    shipping: Address = Address(email: nil, phone: nil), paymentMethod: String = "stripe",
                    paymentMethodTitle: String = "Credit card (Stripe)", customerNote: String = "",
                    lineItems: [LineItem] = [LineItem()], shippingLines: [ShippingLine] = [ShippingLine()],
                    feeLines: [FeeLine] = [], couponLines: [CouponLine] = [], refunds: [Refund] = [], metaData: [Meta] = []) {
            self.id = id; self.number = number; self.status = status; self.currency = currency
            self.dateCreated = dateCreated; self.dateModified = dateModified; self.datePaid = datePaid
            self.dateCompleted = dateCompleted; self.customerID = customerID; self.billing = billing; self.shipping = shipping
            self.paymentMethod = paymentMethod; self.paymentMethodTitle = paymentMethodTitle; self.customerNote = customerNote
            self.lineItems = lineItems; self.shippingLines = shippingLines; self.feeLines = feeLines
            self.couponLines = couponLines; self.refunds = refunds; self.metaData = metaData; self.notes = []; self.trackings = []
        }

        /// The order as `GET /wp-json/wc/v3/orders/{id}` renders it: local and `_gmt` date pairs in `zone`,
        /// totals computed in cents from the lines.
        func json(zone: TimeZone, baseURL: String) -> [String: Any] {
            func cents(_ text: String) -> Int { WooCents.parse(text) ?? 0 }
            let lineGross = lineItems.reduce(0) { $0 + cents($1.total) + cents($1.totalTax) }
            let shippingTotal = shippingLines.reduce(0) { $0 + cents($1.total) }
            let shippingTax = shippingLines.reduce(0) { $0 + cents($1.totalTax) }
            let feeTotal = feeLines.reduce(0) { $0 + cents($1.total) }
            let feeTax = feeLines.reduce(0) { $0 + cents($1.totalTax) }
            let cartTax = lineItems.reduce(0) { $0 + cents($1.totalTax) } + feeTax
            var object: [String: Any] = [
                "id": id, "parent_id": 0, "number": number ?? String(id), "order_key": "wc_order_sim\(id)",
                "created_via": "checkout", "version": "9.6.0", "status": status, "currency": currency,
                "currency_symbol": currency == "EUR" ? "€" : currency, "prices_include_tax": true,
                "discount_total": WooCents.format(lineItems.reduce(0) { $0 + cents($1.subtotal) - cents($1.total) }),
                "discount_tax": WooCents.format(lineItems.reduce(0) { $0 + cents($1.subtotalTax) - cents($1.totalTax) }),
                "shipping_total": WooCents.format(shippingTotal), "shipping_tax": WooCents.format(shippingTax),
                "cart_tax": WooCents.format(cartTax), "total_tax": WooCents.format(cartTax + shippingTax),
                "total": WooCents.format(lineGross + shippingTotal + shippingTax + feeTotal + feeTax),
                "customer_id": customerID, "customer_ip_address": "203.0.113.7", "customer_user_agent": "Mozilla/5.0",
                "customer_note": customerNote, "billing": billing.json(billing: true), "shipping": shipping.json(billing: false),
                "payment_method": paymentMethod, "payment_method_title": paymentMethodTitle, "transaction_id": "",
                "cart_hash": "", "meta_data": metaData.map { $0.json(line: false) }, "tax_lines": [],
                "line_items": lineItems.map { $0.json(parentName: $0.variationID != 0 ? $0.name.components(separatedBy: " - ").first : nil) },
                "shipping_lines": shippingLines.map { ["id": $0.id, "method_title": $0.methodTitle, "method_id": $0.methodID,
                                                       "instance_id": "1", "total": $0.total, "total_tax": $0.totalTax, "taxes": [],
                                                       "meta_data": []] as [String: Any] },
                "fee_lines": feeLines.map { ["id": $0.id, "name": $0.name, "tax_class": "", "tax_status": "taxable", "amount": $0.total,
                                             "total": $0.total, "total_tax": $0.totalTax, "taxes": [], "meta_data": []] as [String: Any] },
                "coupon_lines": couponLines.map { ["id": $0.id, "code": $0.code, "discount": $0.discount,
                                                   "discount_tax": $0.discountTax, "meta_data": []] as [String: Any] },
                "refunds": refunds.map { ["id": $0.id, "reason": $0.reason, "total": $0.total] as [String: Any] },
                "_links": ["self": [["href": "\(baseURL)/wp-json/wc/v3/orders/\(id)"]],
                           "collection": [["href": "\(baseURL)/wp-json/wc/v3/orders"]]],
            ]
            for (key, date) in [("date_created", dateCreated), ("date_modified", dateModified)] as [(String, Date)] {
                object[key] = WooDates.naive(date, zone: zone)
                object[key + "_gmt"] = WooDates.naive(date, zone: nil)
            }
            for (key, date) in [("date_paid", datePaid), ("date_completed", dateCompleted)] as [(String, Date?)] {
                object[key] = date.map { WooDates.naive($0, zone: zone) as Any } ?? NSNull()
                object[key + "_gmt"] = date.map { WooDates.naive($0, zone: nil) as Any } ?? NSNull()
            }
            return object
        }

        func noteJSON(_ note: Note, zone: TimeZone) -> [String: Any] {
            ["id": note.id, "author": note.author, "date_created": WooDates.naive(note.dateCreated, zone: zone),
             "date_created_gmt": WooDates.naive(note.dateCreated, zone: nil), "note": note.note,
             "customer_note": note.customerNote]
        }
    }
}
