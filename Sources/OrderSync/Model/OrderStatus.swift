/// The normalized status of an order, the same ten values for every channel.
/// Each connector maps its channel's own states onto these; the raw value is the contract's spelling.
public enum OrderStatus: String, Codable, Sendable, CaseIterable {
    case pendingPayment = "pending_payment"
    case awaitingAcceptance = "awaiting_acceptance"
    case awaitingShipment = "awaiting_shipment"
    case shipped
    case completed
    case cancelled
    case refunded
    case lost
    case undelivered
    case onHold = "on_hold"

    /// Final states: no further action is expected from the merchant.
    public var isFinal: Bool {
        switch self {
        case .shipped, .completed, .cancelled, .refunded, .lost, .undelivered: true
        case .pendingPayment, .awaitingAcceptance, .awaitingShipment, .onHold: false
        }
    }
}

/// The state of a shipment as seen locally: queued for push, pushed to the channel, or failed.
public enum ShipmentState: String, Codable, Sendable {
    case queued, pushed, failed
}
