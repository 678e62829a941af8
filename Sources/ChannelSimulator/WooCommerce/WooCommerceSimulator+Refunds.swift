import Foundation

extension WooCommerceSimulator {
    /// How an order's payment gateway answers `process_refund` when a refund asks for it (`api_refund: true`).
    public enum RefundGateway: Sendable, Equatable {
        /// The money goes back: `refunded_payment: true`.
        case succeeds
        /// The gateway refuses with its own text: the refund is deleted, 500 `woocommerce_rest_cannot_create_order_refund`.
        case refuses(String)
        /// BACS, cheque, COD: "… does not support automatic refunds." (500, refund deleted).
        case unsupported
    }

    /// Sets how order `id`'s gateway answers refunds (default ``RefundGateway/succeeds``).
    public func setRefundGateway(_ id: Int, _ mode: RefundGateway) { withState { $0.refundGateways[id] = mode } }

    /// The refunds of order `id`, oldest first.
    public func refunds(orderID id: Int) -> [Refund] { withState { $0.orders[id]?.refunds ?? [] } }

    /// `…/orders/{id}/refunds[/{refund_id}]`: list, read, create, delete (WC_REST_Order_Refunds_Controller).
    func routeRefunds(_ request: HTTPRequest, orderID id: Int, refundID: Int?, now: Date, state: inout State) -> HTTPResponse {
        guard let order = state.orders[id], order.status != "trash" || request.method == "GET" else {
            return Self.error(404, "woocommerce_rest_invalid_order_id", "Invalid order ID.")
        }
        let zone = state.configuration.timeZone
        switch (request.method, refundID) {
        case ("GET", nil):
            let perPage = Int(request.query["per_page"] ?? "10") ?? 10
            let page = Int(request.query["page"] ?? "1") ?? 1
            guard (1...100).contains(perPage) else { return Self.invalidParam("per_page", "per_page must be between 1 (inclusive) and 100 (inclusive)") }
            let all = order.refunds.reversed().map { Self.refundJSON($0, order: order, zone: zone) }
            let slice = Array(all.dropFirst((max(page, 1) - 1) * perPage).prefix(perPage))
            return HTTPResponse.json(200, slice)
                .setting(header: "X-WP-Total", String(all.count))
                .setting(header: "X-WP-TotalPages", String(max(1, (all.count + perPage - 1) / perPage)))
        case ("GET", let rid?):
            guard let refund = order.refunds.first(where: { $0.id == rid }) else { return Self.invalidRefundID() }
            return .json(200, Self.refundJSON(refund, order: order, zone: zone))
        case ("POST", nil):
            return createRefund(id, request: request, now: now, state: &state)
        case ("DELETE", let rid?):
            guard request.query["force"] == "true" || request.query["force"] == "1" else {
                return Self.error(501, "woocommerce_rest_trash_not_supported", "Refunds do not support trashing.")
            }
            guard let refund = order.refunds.first(where: { $0.id == rid }) else { return Self.invalidRefundID() }
            state.orders[id]?.refunds.removeAll { $0.id == rid }
            state.touch(id, now: now)
            state.effects.append(AppliedEffect(time: now, orderID: id, kind: .refundDeleted, details: ["refund_id": String(rid)]))
            return .json(200, Self.refundJSON(refund, order: order, zone: zone))
        default:
            return Self.noRoute()
        }
    }

    static func invalidRefundID() -> HTTPResponse {
        error(404, "woocommerce_rest_invalid_order_refund_id", "Invalid order refund ID.")
    }

