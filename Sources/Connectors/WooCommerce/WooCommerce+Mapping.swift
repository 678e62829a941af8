import Foundation
import OrderSync

/// WooCommerce order statuses and their mapping to the contract's statuses
/// (../shared/api/woocommerce.md §3). Pure values: tested without a network.
public enum WooCommerceStatuses {
    /// Statuses that are never imported (block-checkout and admin drafts).
    public static let drafts: Set<String> = ["checkout-draft", "auto-draft"]
    /// Statuses after which nothing more is expected of the merchant (a cancel finds them done).
    public static let cancelledLike: Set<String> = ["cancelled", "trash", "refunded", "failed"]
    /// Statuses WooCommerce core knows (WC 11.3 adds `ready-for-pickup`); anything else comes from a plugin.
    public static let core: Set<String> = [
        "pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed", "trash",
        "checkout-draft", "auto-draft", "ready-for-pickup",
    ]

    /// The status as the REST API spells it: trimmed, lower-cased, without the `wc-` storage prefix.
    public static func canonical(_ raw: String) -> String {
        let text = raw.trimmingWhitespace().lowercased()
        return text.hasPrefix("wc-") ? String(text.dropFirst(3)) : text
    }

    /// True for core statuses; plugin statuses are kept as `channel_status` and mapped to `on_hold`.
    public static func isKnown(_ raw: String) -> Bool { core.contains(canonical(raw)) }

    /// The normalized status. `shippedByUs`: ordersync recorded every line as shipped on a store
    /// that does not complete on ship (`processing` then reads `shipped`).
    public static func status(_ raw: String, shippedByUs: Bool = false) -> OrderStatus {
        switch canonical(raw) {
        case "pending", "checkout-draft", "auto-draft": .pendingPayment
        // A retried payment may revive a failed order; it is re-mapped on every poll.
        case "failed", "cancelled", "trash": .cancelled
        case "processing": shippedByUs ? .shipped : .awaitingShipment
        case "on-hold": .onHold
        case "completed": .completed
        case "ready-for-pickup": .shipped
        case "refunded": .refunded
        default: .onHold
        }
    }
}

/// Normalizes WooCommerce `wc/v3` order JSON into `Order` (../shared/api/woocommerce.md §1.9).
/// Liberal in what it reads (numbers or strings for money and ids, missing blocks, null sku), strict
/// about money: amounts stay decimal text, never a float (line `price` is a float and is ignored).
/// Reads only the `_gmt` dates: the plain ones are site-local and zone-less.
struct WooCommerceMapper: Sendable {
    let channelID: String

    /// Order meta written when every line shipped on a store with `complete_on_ship: false`.
    static let shippedMetaKey = "_ordersync_shipped"

    enum MappingError: Error, CustomStringConvertible {
        case missing(String)
        case invalid(String)
        var description: String {
            switch self {
            case .missing(let f): "missing field \(f)"
            case .invalid(let f): "invalid field \(f)"
            }
        }
    }

    func order(from json: JSONValue) throws -> Order {
        guard case .object = json else { throw MappingError.invalid("order (not an object)") }
        guard let id = json["id"]?.text, !id.isEmpty, id.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw MappingError.missing("id")
        }
        guard let rawStatus = json["status"]?.text, !rawStatus.isEmpty else { throw MappingError.missing("status") }
        let status = WooCommerceStatuses.canonical(rawStatus)
        let metaData = json["meta_data"]?.array ?? []
        let shippedByUs = metaData.contains { $0["key"]?.text == Self.shippedMetaKey && $0["value"]?.text == "yes" }

        var extra: [String: String] = [:]
        if let number = nonEmpty(json["number"]?.text) { extra["number"] = number }
        if shippedByUs { extra["shipped_by_ordersync"] = "yes" }
        if let tax = try Self.money(json["total_tax"], "total_tax") { extra["total_tax"] = tax.description }

        var lines: [OrderLine] = []
        for (index, item) in (json["line_items"]?.array ?? []).enumerated() {
            let line = try self.line(item, index: index)
            lines.append(line)
            if let product = nonEmpty(item["product_id"]?.text), product != "0" {
                let variation = nonEmpty(item["variation_id"]?.text).flatMap { $0 == "0" ? nil : $0 }
                extra["product.\(line.lineID)"] = variation.map { "\(product)/\($0)" } ?? product
            }
        }

