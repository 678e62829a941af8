import Foundation
import OrderSync

/// The store as the fulfilment desk: a marketplace order copied into WooCommerce as a paid order carrying
/// the meta `ordersync_ref`. `POST /orders` has no idempotency key, so it is sent once per attempt and the
/// caller looks for the `ordersync_ref` (``findMirror(of:createdSince:)``) before any retry.
extension WooCommerceChannel: MirrorStore {
    /// Walks `GET /orders?after=…` (orders created since then, any status but the bin) and returns the id of
    /// the one whose `ordersync_ref` is `ref`.
    public func findMirror(of ref: OrderRef, createdSince: Date) async throws -> String? {
        let operation = "find mirror of \(ref)"
        var page = 1
        while page <= 1_000 {
            try Task.checkCancellation()
            let query: [(String, String)] = [
                ("status", "any"), ("after", WooCommerceCursor.naiveUTC(createdSince)), ("dates_are_gmt", "true"),
                ("orderby", "id"), ("order", "asc"), ("per_page", "100"), ("page", String(page)),
            ]
            let (response, json) = try await send(request("GET", "orders", query: query), operation: operation)
            guard let json else { throw failure(response, operation: operation) }
            guard let items = json.array else {
                throw ChannelError(.retryable(retryAfter: nil), operation: operation, httpStatus: response.status,
                                   message: "response is not a list of orders")
            }
            if let found = items.first(where: { Self.mirrorRef(of: $0) == ref.description }) { return found["id"]?.text }
            let totalPages = response.header("x-wp-totalpages").flatMap { Int($0.trimmingWhitespace()) }
            if items.isEmpty || page >= (totalPages ?? (items.count < 100 ? page : page + 1)) { return nil }
            page += 1
        }
        return nil
    }

    /// `ordersync_ref` of a store order payload, nil when it is not a mirror.
    static func mirrorRef(of item: JSONValue) -> String? {
        item["meta_data"]?.array?.first { $0["key"]?.text == mirrorRefMetaKey }?["value"]?.text
    }

    /// `POST /orders` once, then compares the store's total with the marketplace's: a difference is
    /// logged, returned as a warning and written as a private note. Unmatched SKUs are warnings too.
    public func createMirror(_ request: MirrorRequest) async throws -> CreatedMirror {
        let operation = "create mirror of \(request.order.ref)"
        var warnings: [String] = []
        let body = try await mirrorBody(request, warnings: &warnings)
        let (response, json) = try await send(self.request("POST", "orders", body: body), operation: operation, once: true)
        guard let json else { throw failure(response, operation: operation) }
        guard let id = json["id"]?.text, !id.isEmpty, Self.mirrorRef(of: json) == request.order.ref.description else {
            throw ChannelError(.retryable(retryAfter: nil), operation: operation, httpStatus: response.status,
                               message: "the reply names no created order; the store is searched before any retry")
        }
        let storeTotal = json["total"]?.text.flatMap(Money.init)
        if let expected = request.order.total, let storeTotal, storeTotal.decimal != expected.decimal {
            warnings.append("the store's total \(storeTotal) differs from \(request.marketplaceName)'s \(expected) "
                + "(taxes or rounding in the store?); the marketplace's amount is what the buyer paid")
        }
        if !warnings.isEmpty {
            try? await addPrivateNote("ordersync: " + warnings.joined(separator: "; "), toMirror: id)
        }
        return CreatedMirror(externalID: id, total: storeTotal, warnings: warnings)
    }

    public func addPrivateNote(_ text: String, toMirror externalID: String) async throws {
        try await addNote(externalID, text: text, customer: false, operation: "note on mirror \(externalID)")
    }