    /// `wc_create_refund`: `amount` wins when given, else the sum of the lines' `refund_total` + taxes;
    /// more than the remaining amount → 500 "Invalid refund amount."; saved, then the gateway is called
    /// when `api_refund` (default true) and a refusal deletes it again; fully refunded → `refunded`.
    private func createRefund(_ id: Int, request: HTTPRequest, now: Date, state: inout State) -> HTTPResponse {
        let body: [String: Any]
        switch Self.jsonObject(request) {
        case .success(let object): body = object
        case .failure(let denied): return denied.response
        }
        guard var order = state.orders[id] else { return Self.invalidOrderID() }
        var lines: [RefundLine] = []
        switch body["line_items"] {
        case nil, is NSNull: break
        case let list as [[String: Any]]:
            for item in list {
                guard let itemID = (item["id"] as? NSNumber)?.intValue ?? Int(Self.text(item["id"]) ?? "") else { continue }
                lines.append(refundLine(itemID, item, taxes: item["refund_tax"]))
            }
        case let map as [String: Any]:
            // The legacy form: {"<item id>": {"qty": 1, "refund_total": …, "refund_tax": {"<rate>": …}}}.
            for (key, value) in map.sorted(by: { $0.key < $1.key }) {
                guard let itemID = Int(key), let item = value as? [String: Any] else { continue }
                var normalized = item
                normalized["quantity"] = item["qty"]
                lines.append(refundLine(itemID, normalized, taxes: item["refund_tax"]))
            }
        default:
            return Self.invalidParam("line_items", "line_items is not of type array.")
        }
        let cents: Int
        if let amount = body["amount"], !(amount is NSNull) {
            guard let parsed = WooCents.parse(Self.text(amount) ?? "x") else {
                return Self.invalidParam("amount", "amount is not of type string.")
            }
            cents = parsed
        } else {
            cents = lines.reduce(0) { $0 + (WooCents.parse($1.total) ?? 0) + (WooCents.parse($1.tax) ?? 0) }
        }
        guard cents > 0 else {
            return Self.error(400, "woocommerce_rest_invalid_order_refund", "Refund amount must be greater than zero.")
        }
        let orderTotal = WooCents.parse(order.json(zone: state.configuration.timeZone, baseURL: "")["total"] as? String ?? "") ?? 0
        let refunded = order.refunds.reduce(0) { $0 + abs(WooCents.parse($1.total) ?? 0) }
        guard cents <= orderTotal - refunded else {
            return Self.error(500, "woocommerce_rest_cannot_create_order_refund", "Invalid refund amount.")
        }
        let apiRefund = (body["api_refund"] as? Bool) ?? ((body["api_refund"] as? NSNumber)?.boolValue ?? true)
        if apiRefund {
            switch state.refundGateways[id] ?? .succeeds {
            case .succeeds: break
            case .refuses(let text):
                return Self.error(500, "woocommerce_rest_cannot_create_order_refund", text)
            case .unsupported:
                return Self.error(500, "woocommerce_rest_cannot_create_order_refund",
                                  "The payment gateway for this order does not support automatic refunds.")
            }
        }
        var refund = Refund(id: state.nextRefundID, reason: Self.text(body["reason"]) ?? "", total: WooCents.format(-cents))
        state.nextRefundID += 1
        refund.dateCreated = now
        refund.refundedPayment = apiRefund
        refund.lines = lines
        for entry in body["meta_data"] as? [[String: Any]] ?? [] {
            guard let key = entry["key"] as? String else { continue }
            refund.meta.append(Meta(id: state.nextItemID, key: key, value: Self.text(entry["value"]) ?? ""))
            state.nextItemID += 1
        }
        order.refunds.append(refund)
        state.orders[id] = order
        state.touch(id, now: now)
        state.effects.append(AppliedEffect(time: now, orderID: id, kind: .refund, details: [
            "refund_id": String(refund.id), "amount": WooCents.format(cents), "reason": refund.reason,
            "api_refund": apiRefund ? "true" : "false", "refunded_payment": apiRefund ? "true" : "false",
            "key": refund.meta.first { $0.key == "ordersync_refund_key" }?.value ?? "",
        ]))
        if refunded + cents >= orderTotal {
            state.changeStatus(id, to: "refunded", now: now, byUser: nil)
        } else {
            state.sendEmail(id, "customer_partially_refunded_order", to: order.billing.email ?? "", now: now)
        }
        return .json(201, Self.refundJSON(refund, order: state.orders[id]!, zone: state.configuration.timeZone))
    }

    private func refundLine(_ itemID: Int, _ item: [String: Any], taxes: Any?) -> RefundLine {
        let quantity = (item["quantity"] as? NSNumber)?.intValue ?? Int(Self.text(item["quantity"]) ?? "") ?? 0
        let total = WooCents.parse(Self.text(item["refund_total"]) ?? "0") ?? 0
        var tax = 0
        if let list = taxes as? [[String: Any]] {
            tax = list.reduce(0) { $0 + (WooCents.parse(Self.text($1["refund_total"]) ?? "0") ?? 0) }
        } else if let map = taxes as? [String: Any] {
            tax = map.values.reduce(0) { $0 + (WooCents.parse(Self.text($1) ?? "0") ?? 0) }
        }
        return RefundLine(itemID: itemID, quantity: quantity, total: WooCents.format(total), tax: WooCents.format(tax))
    }

    /// A refund as the v3 controller prints it: positive `amount`, negative line quantities and totals,
    /// `_refunded_item_id` on each line.
    static func refundJSON(_ refund: Refund, order: Order, zone: TimeZone) -> [String: Any] {
        let created = refund.dateCreated ?? order.dateModified
        return [
            "id": refund.id, "date_created": WooDates.naive(created, zone: zone), "date_created_gmt": WooDates.naive(created, zone: nil),
            "amount": WooCents.format(abs(WooCents.parse(refund.total) ?? 0)), "reason": refund.reason, "refunded_by": 1,
            "refunded_payment": refund.refundedPayment,
            "meta_data": refund.meta.map { ["id": $0.id, "key": $0.key, "value": $0.value] as [String: Any] },
            "line_items": refund.lines.map { line -> [String: Any] in
                let item = order.lineItems.first { $0.id == line.itemID }
                return ["id": line.itemID + 100_000, "name": item?.name ?? "", "product_id": item?.productID ?? 0,
                        "variation_id": item?.variationID ?? 0, "quantity": -line.quantity, "tax_class": "",
                        "subtotal": WooCents.format(-(WooCents.parse(line.total) ?? 0)),
                        "subtotal_tax": WooCents.format(-(WooCents.parse(line.tax) ?? 0)),
                        "total": WooCents.format(-(WooCents.parse(line.total) ?? 0)),
                        "total_tax": WooCents.format(-(WooCents.parse(line.tax) ?? 0)), "taxes": [],
                        "meta_data": [["id": line.itemID + 200_000, "key": "_refunded_item_id", "value": String(line.itemID)]],
                        "sku": item?.sku ?? "", "price": 0]
            },
        ]
    }
}