        // Fees and refunds have no field in the contract: their sums are kept beside the order.
        let fees = try (json["fee_lines"]?.array ?? []).enumerated().map { index, fee -> (String, Money) in
            guard let total = try Self.money(fee["total"], "fee_lines[\(index)].total") else {
                throw MappingError.missing("fee_lines[\(index)].total")
            }
            return (fee["name"]?.text ?? "fee", total)
        }
        if !fees.isEmpty {
            extra["fees_total"] = try Self.sum(fees.map(\.1), "fee_lines").description
            extra["fees"] = fees.map { "\($0.0): \($0.1)" }.joined(separator: "; ")
        }
        let refundEntries = try WooCommerceRefunds.orderRefunds(json["refunds"])
        let refunds = refundEntries.map(\.amount)
        if !refunds.isEmpty {
            // WooCommerce lists refunds with negative totals.
            let total = try Self.sum(refunds, "refunds")
            extra["refunded_total"] = total.description
        }

        let billing = address(json["billing"])
        var shipping = address(json["shipping"])
        let billingPhone = nonEmpty(json["billing"]?["phone"]?.text)
        if shipping != nil, shipping?.phone.isEmpty == true, let billingPhone { shipping?.phone = billingPhone }
        let customerName = billing?.name.isEmpty == false ? billing!.name : (shipping?.name ?? "")
        let email = nonEmpty(json["billing"]?["email"]?.text)
        let customer = customerName.isEmpty && email == nil && billingPhone == nil
            ? nil : Customer(name: customerName, email: email, phone: billingPhone)
        let coupons = (json["coupon_lines"]?.array ?? []).compactMap { nonEmpty($0["code"]?.text) }

