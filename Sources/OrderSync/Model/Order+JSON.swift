import Foundation

/// The order JSON written field by field, for the import's hot path: the same bytes as the `Encodable`
/// conformances through `JSONEncoder` with `[.sortedKeys, .withoutEscapingSlashes]`, which stay the
/// reference (`OrderCoding.encodedJSON`). A test compares the two on orders from every channel's mapper and
/// on generated ones: the stored JSON's hash decides whether an order changed, so the bytes must never
/// differ. (It replaces `CompactJSONEncoder`, a generic `Encoder` writing the same bytes.)
///
/// Performance (issue 17): the `Encodable` path built a tree of nodes through generic containers and dynamic
/// casts and took 18 % of the daemon's CPU in a 10k backlog; this writes keys known in their sorted order
/// straight into one buffer.
enum OrderJSONWriter {
    static func write(_ order: Order, includeExtra: Bool) -> Data {
        var w = JSONBytes(capacity: 2048 + 512 * order.lines.count)
        w.order(order, includeExtra: includeExtra)
        return w.out.data()
    }
}

/// A JSON byte buffer with the writers an order needs. Keys are given in sorted order by the caller.
struct JSONBytes {
    var out: ByteWriter

    init(capacity: Int) { out = ByteWriter(capacity: capacity) }

    mutating func raw(_ s: StaticString) { out.append(s) }

    /// `"key":`, preceded by a comma unless it is the object's first member.
    mutating func key(_ k: StaticString, first: Bool = false) {
        if !first { out.append(0x2C) }
        out.append(0x22)
        out.append(k)
        out.append(0x22)
        out.append(0x3A)
    }

    mutating func string(_ s: String) { JSONValue.quote(s, into: &out, namedBackspaceAndFormFeed: true) }

    mutating func string(_ s: String?) {
        if let s { string(s) } else { raw("null") }
    }

    mutating func int(_ i: Int) {
        var text = String(i)
        text.withUTF8 { out.append(bytes: $0) }
    }

    mutating func bool(_ b: Bool) { b ? raw("true") : raw("false") }

    mutating func date(_ d: Date?) { string(d.map(Timestamp.format)) }

