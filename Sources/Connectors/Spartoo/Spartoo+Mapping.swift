import Foundation
import OrderSync

/// Normalizes one Spartoo `<order>` element into `Order` (API notes §1.7, §5). Pure and liberal in what
/// it reads: blocks or flat fields, `,` or `.` decimals, `:` or space before the time, missing delivery
/// block, country names or codes. It throws only for what makes an order unusable (no id, no status,
/// no lines, an amount that is not a number): the caller quarantines that order and keeps the rest.
struct SpartooMapper: Sendable {
    let channelID: String

    enum MappingError: Error, CustomStringConvertible, Equatable {
        case missing(String)
        case invalid(String)
        var description: String {
            switch self {
            case .missing(let f): "missing field \(f)"
            case .invalid(let f): "invalid field \(f)"
            }
        }
    }

    /// The order and, when its status code is not one the notes list, that code (mapped to on_hold).
    struct Mapped: Sendable {
        var order: Order
        var unknownStatus: Int?
    }

    /// Validates an `orders_id`: opaque, but never empty, with no `/`, `:`, whitespace or control character
    /// (`SITE/ID` and `CHANNEL:ID` are built from it).
    static func validID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64 && id.unicodeScalars.allSatisfy { scalar in
            scalar.value > 0x20 && scalar.value != 0x7F && scalar != "/" && scalar != ":"
        }
    }

    /// Maps `element` read on `site`. `externalID` overrides the ref's id (`es/ID` after a site conflict).
    func order(from element: SpartooXMLElement, site: String, externalID: String? = nil) throws -> Mapped {
        guard let id = element.string("orders_id") else { throw MappingError.missing("orders_id") }
        guard Self.validID(id) else { throw MappingError.invalid("orders_id") }
        guard let statusText = element.string("orders_status_id") else { throw MappingError.missing("orders_status_id") }
        guard let code = Int(statusText) else { throw MappingError.invalid("orders_status_id") }
        let status = SpartooStates.status(code)

        let customers = element.child("customers") ?? element
        let delivery = element.child("delivery") ?? element
        let phone = customers.string("customers_telephone") ?? customers.string("customers_phone")
        let billing = Self.address(customers, prefix: "customers", phone: phone)
        let deliveryAddress = Self.address(delivery, prefix: "delivery", phone: phone)
        // An empty delivery block means "deliver to the buyer" (API notes §5).
        let deliveryEmpty = deliveryAddress.map { $0.name.isEmpty && $0.line1.isEmpty && $0.city.isEmpty && $0.postcode.isEmpty } ?? true
        let shipping = deliveryEmpty ? billing : deliveryAddress
        let email = customers.string("customers_email_address") ?? customers.string("customers_email")
        let customerName = billing?.name ?? shipping?.name ?? ""
        let customer = customerName.isEmpty && email == nil && phone == nil
            ? nil : Customer(name: customerName, email: email, phone: phone)

        let total = try Self.money(element, "order_total")
        let shippingPrice = try Self.money(element, "shipping_price")
        let lines = try self.lines(element, orderTotal: total, shipping: shippingPrice)

        var extra: [String: String] = [:]
        if let tracking = element.string("tracking_number") ?? element.string("orders_tracking_number") {
            extra["tracking_number"] = tracking
        }
        let relay = delivery.child("relay_info") ?? element.child("relay_info")
        if let type = relay?.string("relay_type") { extra["relay_type"] = type }

        let order = Order(
            ref: OrderRef(channel: channelID, externalID: externalID ?? id), channelType: ChannelType.spartoo.rawValue,
            site: site, status: status ?? .onHold, channelStatus: String(code),
            createdAt: element.string("date_purchased").flatMap(SpartooTime.parse),
            updatedAt: element.string("last_modified").flatMap(SpartooTime.parse),
            currency: Self.currency(site: site), total: total, shippingTotal: shippingPrice, discountTotal: nil,
            coupons: [], customer: customer, shippingAddress: shipping, billingAddress: billing,
            pickupPoint: relay.flatMap(Self.pickupPoint), paymentMethod: element.string("payment_method"),
            shippingMethod: element.string("shipping_name"), carrier: nil, customerNote: nil, acceptBy: nil,
            lines: lines, shipments: [], extra: extra)
        return Mapped(order: order, unknownStatus: status == nil ? code : nil)
    }

    // MARK: lines

    private func lines(_ element: SpartooXMLElement, orderTotal: Money?, shipping: Money?) throws -> [OrderLine] {
        let products = (element.child("products") ?? element).children(named: "product")
        guard !products.isEmpty else { throw MappingError.missing("products") }
        var result: [OrderLine] = []
        var finals: [(index: Int, final: Money, quantity: Int)] = []
        var usedIDs = Set<String>()
        for (index, product) in products.enumerated() {
            let field = "products[\(index)]"
            guard let qtyText = product.string("products_qty") ?? product.string("products_quantity") else {
                throw MappingError.missing("\(field).products_qty")
            }
            guard let quantity = Int(qtyText), quantity > 0, quantity < 100_000 else {
                throw MappingError.invalid("\(field).products_qty")
            }
            let reference = product.string("products_reference")
            let sizeReference = product.string("products_size_reference")
            // Spartoo has no line id: its product id plus the size reference [G].
            var lineID = product.string("products_spartoo") ?? reference ?? "line\(index + 1)"
            if let sizeReference, sizeReference != lineID { lineID += "-" + sizeReference }
            if usedIDs.contains(lineID) { lineID += "#\(index + 1)" }
            usedIDs.insert(lineID)
            var options: [String: String] = [:]
            if let size = product.string("products_size") { options["size"] = size }
            if let color = product.string("products_color") { options["color"] = color }
            // The product-level reference, which the delivery slip names a line by (`sku` is the size one).
            if let reference, let sizeReference, reference != sizeReference { options["reference"] = reference }
            let unit = try Self.money(product, "products_price_unit_with_reduce", field: field)
                ?? Self.money(product, "products_price_unit", field: field)
            if unit == nil, let final = try Self.money(product, "products_final_price", field: field) {
                finals.append((index, final, quantity))
            }
            result.append(OrderLine(
                lineID: lineID, sku: sizeReference ?? reference, name: product.string("products_name") ?? reference ?? "",
                brand: product.string("products_manufacturers"), quantity: quantity, unitPrice: unit, options: options,
                imageURL: product.string("products_image"), requiresIMEI: false))
        }
        for (index, unit) in Self.unitPrices(fromFinal: finals, lines: products.count, total: orderTotal, shipping: shipping) {
            result[index].unitPrice = unit
        }
        return result
    }

    /// Unit prices from `products_final_price` when no unit price is given. Whether that price is per unit
    /// or per line is undocumented (API notes §5): a quantity of 1 settles it; otherwise the order total
    /// decides (lines summed either way, plus shipping); when neither fits, nothing is invented.
    static func unitPrices(fromFinal finals: [(index: Int, final: Money, quantity: Int)], lines: Int,
                           total: Money?, shipping: Money?) -> [(Int, Money)] {
        guard !finals.isEmpty else { return [] }
        if finals.allSatisfy({ $0.quantity == 1 }) { return finals.map { ($0.index, $0.final) } }
        guard finals.count == lines, let total else { return finals.filter { $0.quantity == 1 }.map { ($0.index, $0.final) } }
        let scale = max(total.scale, shipping?.scale ?? 0, finals.map(\.final.scale).max() ?? 0)
        func units(_ m: Money?) -> Int64? { (m ?? Money(minorUnits: 0, scale: scale)).rescaled(to: scale)?.minorUnits }
        guard let totalUnits = units(total), let shippingUnits = units(shipping) else { return [] }
        let finalUnits = finals.compactMap { units($0.final) }
        guard finalUnits.count == finals.count else { return [] }
        if finalUnits.reduce(0, +) + shippingUnits == totalUnits {
            // Per line: divide where exact.
            return zip(finals, finalUnits).compactMap { item, value in
                value % Int64(item.quantity) == 0 ? (item.index, Money(minorUnits: value / Int64(item.quantity), scale: scale)) : nil
            }
        }
        if zip(finals, finalUnits).map({ $1 * Int64($0.quantity) }).reduce(0, +) + shippingUnits == totalUnits {
            return finals.map { ($0.index, $0.final) }
        }
        return finals.filter { $0.quantity == 1 }.map { ($0.index, $0.final) }
    }

    // MARK: values

    /// An amount: `89.90`, `89,90`, `1 234,50`, `1.234,50`, `1,234.50`. Absent or empty: nil; anything
    /// else that is not a number throws.
    static func money(_ element: SpartooXMLElement, _ name: String, field: String? = nil) throws -> Money? {
        guard let text = element.string(name) else { return nil }
        guard let money = parseMoney(text) else { throw MappingError.invalid(field.map { "\($0).\(name)" } ?? name) }
        return money
    }

    static func parseMoney(_ text: String) -> Money? {
        // Nearly every amount is plain ("89.90"): nothing to filter or replace, so no `Character` is made
        // (the general way below was 1 % of a backlog import's instructions).
        if text.utf8.allSatisfy({ ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }) {
            return Money(text)
        }
        var s = text.filter { !$0.isWhitespace && $0 != "\u{00A0}" && $0 != "€" }
        let comma = s.lastIndex(of: ","), dot = s.lastIndex(of: ".")
        switch (comma, dot) {
        case (let c?, let d?) where c > d: s = s.replacingOccurrences(of: ".", with: "").replacingOccurrences(of: ",", with: ".")
        case (_?, _?): s = s.replacingOccurrences(of: ",", with: "")
        case (_?, nil): s = s.replacingOccurrences(of: ",", with: ".")
        default: break
        }
        return Money(s)
    }

    /// The currency of a site's shop [G]; nil where unknown (never invented).
    static func currency(site: String) -> String? {
        switch site {
        case "fr", "es", "it", "de", "be", "nl", "pt", "at", "ie", "lu", "fi", "gr", "sk", "si", "ee", "lv", "lt", "hr", "eu": "EUR"
        case "uk", "gb": "GBP"
        case "ch": "CHF"
        case "se": "SEK"
        case "pl": "PLN"
        case "dk": "DKK"
        case "cz": "CZK"
        default: nil
        }
    }
}
