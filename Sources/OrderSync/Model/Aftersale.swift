import Foundation

/// A refund the channel shows on an order (the contract's `refunds[]`): the amount refunded (positive,
/// decimal), the reason as the channel keeps it, when, and the lines it covers with their quantities
/// (empty when the channel does not say).
public struct Refund: Codable, Sendable, Hashable {
    public var amount: Money
    public var reason: String?
    public var createdAt: Date?
    /// Line id → quantity refunded.
    public var lines: [String: Int]

    public init(amount: Money, reason: String?, createdAt: Date?, lines: [String: Int] = [:]) {
        self.amount = amount; self.reason = reason; self.createdAt = createdAt; self.lines = lines
    }

    enum CodingKeys: String, CodingKey { case amount, reason, createdAt = "created_at", lines }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(amount, forKey: .amount)
        try c.encode(reason, forKey: .reason)
        try c.encode(createdAt.map(Timestamp.format), forKey: .createdAt)
        try c.encode(lines, forKey: .lines)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        amount = try c.decode(Money.self, forKey: .amount)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
        createdAt = try c.decodeIfPresent(String.self, forKey: .createdAt).flatMap { Timestamp.parse($0) }
        lines = try c.decodeIfPresent([String: Int].self, forKey: .lines) ?? [:]
    }
}

/// Where a return stands, the same seven words for every channel; `channel_status` keeps the channel's value.
public enum ReturnStatus: String, Codable, Sendable, CaseIterable {
    case waitingForLabel = "waiting_for_label"
    case waitingForReceipt = "waiting_for_receipt"
    case received
    case accepted
    case refused
    case refunded
    case closed

    /// Still needs something from the merchant or the parcel: counted as open in `status` and metrics.
    public var isOpen: Bool { self == .waitingForLabel || self == .waitingForReceipt || self == .received }
}

/// A return or after-sale case on an order (the contract's `returns[]`). `returnRef` is `channel:ID`.
public struct OrderReturn: Codable, Sendable, Hashable {
    public var returnRef: String
    public var status: ReturnStatus
    public var channelStatus: String
    public var reason: String?
    public var createdAt: Date?
    /// Line id → quantity returned (empty when the channel does not say).
    public var lines: [String: Int]

    public init(returnRef: String, status: ReturnStatus, channelStatus: String, reason: String?, createdAt: Date?,
                lines: [String: Int] = [:]) {
        self.returnRef = returnRef; self.status = status; self.channelStatus = channelStatus; self.reason = reason
        self.createdAt = createdAt; self.lines = lines
    }

    enum CodingKeys: String, CodingKey {
        case returnRef = "return_ref", status, channelStatus = "channel_status", reason, createdAt = "created_at", lines
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(returnRef, forKey: .returnRef)
        try c.encode(status, forKey: .status)
        try c.encode(channelStatus, forKey: .channelStatus)
        try c.encode(reason, forKey: .reason)
        try c.encode(createdAt.map(Timestamp.format), forKey: .createdAt)
        try c.encode(lines, forKey: .lines)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        returnRef = try c.decode(String.self, forKey: .returnRef)
        status = try c.decode(ReturnStatus.self, forKey: .status)
        channelStatus = try c.decodeIfPresent(String.self, forKey: .channelStatus) ?? ""
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
        createdAt = try c.decodeIfPresent(String.self, forKey: .createdAt).flatMap { Timestamp.parse($0) }
        lines = try c.decodeIfPresent([String: Int].self, forKey: .lines) ?? [:]
    }
}

extension Money {
    /// The amount without its sign.
    public var magnitude: Money { Money(minorUnits: minorUnits < 0 ? -minorUnits : minorUnits, scale: scale) }

    /// The amount times a whole quantity; nil on overflow.
    public func times(_ quantity: Int) -> Money? {
        let (product, overflow) = minorUnits.multipliedReportingOverflow(by: Int64(quantity))
        return overflow ? nil : Money(minorUnits: product, scale: scale)
    }
}