    /// `Money.description` in quotes, written digit by digit (the `String` it builds was 1.2 % of a backlog
    /// import's instructions). A test compares the two.
    mutating func money(_ m: Money?) {
        guard let m else { return raw("null") }
        out.append(0x22)
        if m.minorUnits < 0 { out.append(UInt8(ascii: "-")) }
        // The digits from the right, zero-padded to one more than the scale ("5" at scale 2 is "0.05").
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 21 + max(m.scale, 0)) { digits in
            var n = m.minorUnits.magnitude
            var k = digits.count
            repeat {
                k -= 1
                digits[k] = UInt8(ascii: "0") + UInt8(n % 10)
                n /= 10
            } while n > 0
            guard m.scale > 0 else { return out.append(bytes: UnsafeBufferPointer(rebasing: digits[k...])) }
            while digits.count - k < m.scale + 1 {
                k -= 1
                digits[k] = UInt8(ascii: "0")
            }
            let point = digits.count - m.scale
            out.append(bytes: UnsafeBufferPointer(rebasing: digits[k..<point]))
            out.append(UInt8(ascii: "."))
            out.append(bytes: UnsafeBufferPointer(rebasing: digits[point...]))
        }
        out.append(0x22)
    }

    /// A dictionary's members in `JSONEncoder`'s sorted-key order (Swift's `String` order).
    mutating func object<V>(_ dictionary: [String: V], _ value: (inout JSONBytes, V) -> Void) {
        out.append(0x7B)
        for (i, k) in dictionary.keys.sorted(by: JSONBytes.precedes).enumerated() {
            if i > 0 { out.append(0x2C) }
            string(k)
            out.append(0x3A)
            value(&self, dictionary[k]!)
        }
        out.append(0x7D)
    }

    /// `JSONEncoder`'s key order with `.sortedKeys`: Swift's `String` order (for ASCII keys, byte order:
    /// `"Zeta"` before `"alpha"`, `"line10"` before `"line2"`).
    static func precedes(_ a: String, _ b: String) -> Bool { a < b }

    mutating func array<T>(_ values: [T], _ element: (inout JSONBytes, T) -> Void) {
        out.append(0x5B)
        for (i, value) in values.enumerated() {
            if i > 0 { out.append(0x2C) }
            element(&self, value)
        }
        out.append(0x5D)
    }

    mutating func order(_ o: Order, includeExtra: Bool) {
        out.append(0x7B)
        key("accept_by", first: true); date(o.acceptBy)
        if includeExtra, let acceptedAt = o.acceptedAt { key("accepted_at"); date(acceptedAt) }
        key("billing_address"); address(o.billingAddress)
        key("carrier"); string(o.carrier)
        key("channel"); string(o.ref.channel)
        key("channel_status"); string(o.channelStatus)
        key("channel_type"); string(o.channelType)
        key("coupons"); array(o.coupons) { $0.string($1) }
        key("created_at"); date(o.createdAt)
        key("currency"); string(o.currency)
        key("customer"); customer(o.customer)
        key("customer_note"); string(o.customerNote)
        key("discount_total"); money(o.discountTotal)
        key("external_id"); string(o.ref.externalID)
        if includeExtra { key("extra"); object(o.extra) { $0.string($1) } }
        key("lines"); array(o.lines) { $0.line($1) }
        key("payment_method"); string(o.paymentMethod)
        key("pickup_point"); pickupPoint(o.pickupPoint)
        key("ref"); string(o.ref.description)
        key("refunds"); array(o.refunds) { $0.refund($1) }
        key("returns"); array(o.returns) { $0.orderReturn($1) }
        key("ship_by"); date(o.shipBy)
        key("shipments"); array(o.shipments) { $0.shipment($1) }
        key("shipping_address"); address(o.shippingAddress)
        key("shipping_method"); string(o.shippingMethod)
        key("shipping_total"); money(o.shippingTotal)
        key("site"); string(o.site)
        key("status"); string(o.status.rawValue)
        key("total"); money(o.total)
        key("updated_at"); date(o.updatedAt)
        out.append(0x7D)
    }

    mutating func address(_ a: Address?) {
        guard let a else { return raw("null") }
        out.append(0x7B)
        key("city", first: true); string(a.city)
        key("company"); string(a.company)
        key("country"); string(a.country)
        key("line1"); string(a.line1)
        key("line2"); string(a.line2)
        key("name"); string(a.name)
        key("phone"); string(a.phone)
        key("postcode"); string(a.postcode)
        key("state"); string(a.state)
        out.append(0x7D)
    }

    mutating func customer(_ c: Customer?) {
        guard let c else { return raw("null") }
        out.append(0x7B)
        key("email", first: true); string(c.email)
        key("name"); string(c.name)
        key("phone"); string(c.phone)
        out.append(0x7D)
    }

    mutating func pickupPoint(_ p: PickupPoint?) {
        guard let p else { return raw("null") }
        out.append(0x7B)
        key("address", first: true); address(p.address)
        key("id"); string(p.id)
        key("name"); string(p.name)
        out.append(0x7D)
    }

    mutating func line(_ l: OrderLine) {
        out.append(0x7B)
        key("brand", first: true); string(l.brand)
        if let state = l.channelState { key("channel_state"); string(state) }
        key("image_url"); string(l.imageURL)
        key("imei"); string(l.imei)
        key("line_id"); string(l.lineID)
        key("name"); string(l.name)
        key("options"); object(l.options) { $0.string($1) }
        key("quantity"); int(l.quantity)
        key("requires_imei"); bool(l.requiresIMEI)
        key("serial"); string(l.serial)
        key("sku"); string(l.sku)
        key("unit_price"); money(l.unitPrice)
        out.append(0x7D)
    }

    mutating func shipment(_ s: Shipment) {
        out.append(0x7B)
        key("carrier", first: true); string(s.carrier)
        key("line_ids"); array(s.lineIDs) { $0.string($1) }
        key("shipped_at"); date(s.shippedAt)
        key("state"); string(s.state.rawValue)
        key("tracking_number"); string(s.trackingNumber)
        key("tracking_url"); string(s.trackingURL)
        out.append(0x7D)
    }

    mutating func refund(_ r: Refund) {
        out.append(0x7B)
        key("amount", first: true); money(r.amount)
        key("created_at"); date(r.createdAt)
        key("lines"); object(r.lines) { $0.int($1) }
        key("reason"); string(r.reason)
        out.append(0x7D)
    }

    mutating func orderReturn(_ r: OrderReturn) {
        out.append(0x7B)
        key("channel_status", first: true); string(r.channelStatus)
        key("created_at"); date(r.createdAt)
        key("lines"); object(r.lines) { $0.int($1) }
        key("reason"); string(r.reason)
        key("return_ref"); string(r.returnRef)
        key("status"); string(r.status.rawValue)
        out.append(0x7D)
    }
}
