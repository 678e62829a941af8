import Foundation
import OrderSync

/// WooCommerce refunds as the REST API prints them (aftersale.md §3): in an order (`refunds[]`: `id`,
/// `reason` (or `refund` in old controllers), `total` negative) and from `GET /orders/{id}/refunds`
/// (`id`, `date_created_gmt`, `amount` positive, `reason`, `meta_data`, `line_items[]` with negative
/// quantities and `_refunded_item_id`). Pure parsing: tested and fuzzed without a network.
enum WooCommerceRefunds {
    /// The meta key carrying the ordersync job that made a refund: the read-back looks for it.
    static let keyMeta = "ordersync_refund_key"

    /// One refund read from `GET /orders/{id}/refunds`.
    struct Read: Sendable, Equatable {
        var id: String
        var amount: Money
        var reason: String?
        var createdAt: Date?
        /// The `ordersync_refund_key` meta value, when the refund carries one.
        var key: String?
        /// Original order line id → quantity refunded.
        var lines: [String: Int]

        var refund: Refund { Refund(amount: amount, reason: reason, createdAt: createdAt, lines: lines) }
    }

    /// The order's `refunds` array as contract refunds (positive amounts; date and lines are not in the order).
    static func orderRefunds(_ value: JSONValue?) throws -> [Refund] {
        guard let value, !value.isNull else { return [] }
        guard let items = value.array else { throw WooCommerceMapper.MappingError.invalid("refunds") }
        return try items.enumerated().map { index, item in
            guard let total = try WooCommerceMapper.money(item["total"], "refunds[\(index)].total") else {
                throw WooCommerceMapper.MappingError.missing("refunds[\(index)].total")
            }
            let reason = nonEmpty(item["reason"]?.text) ?? nonEmpty(item["refund"]?.text)
            return Refund(amount: total.magnitude, reason: reason, createdAt: nil)
        }
    }

    /// The reply of `GET /orders/{id}/refunds` (an array) or of a `POST` (one object).
    static func reads(_ value: JSONValue) throws -> [Read] {
        if case .object = value { return [try read(value, index: 0)] }
        guard let items = value.array else { throw WooCommerceMapper.MappingError.invalid("refunds (not an array)") }
        return try items.enumerated().map { try read($1, index: $0) }
    }

    private static func read(_ item: JSONValue, index: Int) throws -> Read {
        guard let id = item["id"]?.text, !id.isEmpty else { throw WooCommerceMapper.MappingError.missing("refunds[\(index)].id") }
        guard let amount = try WooCommerceMapper.money(item["amount"], "refunds[\(index)].amount") else {
            throw WooCommerceMapper.MappingError.missing("refunds[\(index)].amount")
        }
        var createdAt: Date?
        if let text = nonEmpty(item["date_created_gmt"]?.text) {
            guard let date = Timestamp.parse(text.hasSuffix("Z") || text.contains("+") ? text : text + "Z") else {
                throw WooCommerceMapper.MappingError.invalid("refunds[\(index)].date_created_gmt")
            }
            createdAt = date
        }
        let key = (item["meta_data"]?.array ?? []).first { $0["key"]?.text == keyMeta }?["value"]?.text
        var lines: [String: Int] = [:]
        for line in item["line_items"]?.array ?? [] {
            let original = (line["meta_data"]?.array ?? []).first { $0["key"]?.text == "_refunded_item_id" }?["value"]?.text
            guard let lineID = nonEmpty(original), let quantity = line["quantity"]?.int, quantity != 0 else { continue }
            lines[lineID, default: 0] += abs(quantity)
        }
        return Read(id: id, amount: amount.magnitude, reason: nonEmpty(item["reason"]?.text), createdAt: createdAt,
                    key: key, lines: lines)
    }

    private static func nonEmpty(_ s: String?) -> String? {
        guard let s, !s.isEmpty else { return nil }
        return s
    }
}
