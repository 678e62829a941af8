import Foundation

/// One order line, normalized. `imei`/`serial` are what the channel holds for the line.
public struct OrderLine: Codable, Sendable, Hashable {
    public var lineID: String
    public var sku: String?
    public var name: String
    public var brand: String?
    public var quantity: Int
    public var unitPrice: Money?
    public var options: [String: String]
    public var imageURL: String?
    public var requiresIMEI: Bool
    public var imei: String?
    public var serial: String?
    /// The channel's own state of this line, where lines have one; not printed.
    public var channelState: String?

    public init(lineID: String, sku: String?, name: String, brand: String? = nil, quantity: Int, unitPrice: Money?,
                options: [String: String] = [:], imageURL: String? = nil, requiresIMEI: Bool = false,
                imei: String? = nil, serial: String? = nil, channelState: String? = nil) {
        self.lineID = lineID; self.sku = sku; self.name = name; self.brand = brand; self.quantity = quantity
        self.unitPrice = unitPrice; self.options = options; self.imageURL = imageURL; self.requiresIMEI = requiresIMEI
        self.imei = imei; self.serial = serial; self.channelState = channelState
    }

    enum CodingKeys: String, CodingKey {
        case lineID = "line_id", sku, name, brand, quantity, unitPrice = "unit_price", options
        case imageURL = "image_url", requiresIMEI = "requires_imei", imei, serial, channelState = "channel_state"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(lineID, forKey: .lineID)
        try c.encode(sku, forKey: .sku)
        try c.encode(name, forKey: .name)
        try c.encode(brand, forKey: .brand)
        try c.encode(quantity, forKey: .quantity)
        try c.encode(unitPrice, forKey: .unitPrice)
        try c.encode(options, forKey: .options)
        try c.encode(imageURL, forKey: .imageURL)
        try c.encode(requiresIMEI, forKey: .requiresIMEI)
        try c.encode(imei, forKey: .imei)
        try c.encode(serial, forKey: .serial)
        try c.encodeIfPresent(channelState, forKey: .channelState)
    }
}

/// A shipment of an order (or of some of its lines), as queued locally and pushed to the channel.
public struct Shipment: Codable, Sendable, Hashable {
    public var carrier: String?
    public var trackingNumber: String
    public var trackingURL: String?
    public var shippedAt: Date?
    public var state: ShipmentState
    /// Lines this shipment covers; empty means the whole order.
    public var lineIDs: [String]

    public init(carrier: String?, trackingNumber: String, trackingURL: String?, shippedAt: Date?,
                state: ShipmentState, lineIDs: [String] = []) {
        self.carrier = carrier; self.trackingNumber = trackingNumber; self.trackingURL = trackingURL
        self.shippedAt = shippedAt; self.state = state; self.lineIDs = lineIDs
    }

    enum CodingKeys: String, CodingKey {
        case carrier, trackingNumber = "tracking_number", trackingURL = "tracking_url"
        case shippedAt = "shipped_at", state, lineIDs = "line_ids"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(carrier, forKey: .carrier)
        try c.encode(trackingNumber, forKey: .trackingNumber)
        try c.encode(trackingURL, forKey: .trackingURL)
        try c.encode(shippedAt.map(Timestamp.format), forKey: .shippedAt)
        try c.encode(state, forKey: .state)
        try c.encode(lineIDs, forKey: .lineIDs)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        carrier = try c.decodeIfPresent(String.self, forKey: .carrier)
        trackingNumber = try c.decode(String.self, forKey: .trackingNumber)
        trackingURL = try c.decodeIfPresent(String.self, forKey: .trackingURL)
        shippedAt = try c.decodeIfPresent(String.self, forKey: .shippedAt).flatMap { Timestamp.parse($0) }
        state = try c.decode(ShipmentState.self, forKey: .state)
        lineIDs = try c.decodeIfPresent([String].self, forKey: .lineIDs) ?? []
    }
}

