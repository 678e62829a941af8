import Foundation

extension WooCommerceSimulator {
    /// A catalogue product: what `GET /products?sku=` finds and a created order's line points at.
    /// `stock` nil means stock is not managed.
    public struct Product: Sendable, Equatable {
        public var id: Int
        public var name: String
        public var sku: String
        /// The regular price, tax included, as WooCommerce stores it (`"199.00"`).
        public var price: String
        public var stock: Int?

        public init(id: Int = 0, name: String, sku: String, price: String, stock: Int? = nil) {
            self.id = id; self.name = name; self.sku = sku; self.price = price; self.stock = stock
        }

        func json(baseURL: String) -> [String: Any] {
            ["id": id, "name": name, "slug": name.lowercased().replacingOccurrences(of: " ", with: "-"), "type": "simple",
             "status": "publish", "sku": sku, "price": price, "regular_price": price, "sale_price": "",
             "manage_stock": stock != nil, "stock_quantity": stock.map { $0 as Any } ?? NSNull(),
             "stock_status": (stock ?? 1) > 0 ? "instock" : "outofstock",
             "_links": ["self": [["href": "\(baseURL)/wp-json/wc/v3/products/\(id)"]]]]
        }
    }

    /// Adds a product to the catalogue (id 0 gets one) and returns it as stored.
    @discardableResult
    public func addProduct(_ template: Product) -> Product {
        withState { state in
            var product = template
            if product.id == 0 {
                product.id = state.nextProductID
                state.nextProductID += 1
            }
            state.products[product.id] = product
            return product
        }
    }

    /// A product by id, as it is now (its stock moved by orders).
    public func product(_ id: Int) -> Product? { withState { $0.products[id] } }

