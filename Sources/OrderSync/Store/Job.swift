import Foundation

/// What an outbound job asks the channel to do.
public enum JobKind: String, Codable, Sendable, CaseIterable {
    case accept, cancel, ship
    /// Copy a marketplace order into the `mirror.store` channel; run by ``MirrorService``, not by a pusher.
    case mirror
    /// Money back to the buyer (`ordersync refund`): never retried without reading the channel's refunds first.
    case refund
    /// Accept or refuse a return (`ordersync return accept|refuse`), where the channel takes the decision.
    case returnDecision = "return"
    /// A shipped parcel lost by the carrier / returned undelivered (`ordersync lost|undelivered`).
    case parcelLost = "lost", parcelUndelivered = "undelivered"
}

/// Where a job is in its life: `queued` (waiting, maybe for a retry time), `running` (being pushed;
/// reset to queued at start-up after a crash), `done`, `failed` (a dead letter until `retry`),
/// `dropped` (no longer applicable, e.g. the order was cancelled on the channel).
public enum JobState: String, Codable, Sendable, CaseIterable {
    case queued, running, done, failed, dropped

    /// The word `jobs` shows: `obsolete` for a dropped job (the channel cancelled the order meanwhile).
    public var displayName: String { self == .dropped ? "obsolete" : rawValue }
}

/// One line of a shipment with the identifier to record for it.
public struct ShipLine: Codable, Sendable, Hashable {
    public var lineID: String
    public var imei: String?
    public var serial: String?

    public init(lineID: String, imei: String? = nil, serial: String? = nil) {
        self.lineID = lineID; self.imei = imei; self.serial = serial
    }
}

/// A shipment to push, fully resolved when queued (carrier spelling and tracking URL included),
/// so the push does not depend on the config at push time.
public struct ShipmentRequest: Codable, Sendable, Hashable {
    public var carrierKey: String?
    /// The carrier as this channel spells it (`carriers.<key>.names.<type>`).
    public var carrierName: String?
    public var trackingNumber: String
    public var trackingURL: String?
    public var shippedAt: Date
    /// Lines covered, each with its IMEI/serial if any. Empty `lines` + `wholeOrder` = every line.
    public var lines: [ShipLine]
    public var wholeOrder: Bool

    public init(carrierKey: String?, carrierName: String?, trackingNumber: String, trackingURL: String?,
                shippedAt: Date, lines: [ShipLine], wholeOrder: Bool) {
        self.carrierKey = carrierKey; self.carrierName = carrierName; self.trackingNumber = trackingNumber
        self.trackingURL = trackingURL; self.shippedAt = shippedAt; self.lines = lines; self.wholeOrder = wholeOrder
    }
}

/// The data of a job beyond its kind.
public struct JobPayload: Codable, Sendable, Hashable {
    public var reason: String?
    public var shipment: ShipmentRequest?
    public var refund: RefundRequest?
    public var returnDecision: ReturnDecision?

    public init(reason: String? = nil, shipment: ShipmentRequest? = nil, refund: RefundRequest? = nil,
                returnDecision: ReturnDecision? = nil) {
        self.reason = reason; self.shipment = shipment; self.refund = refund; self.returnDecision = returnDecision
    }
}

/// A decision on a return: accept (with the URL of a return label the merchant hosts, if any) or refuse
/// (the reason in the payload's `reason`).
public struct ReturnDecision: Codable, Sendable, Hashable {
    /// `channel:ID` as listed by `ordersync returns`.
    public var returnRef: String
    public var accept: Bool
    public var labelURL: String?

    public init(returnRef: String, accept: Bool, labelURL: String?) {
        self.returnRef = returnRef; self.accept = accept; self.labelURL = labelURL
    }
}

/// A refund to make, fixed when queued: an amount, or lines with quantities (or both: the amount wins
/// where the channel says so), and whether the payment gateway is asked to move the money.
public struct RefundRequest: Codable, Sendable, Hashable {
    public var amount: Money?
    /// Line id → quantity.
    public var lines: [String: Int]
    public var viaGateway: Bool

    public init(amount: Money?, lines: [String: Int], viaGateway: Bool) {
        self.amount = amount; self.lines = lines; self.viaGateway = viaGateway
    }
}

/// A row of the outbound queue.
public struct Job: Sendable, Hashable {
    public var id: Int64
    public var ref: OrderRef
    public var kind: JobKind
    public var dedupeKey: String
    public var payload: JobPayload
    public var state: JobState
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastError: String?
    public var result: String?
    public var createdAt: Date
    public var updatedAt: Date
}

extension Job: Encodable {
    enum CodingKeys: String, CodingKey {
        case id, ref = "order_ref", kind, state, attempts, nextAttemptAt = "next_attempt_at", lastError = "last_error"
        case result, createdAt = "created_at", updatedAt = "updated_at", trackingNumber = "tracking_number"
        case carrier
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(ref, forKey: .ref)
        try c.encode(kind, forKey: .kind)
        try c.encode(state.displayName, forKey: .state)
        try c.encode(attempts, forKey: .attempts)
        try c.encode(state == .queued || state == .running ? Timestamp.format(nextAttemptAt) : nil, forKey: .nextAttemptAt)
        try c.encode(lastError, forKey: .lastError)
        try c.encode(result, forKey: .result)
        try c.encode(Timestamp.format(createdAt), forKey: .createdAt)
        try c.encode(Timestamp.format(updatedAt), forKey: .updatedAt)
        try c.encode(payload.shipment?.trackingNumber, forKey: .trackingNumber)
        try c.encode(payload.shipment?.carrierKey, forKey: .carrier)
    }
}