/// The normalized order every channel maps into (the contract's order JSON).
/// A field the channel does not provide is nil (printed as `null`), never invented.
public struct Order: Codable, Sendable, Hashable {
    public var ref: OrderRef
    public var channelType: String
    public var site: String?
    public var status: OrderStatus
    public var channelStatus: String
    public var createdAt: Date?
    public var updatedAt: Date?
    public var currency: String?
    public var total: Money?
    public var shippingTotal: Money?
    public var discountTotal: Money?
    public var coupons: [String]
    public var customer: Customer?
    public var shippingAddress: Address?
    public var billingAddress: Address?
    public var pickupPoint: PickupPoint?
    public var paymentMethod: String?
    public var shippingMethod: String?
    /// The canonical carrier key from `shipping_rules`; set by the core, not by connectors.
    public var carrier: String?
    public var customerNote: String?
    /// When the channel requires acceptance by; set from the channel's data or the core's rule.
    public var acceptBy: Date?
    /// When the order must be shipped by (`ship_by`): the channel's own date, else `ship_within_hours` after
    /// ``acceptedAt``. Set once, never moved; nil where no deadline applies.
    public var shipBy: Date?
    /// When the order reached `awaiting_shipment` as ordersync saw it; set by the core. Stored, not printed.
    public var acceptedAt: Date?
    public var lines: [OrderLine]
    /// Local shipments (queued, pushed, failed); filled from the store, not by connectors.
    public var shipments: [Shipment]
    /// Refunds the channel shows (connectors fill them from the channel's data).
    public var refunds: [Refund]
    /// Returns and after-sale cases the channel shows; also kept in the store's returns table.
    public var returns: [OrderReturn]
    /// Channel facts the connector needs later but the contract does not print (e.g. tracking already on the channel).
    public var extra: [String: String]

    public init(ref: OrderRef, channelType: String, site: String? = nil, status: OrderStatus, channelStatus: String,
                createdAt: Date? = nil, updatedAt: Date? = nil, currency: String? = nil, total: Money? = nil,
                shippingTotal: Money? = nil, discountTotal: Money? = nil, coupons: [String] = [],
                customer: Customer? = nil, shippingAddress: Address? = nil, billingAddress: Address? = nil,
                pickupPoint: PickupPoint? = nil, paymentMethod: String? = nil, shippingMethod: String? = nil,
                carrier: String? = nil, customerNote: String? = nil, acceptBy: Date? = nil, shipBy: Date? = nil,
                acceptedAt: Date? = nil, lines: [OrderLine] = [], shipments: [Shipment] = [], extra: [String: String] = [:],
                refunds: [Refund] = [], returns: [OrderReturn] = []) {
        self.ref = ref; self.channelType = channelType; self.site = site; self.status = status
        self.channelStatus = channelStatus; self.createdAt = createdAt; self.updatedAt = updatedAt
        self.currency = currency; self.total = total; self.shippingTotal = shippingTotal
        self.discountTotal = discountTotal; self.coupons = coupons; self.customer = customer
        self.shippingAddress = shippingAddress; self.billingAddress = billingAddress; self.pickupPoint = pickupPoint
        self.paymentMethod = paymentMethod; self.shippingMethod = shippingMethod; self.carrier = carrier
        self.customerNote = customerNote; self.acceptBy = acceptBy; self.shipBy = shipBy
        self.acceptedAt = acceptedAt; self.lines = lines; self.shipments = shipments
        self.extra = extra; self.refunds = refunds; self.returns = returns
    }

    enum CodingKeys: String, CodingKey {
        case ref, channel, channelType = "channel_type", externalID = "external_id", site, status
        case channelStatus = "channel_status", createdAt = "created_at", updatedAt = "updated_at", currency, total
        case shippingTotal = "shipping_total", discountTotal = "discount_total", coupons, customer
        case shippingAddress = "shipping_address", billingAddress = "billing_address", pickupPoint = "pickup_point"
        case paymentMethod = "payment_method", shippingMethod = "shipping_method", carrier
        case customerNote = "customer_note", acceptBy = "accept_by", shipBy = "ship_by", acceptedAt = "accepted_at"
        case lines, shipments, extra, refunds, returns
    }

    public func encode(to encoder: Encoder) throws {
        try encode(to: encoder, includeExtra: false)
    }

