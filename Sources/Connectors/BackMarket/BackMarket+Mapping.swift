import Foundation
import OrderSync

/// Back Market's order and order-line states and their mapping to the contract's statuses
/// (../shared/api/backmarket.md §3). Pure values: tested without a network.
public enum BackMarketStates {
    /// Line states that are no longer "live": cancelled, refunded before/after shipping, not paid.
    static let deadLineStates: Set<Int> = [4, 5, 6, 7]

    /// The normalized status from the order state and its line states; first matching row wins.
    public static func status(orderState: Int, lineStates: [Int]) -> OrderStatus {
        let live = lineStates.filter { !deadLineStates.contains($0) }
        if live.isEmpty, lineStates.contains(6) { return .refunded }
        if orderState == 8 || live.isEmpty { return .cancelled }
        if live.contains(9) { return .onHold }
        if orderState == 0 || orderState == 10 || live.contains(0) || live.contains(8) { return .pendingPayment }
        if orderState == 1 { return .awaitingAcceptance }
        if orderState == 3 { return .awaitingShipment }
        if orderState == 9 || live.allSatisfy({ $0 == 3 }) { return .shipped }
        // Lines in a mix Back Market does not document (e.g. 1 and 2 with order state unknown): wait.
        if live.contains(1) { return .awaitingAcceptance }
        if live.contains(2) { return .awaitingShipment }
        return .onHold
    }

    /// Legal line transitions a merchant may request.
    public static func canMove(line from: Int, to: Int) -> Bool {
        switch (from, to) {
        case (1, 2), (1, 4), (2, 3), (2, 5), (3, 6): true
        default: false
        }
    }
}