        return Order(
            ref: OrderRef(channel: channelID, externalID: id), channelType: "woocommerce", site: nil,
            status: WooCommerceStatuses.status(status, shippedByUs: shippedByUs), channelStatus: status,
            createdAt: try gmtDate(json, "date_created_gmt"), updatedAt: try gmtDate(json, "date_modified_gmt"),
            currency: nonEmpty(json["currency"]?.text), total: try Self.money(json["total"], "total"),
            shippingTotal: try Self.money(json["shipping_total"], "shipping_total"),
            discountTotal: try Self.money(json["discount_total"], "discount_total"), coupons: coupons,
            customer: customer, shippingAddress: shipping, billingAddress: billing, pickupPoint: nil,
            paymentMethod: nonEmpty(json["payment_method_title"]?.text) ?? nonEmpty(json["payment_method"]?.text),
            shippingMethod: json["shipping_lines"]?.array?.first.flatMap { nonEmpty($0["method_title"]?.text) },
            carrier: nil, customerNote: json["customer_note"]?.text, acceptBy: nil, lines: lines, shipments: [],
            extra: extra, refunds: refundEntries)
    }

    /// One `line_items` entry. `unit_price` = (`total` + `total_tax`) ÷ `quantity`, in decimal, rounded
    /// half away from zero to the precision of the amounts (the API's `dp`); never the float `price`.
    private func line(_ item: JSONValue, index: Int) throws -> OrderLine {
        guard let lineID = item["id"]?.text, !lineID.isEmpty else { throw MappingError.missing("line_items[\(index)].id") }
        let quantity = item["quantity"]?.int ?? 1
        guard quantity >= 0, quantity < 100_000 else { throw MappingError.invalid("line_items[\(index)].quantity") }
        let total = try Self.money(item["total"], "line_items[\(index)].total")
        let tax = try Self.money(item["total_tax"], "line_items[\(index)].total_tax")
        var unitPrice: Money?
        if let total, quantity > 0 {
            let gross = try Self.sum([total] + (tax.map { [$0] } ?? []), "line_items[\(index)]")
            unitPrice = Self.divide(gross, by: quantity, scale: max(total.scale, tax?.scale ?? 0))
        }
        return OrderLine(lineID: lineID, sku: nonEmpty(item["sku"]?.text), name: item["name"]?.text ?? "",
                         brand: nil, quantity: quantity, unitPrice: unitPrice, options: options(item["meta_data"]),
                         imageURL: nonEmpty(item["image"]?["src"]?.text), requiresIMEI: false)
    }

    /// Display pairs of a line's `meta_data` (`Size` → `M`, `Colour` → `Blue`): `display_key` /
    /// `display_value` where present, else `key` / `value`; hidden keys (`_…`) and non-text values skipped.
    func options(_ meta: JSONValue?) -> [String: String] {
        var options: [String: String] = [:]
        for entry in meta?.array ?? [] {
            guard let key = entry["key"]?.text, !key.hasPrefix("_") else { continue }
            let label = Self.plainText(nonEmpty(entry["display_key"]?.text) ?? key)
            guard let rawValue = entry["display_value"]?.text ?? entry["value"]?.text else { continue }
            let value = Self.plainText(rawValue)
            guard !label.isEmpty, !value.isEmpty, options[label] == nil else { continue }
            options[label] = value
        }
        return options
    }

    /// `billing` / `shipping` → `Address`; nil when absent or every field is empty.
    private func address(_ value: JSONValue?) -> Address? {
        guard let value, case .object = value else { return nil }
        func field(_ key: String) -> String { value[key]?.text ?? "" }
        let name = [field("first_name"), field("last_name")].filter { !$0.isEmpty }.joined(separator: " ")
        let address = Address(name: name, company: field("company"), line1: field("address_1"), line2: field("address_2"),
                              postcode: field("postcode"), city: field("city"), state: field("state"),
                              country: field("country"), phone: field("phone"))
        return address.isEmpty ? nil : address
    }

    /// A `*_gmt` date: zone-less UTC (`2026-03-10T08:30:00`); a `Z` or offset is honoured if present.
    private func gmtDate(_ json: JSONValue, _ key: String) throws -> Date? {
        guard let value = json[key], !value.isNull, let text = value.text, !text.isEmpty else { return nil }
        guard let date = Timestamp.parse(text) else { throw MappingError.invalid(key) }
        return date
    }

    private func nonEmpty(_ s: String?) -> String? {
        guard let s, !s.isEmpty else { return nil }
        return s
    }

    // MARK: decimal helpers

    /// A money field: nil when absent, null or empty; an error when present but not a decimal.
    static func money(_ value: JSONValue?, _ field: String) throws -> Money? {
        guard let value, !value.isNull else { return nil }
        guard let text = value.text else { throw MappingError.invalid(field) }
        if text.trimmingWhitespace().isEmpty { return nil }
        guard let money = Money(text) else { throw MappingError.invalid(field) }
        return money
    }

    static func sum(_ amounts: [Money], _ field: String) throws -> Money {
        var total = Money(minorUnits: 0, scale: amounts.first?.scale ?? 2)
        for amount in amounts {
            guard let next = total.adding(amount) else { throw MappingError.invalid(field) }
            total = next
        }
        return total
    }

    /// `amount ÷ divisor` at `scale` decimals, rounded half away from zero (PHP `round`); nil on overflow.
    static func divide(_ amount: Money, by divisor: Int, scale: Int) -> Money? {
        guard divisor > 0, let widened = amount.rescaled(to: max(scale, amount.scale)) else { return nil }
        // widened has at least `scale` decimals; reduce to `scale` while dividing.
        var denominator = Int64(divisor)
        for _ in scale..<widened.scale {
            let (d, overflow) = denominator.multipliedReportingOverflow(by: 10)
            if overflow { return nil }
            denominator = d
        }
        let magnitude = Int64(widened.minorUnits.magnitude)
        let (twice, overflow) = magnitude.multipliedReportingOverflow(by: 2)
        if overflow { return nil }
        let rounded = (twice + denominator) / (2 * denominator)
        return Money(minorUnits: widened.minorUnits < 0 ? -rounded : rounded, scale: scale)
    }

    /// Text without HTML tags and with the common entities decoded (plugins put markup in display values).
    static func plainText(_ text: String) -> String {
        // Most names hold neither a tag nor an entity: nothing to strip or decode.
        if !text.utf8.contains(where: { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: "&") }) {
            return text.trimmingWhitespaceAndNewlines()
        }
        var out = ""
        var inTag = false
        for ch in text {
            if ch == "<" { inTag = true; continue }
            if ch == ">" && inTag { inTag = false; continue }
            if !inTag { out.append(ch) }
        }
        let entities = [("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#039;", "'"), ("&#39;", "'"),
                        ("&nbsp;", " ")]
        for (entity, value) in entities { out = out.replacingOccurrences(of: entity, with: value) }
        return out.trimmingWhitespaceAndNewlines()
    }
}