    /// `GET /products`: `sku` (exact; several comma-separated), `per_page`, `page`; published products.
    func listProducts(_ request: HTTPRequest, state: State) -> HTTPResponse {
        var products = state.products.values.sorted { $0.id < $1.id }
        if let sku = request.query["sku"] {
            let wanted = Set(sku.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            products = products.filter { wanted.contains($0.sku) }
        }
        let perPage = Int(request.query["per_page"] ?? "") ?? state.configuration.defaultPerPage
        guard (1...100).contains(perPage) else {
            return Self.invalidParam("per_page", "per_page must be between 1 (inclusive) and 100 (inclusive)")
        }
        let page = max(1, Int(request.query["page"] ?? "") ?? 1)
        let slice = products.dropFirst((page - 1) * perPage).prefix(perPage)
        let pages = max(1, (products.count + perPage - 1) / perPage)
        var response = HTTPResponse.json(200, slice.map { $0.json(baseURL: state.baseURL) })
        response.headers.append(("X-WP-Total", String(products.count)))
        response.headers.append(("X-WP-TotalPages", String(pages)))
        return response
    }

    /// `POST /orders`, as `WC_REST_Orders_V2_Controller::save_object` creates one: status as given (default
    /// `pending`), lines by `sku` or `product_id` (neither → 400 `woocommerce_rest_required_product_reference`;
    /// one that finds no product → a line with no product, its `name` and totals as posted), shipping lines,
    /// addresses, meta; totals computed; then `set_paid: true` runs `payment_complete`, which moves a pending,
    /// on-hold, failed or cancelled order to `processing`. Replies 201 with the order.
    func createOrder(_ request: HTTPRequest, key: APIKey, now: Date, state: inout State) -> HTTPResponse {
        let body: [String: Any]
        switch Self.jsonObject(request) {
        case .success(let object): body = object
        case .failure(let denied): return denied.response
        }
        let status = (body["status"] as? String) ?? "pending"
        guard state.settableStatuses.contains(status) else {
            return Self.invalidParam("status", "status is not one of \(state.settableStatuses.joined(separator: ", ")).")
        }
        var order = Order(status: "pending", datePaid: nil, lineItems: [], shippingLines: [])
        order.paymentMethod = (body["payment_method"] as? String) ?? ""
        order.paymentMethodTitle = (body["payment_method_title"] as? String) ?? ""
        order.customerNote = (body["customer_note"] as? String) ?? ""
        if let currency = body["currency"] as? String { order.currency = currency }
        order.billing = Self.address(body["billing"] as? [String: Any], billing: true)
        order.shipping = Self.address(body["shipping"] as? [String: Any], billing: false)
        for entry in body["line_items"] as? [[String: Any]] ?? [] {
            let sku = (entry["sku"] as? String).flatMap { $0.isEmpty ? nil : $0 }
            let productID = Self.integer(entry["product_id"]) ?? 0
            guard sku != nil || productID != 0 || (Self.integer(entry["variation_id"]) ?? 0) != 0 else {
                return Self.error(400, "woocommerce_rest_required_product_reference", "Product ID or SKU is required.")
            }
            let product = sku.flatMap { s in state.products.values.first { $0.sku == s } } ?? state.products[productID]
            let quantity = max(1, Self.integer(entry["quantity"]) ?? 1)
            let fromProduct = product.map { WooCents.format((WooCents.parse($0.price) ?? 0) * quantity) } ?? "0.00"
            let total = Self.text(entry["total"]) ?? fromProduct
            order.lineItems.append(LineItem(
                name: (entry["name"] as? String) ?? product?.name ?? "", productID: product?.id ?? 0, sku: product?.sku,
                quantity: quantity, subtotal: Self.text(entry["subtotal"]) ?? total, subtotalTax: "0.00",
                total: total, totalTax: "0.00",
                meta: (entry["meta_data"] as? [[String: Any]] ?? []).compactMap(Self.meta)))
        }
        for entry in body["shipping_lines"] as? [[String: Any]] ?? [] {
            order.shippingLines.append(ShippingLine(methodTitle: (entry["method_title"] as? String) ?? "",
                                                    methodID: (entry["method_id"] as? String) ?? "",
                                                    total: Self.text(entry["total"]) ?? "0.00", totalTax: "0.00"))
        }
        order.metaData = (body["meta_data"] as? [[String: Any]] ?? []).compactMap(Self.meta)
        let created = state.insert(order, now: now)
        state.effects.append(AppliedEffect(time: now, orderID: created.id, kind: .created, details: ["status": status]))
        if status != "pending" { state.changeStatus(created.id, to: status, now: now, byUser: nil) }
        if Self.boolean(body["set_paid"]) == true,
           ["pending", "on-hold", "failed", "cancelled"].contains(state.orders[created.id]?.status ?? "") {
            state.orders[created.id]?.datePaid = now
            state.changeStatus(created.id, to: "processing", now: now, byUser: nil)
        }
        state.reduceStockIfDue(created.id)
        return .json(201, state.orders[created.id]!.json(zone: state.configuration.timeZone, baseURL: state.baseURL))
    }

    static func address(_ fields: [String: Any]?, billing: Bool) -> Address {
        let f = fields ?? [:]
        func s(_ key: String) -> String { (f[key] as? String) ?? "" }
        let email = (f["email"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        let phone = (f["phone"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        return Address(firstName: s("first_name"), lastName: s("last_name"), company: s("company"), address1: s("address_1"),
                       address2: s("address_2"), city: s("city"), state: s("state"), postcode: s("postcode"),
                       country: s("country"), email: billing ? email : nil, phone: phone)
    }

    static func meta(_ entry: [String: Any]) -> Meta? {
        guard let key = entry["key"] as? String else { return nil }
        return Meta(key: key, value: text(entry["value"]) ?? "")
    }
}

extension WooCommerceSimulator.State {
    /// `wc_maybe_reduce_stock_levels`: once per order (`_order_stock_reduced`), when it is processing,
    /// on-hold or completed; only lines with a product whose stock is managed.
    mutating func reduceStockIfDue(_ id: Int) {
        guard let order = orders[id], ["processing", "on-hold", "completed"].contains(order.status),
              !stockReduced.contains(id) else { return }
        stockReduced.insert(id)
        moveStock(order, by: -1)
    }

    /// `wc_maybe_increase_stock_levels`: a cancelled (or pending) order whose stock was reduced gets it back.
    mutating func restoreStockIfDue(_ id: Int) {
        guard let order = orders[id], ["cancelled", "pending"].contains(order.status), stockReduced.contains(id) else { return }
        stockReduced.remove(id)
        moveStock(order, by: 1)
    }

    private mutating func moveStock(_ order: WooCommerceSimulator.Order, by sign: Int) {
        for line in order.lineItems where line.productID != 0 {
            guard let stock = products[line.productID]?.stock else { continue }
            products[line.productID]?.stock = stock + sign * line.quantity
        }
    }
}