/// Normalizes Back Market order JSON into `Order`. Liberal in what it reads: snake_case or camelCase
/// addresses, ids as numbers or strings, any ISO date form, missing email.
struct BackMarketMapper: Sendable {
    let channelID: String
    let imeiPatterns: [String]
    let acceptWithinHours: Int
    /// Whether a (product, listing) needs an IMEI, remembered: a catalogue has few distinct products, so
    /// the patterns are matched once per product rather than on every line of every poll.
    let requiresIMEI = GlobMemo()

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
        // ASCII digits only: `isNumber` alone lets "١٢٣", "½" or "Ⅻ" through into refs and request paths.
        guard let id = json["order_id"]?.text, !id.isEmpty, id.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw MappingError.missing("order_id")
        }
        guard let state = json["state"]?.int else { throw MappingError.missing("state") }
        guard let lineValues = json["orderlines"]?.array else { throw MappingError.missing("orderlines") }
        var lines: [OrderLine] = []
        var lineStates: [Int] = []
        var returnReasons: [Int?] = []
        for (index, value) in lineValues.enumerated() {
            guard let lineID = value["id"]?.text, !lineID.isEmpty else { throw MappingError.missing("orderlines[\(index)].id") }
            guard let lineState = value["state"]?.int else { throw MappingError.missing("orderlines[\(index)].state") }
            // Absent or null: 1. Present but not an integer: malformed, not silently 1.
            let quantityValue = value["quantity"].flatMap { $0.isNull ? nil : $0 }
            let quantity = quantityValue.map { $0.int ?? 0 } ?? 1
            guard quantity > 0, quantity < 100_000 else { throw MappingError.invalid("orderlines[\(index)].quantity") }
            var price: Money?
            if let text = value["price"]?.text {
                guard let money = Money(text) else { throw MappingError.invalid("orderlines[\(index)].price") }
                price = money
            }
            let product = value["product"]?.text ?? value["title"]?.text ?? ""
            let sku = value["listing"]?.text ?? value["sku"]?.text
            var options: [String: String] = [:]
            if let condition = value["condition"]?.text { options["condition"] = condition }
            let imei = nonEmpty(value["imei"]?.text) ?? value["imei_numbers"]?.array?.first?.text.flatMap(nonEmpty)
            let requires = requiresIMEI.value(product: product, sku: sku) {
                imeiPatterns.contains { pattern in
                    Glob.matches(pattern: pattern, product) || (sku.map { Glob.matches(pattern: pattern, $0) } ?? false)
                }
            }
            lines.append(OrderLine(lineID: lineID, sku: sku, name: product, brand: nonEmpty(value["brand"]?.text),
                                   quantity: quantity, unitPrice: price, options: options,
                                   imageURL: nonEmpty(value["image"]?.text), requiresIMEI: requires, imei: imei,
                                   serial: nonEmpty(value["serial_number"]?.text), channelState: String(lineState)))
            lineStates.append(lineState)
            let reason = value["return_reason"].flatMap { $0.isNull ? nil : $0 }
            if let reason, reason.int == nil { throw MappingError.invalid("orderlines[\(index)].return_reason") }
            returnReasons.append(reason?.int)
        }
        func money(_ key: String) throws -> Money? {
            guard let v = json[key], !v.isNull else { return nil }
            guard let text = v.text, let m = Money(text) else { throw MappingError.invalid(key) }
            return m
        }
        let price = try money("price")
        let shippingPrice = try money("shipping_price")
        var total: Money?
        if let price {
            guard let sum = price.adding(shippingPrice ?? Money(minorUnits: 0, scale: price.scale)) else {
                throw MappingError.invalid("price")
            }
            total = sum
        }
        func date(_ key: String) throws -> Date? {
            guard let v = json[key], !v.isNull, let text = v.text, !text.isEmpty else { return nil }
            guard let d = Timestamp.parse(text) else { throw MappingError.invalid(key) }
            return d
        }
        let shipping = address(json["shipping_address"])
        let billing = address(json["billing_address"])
        let contact = shipping ?? billing
        let email = nonEmpty(json["shipping_address"]?["email"]?.text) ?? nonEmpty(json["billing_address"]?["email"]?.text)
        let status = BackMarketAftersale.status(base: BackMarketStates.status(orderState: state, lineStates: lineStates),
                                                lines: Array(zip(lineStates, returnReasons)))
        let refunds = BackMarketAftersale.refunds(lines.indices.map { (lines[$0], lineStates[$0], returnReasons[$0]) })
        let payment = try date("date_payment")
        var acceptBy: Date?
        if status == .awaitingAcceptance {
            let created = try date("date_creation")
            acceptBy = (payment ?? created)?.addingTimeInterval(Double(acceptWithinHours) * 3600)
        }
        // Back Market (OAS `Order.expected_dispatch_date`): "only applicable for orders not already SENT";
        // written without an offset in the OAS example, read as UTC like the API's other dates.
        let shipBy = try date("expected_dispatch_date")
        var extra: [String: String] = [:]
        if let t = nonEmpty(json["tracking_number"]?.text) { extra["tracking_number"] = t }
        return Order(
            ref: OrderRef(channel: channelID, externalID: id), channelType: "backmarket", site: nil,
            status: status, channelStatus: String(state),
            createdAt: try date("date_creation"), updatedAt: try date("date_modification"),
            currency: nonEmpty(json["currency"]?.text), total: total,
            shippingTotal: shippingPrice, discountTotal: nil, coupons: [],
            customer: contact.map { Customer(name: $0.name, email: email, phone: nonEmpty($0.phone)) },
            shippingAddress: shipping, billingAddress: billing, pickupPoint: nil,
            paymentMethod: nonEmpty(json["payment_method"]?.text),
            shippingMethod: nonEmpty(json["delivery_mode"]?.text) ?? nonEmpty(json["shipper_display"]?.text) ?? nonEmpty(json["shipper"]?.text),
            carrier: nil, customerNote: nil, acceptBy: acceptBy, shipBy: shipBy, lines: lines, shipments: [], extra: extra,
            refunds: refunds)
    }

    private func nonEmpty(_ s: String?) -> String? {
        guard let s, !s.isEmpty else { return nil }
        return s
    }

    /// Either casing: `first_name` or `firstName`.
    private func address(_ value: JSONValue?) -> Address? {
        guard let value, case .object = value else { return nil }
        func field(_ snake: String, _ camel: String) -> String {
            value[snake]?.text ?? value[camel]?.text ?? ""
        }
        let name = [field("first_name", "firstName"), field("last_name", "lastName")].filter { !$0.isEmpty }.joined(separator: " ")
        let address = Address(name: name, company: field("company", "company"), line1: field("street", "street"),
                              line2: field("street2", "street2"), postcode: field("postal_code", "postalCode"),
                              city: field("city", "city"), state: field("state_or_province", "state"),
                              country: field("country", "country"), phone: field("phone", "phoneNumber"))
        return address.isEmpty ? nil : address
    }
}

/// Answers for (product, listing) pairs, computed once each. Thread-safe; at most 10,000 remembered (then
/// started afresh), so a huge catalogue costs no more than it did.
final class GlobMemo: @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [String: Bool] = [:]

    func value(product: String, sku: String?, compute: () -> Bool) -> Bool {
        let key = product + "\u{0}" + (sku ?? "\u{1}")
        if let known = lock.withLock({ answers[key] }) { return known }
        let answer = compute()
        lock.withLock {
            if answers.count >= 10_000 { answers.removeAll() }
            answers[key] = answer
        }
        return answer
    }
}