    func encode(to encoder: Encoder, includeExtra: Bool) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ref, forKey: .ref)
        try c.encode(ref.channel, forKey: .channel)
        try c.encode(channelType, forKey: .channelType)
        try c.encode(ref.externalID, forKey: .externalID)
        try c.encode(site, forKey: .site)
        try c.encode(status, forKey: .status)
        try c.encode(channelStatus, forKey: .channelStatus)
        try c.encode(createdAt.map(Timestamp.format), forKey: .createdAt)
        try c.encode(updatedAt.map(Timestamp.format), forKey: .updatedAt)
        try c.encode(currency, forKey: .currency)
        try c.encode(total, forKey: .total)
        try c.encode(shippingTotal, forKey: .shippingTotal)
        try c.encode(discountTotal, forKey: .discountTotal)
        try c.encode(coupons, forKey: .coupons)
        try c.encode(customer, forKey: .customer)
        try c.encode(shippingAddress, forKey: .shippingAddress)
        try c.encode(billingAddress, forKey: .billingAddress)
        try c.encode(pickupPoint, forKey: .pickupPoint)
        try c.encode(paymentMethod, forKey: .paymentMethod)
        try c.encode(shippingMethod, forKey: .shippingMethod)
        try c.encode(carrier, forKey: .carrier)
        try c.encode(customerNote, forKey: .customerNote)
        try c.encode(acceptBy.map(Timestamp.format), forKey: .acceptBy)
        try c.encode(shipBy.map(Timestamp.format), forKey: .shipBy)
        try c.encode(lines, forKey: .lines)
        try c.encode(shipments, forKey: .shipments)
        try c.encode(refunds, forKey: .refunds)
        try c.encode(returns, forKey: .returns)
        if includeExtra {
            try c.encode(extra, forKey: .extra)
            try c.encodeIfPresent(acceptedAt.map(Timestamp.format), forKey: .acceptedAt)
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func date(_ key: CodingKeys) throws -> Date? {
            try c.decodeIfPresent(String.self, forKey: key).flatMap { Timestamp.parse($0) }
        }
        ref = try c.decode(OrderRef.self, forKey: .ref)
        channelType = try c.decode(String.self, forKey: .channelType)
        site = try c.decodeIfPresent(String.self, forKey: .site)
        status = try c.decode(OrderStatus.self, forKey: .status)
        channelStatus = try c.decode(String.self, forKey: .channelStatus)
        createdAt = try date(.createdAt)
        updatedAt = try date(.updatedAt)
        currency = try c.decodeIfPresent(String.self, forKey: .currency)
        total = try c.decodeIfPresent(Money.self, forKey: .total)
        shippingTotal = try c.decodeIfPresent(Money.self, forKey: .shippingTotal)
        discountTotal = try c.decodeIfPresent(Money.self, forKey: .discountTotal)
        coupons = try c.decodeIfPresent([String].self, forKey: .coupons) ?? []
        customer = try c.decodeIfPresent(Customer.self, forKey: .customer)
        shippingAddress = try c.decodeIfPresent(Address.self, forKey: .shippingAddress)
        billingAddress = try c.decodeIfPresent(Address.self, forKey: .billingAddress)
        pickupPoint = try c.decodeIfPresent(PickupPoint.self, forKey: .pickupPoint)
        paymentMethod = try c.decodeIfPresent(String.self, forKey: .paymentMethod)
        shippingMethod = try c.decodeIfPresent(String.self, forKey: .shippingMethod)
        carrier = try c.decodeIfPresent(String.self, forKey: .carrier)
        customerNote = try c.decodeIfPresent(String.self, forKey: .customerNote)
        acceptBy = try date(.acceptBy)
        shipBy = try date(.shipBy)
        acceptedAt = try date(.acceptedAt)
        lines = try c.decodeIfPresent([OrderLine].self, forKey: .lines) ?? []
        shipments = try c.decodeIfPresent([Shipment].self, forKey: .shipments) ?? []
        extra = try c.decodeIfPresent([String: String].self, forKey: .extra) ?? [:]
        refunds = try c.decodeIfPresent([Refund].self, forKey: .refunds) ?? []
        returns = try c.decodeIfPresent([OrderReturn].self, forKey: .returns) ?? []
    }
}

/// Encoding of orders for output (`--json`) and storage (which keeps `extra`).
public enum OrderCoding {
    /// The contract's JSON for one order, on one line.
    public static func publicJSON(_ order: Order) throws -> Data {
        OrderJSONWriter.write(order, includeExtra: false)
    }

    struct Stored: Encodable {
        let order: Order
        func encode(to encoder: Encoder) throws { try order.encode(to: encoder, includeExtra: true) }
    }

    /// The stored form: the public JSON plus `extra`.
    public static func storedJSON(_ order: Order) throws -> Data {
        // The same bytes as the Encodable conformances give through JSONEncoder (tested: `encodedJSON`).
        OrderJSONWriter.write(order, includeExtra: true)
    }

    /// The reference for ``publicJSON(_:)`` and ``storedJSON(_:)``: the `Encodable` conformances through
    /// `JSONEncoder` (sorted keys, slashes unescaped). Tests compare the fast writer with it.
    static func encodedJSON(_ order: Order, stored: Bool) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return stored ? try encoder.encode(Stored(order: order)) : try encoder.encode(order)
    }

    public static func decode(_ data: Data) throws -> Order {
        try JSONDecoder().decode(Order.self, from: data)
    }
}