    /// The `POST /orders` body: paid, addresses (a pickup point's as the shipping address), lines by SKU
    /// (an unmatched SKU keeps its name and price and points at no product), the marketplace's shipping
    /// method and amount, the customer note, and `ordersync_ref`.
    func mirrorBody(_ request: MirrorRequest, warnings: inout [String]) async throws -> JSONValue {
        let order = request.order
        var lines: [JSONValue] = []
        for line in order.lines {
            var item: [(String, JSONValue)] = [("name", .string(line.name)), ("quantity", .number(String(line.quantity)))]
            var productID: Int?
            if let sku = line.sku, !sku.isEmpty {
                if let cached = products.lookup(sku) { productID = cached } else {
                    productID = try await storeProductID(sku: sku)
                    products.remember(sku, productID)
                }
            }
            if let productID {
                item.append(("product_id", .number(String(productID))))
            } else {
                // WooCommerce refuses a line with neither product_id nor sku; an unknown SKU gives a line
                // without a product (`wc_get_product` finds nothing), which is what is wanted.
                item.append(("sku", .string(line.sku.flatMap { $0.isEmpty ? nil : $0 } ?? "ordersync-unmatched")))
                warnings.append("SKU \(line.sku ?? "(none)") (\(line.name)) matches no store product: added without a product, stock not moved")
            }
            if let unit = line.unitPrice {
                let total = Money(minorUnits: unit.minorUnits * Int64(line.quantity), scale: unit.scale).description
                item += [("subtotal", .string(total)), ("total", .string(total))]
            }
            lines.append(.object(item))
        }
        let name = order.customer?.name ?? order.shippingAddress?.name ?? ""
        var billing = Self.address(order.billingAddress ?? order.shippingAddress, name: name, company: nil)
        let email = request.customerEmail == .forward ? order.customer?.email : nil
        billing.append(("email", .string(email ?? "")))
        billing.append(("phone", .string(order.customer?.phone ?? order.shippingAddress?.phone ?? "")))
        let shipping = order.pickupPoint.map { Self.address($0.address, name: name, company: $0.name) }
            ?? Self.address(order.shippingAddress, name: name, company: nil)
        let method = order.shippingMethod ?? order.carrier ?? "\(request.marketplaceName) shipping"
        var body: [(String, JSONValue)] = [
            ("payment_method", .string("ordersync-\(order.ref.channel)")),
            ("payment_method_title", .string("\(request.marketplaceName) (\(order.ref.description))")),
            ("billing", .object(billing)), ("shipping", .object(shipping)), ("line_items", .array(lines)),
            ("shipping_lines", .array([.object([("method_id", .string("ordersync")), ("method_title", .string(method)),
                                                ("total", .string((order.shippingTotal ?? .zero).description))])])),
            ("customer_note", .string(order.customerNote ?? "")),
            ("meta_data", .array([.object([("key", .string(mirrorRefMetaKey)), ("value", .string(order.ref.description))])])),
        ]
        if let currency = order.currency { body.append(("currency", .string(currency))) }
        switch request.status {
        case .processing: body.append(("set_paid", .bool(true)))
        // payment_complete would move an on-hold order to processing: on-hold is created unpaid-flagged.
        case .onHold: body += [("status", .string("on-hold")), ("set_paid", .bool(false))]
        }
        return .object(body)
    }

    /// `GET /products?sku=` → the first product's id, nil when none.
    func storeProductID(sku: String) async throws -> Int? {
        let operation = "find product \(sku)"
        let (response, json) = try await send(request("GET", "products", query: [("sku", sku)]), operation: operation)
        guard let json else { throw failure(response, operation: operation) }
        return json.array?.first?["id"]?.int
    }

    static func address(_ address: Address?, name: String, company: String?) -> [(String, JSONValue)] {
        let words = name.split(separator: " ").map(String.init)
        let first = words.count > 1 ? words.dropLast().joined(separator: " ") : name
        let last = words.count > 1 ? words.last ?? "" : ""
        let a = address ?? Address()
        return [("first_name", .string(first)), ("last_name", .string(last)), ("company", .string(company ?? a.company)),
                ("address_1", .string(a.line1)), ("address_2", .string(a.line2)), ("city", .string(a.city)),
                ("state", .string(a.state)), ("postcode", .string(a.postcode)), ("country", .string(a.country))]
    }
}

/// Store product ids by SKU, read once per run (`GET /products?sku=`); a SKU with no product is
/// remembered too. Thread-safe.
final class ProductIDCache: @unchecked Sendable {
    private let lock = NSLock()
    private var ids: [String: Int?] = [:]

    /// `.some(nil)`: known to match no product; nil: not looked up yet.
    func lookup(_ sku: String) -> Int?? { lock.withLock { ids[sku] } }

    func remember(_ sku: String, _ id: Int?) { lock.withLock { ids[sku] = .some(id) } }
}
