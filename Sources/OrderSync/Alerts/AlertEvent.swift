import Foundation

/// What an alert is about. The raw value is the `event` field of the alert JSON (the contract's names).
///
/// New parts add an event here (a `static let`) and raise it with one call to ``Alerts/raise(_:channel:orderRef:subject:message:now:)``.
public struct AlertEvent: Sendable, Hashable, CustomStringConvertible {
    /// The contract's name, e.g. `channel_failing`.
    public let name: String
    /// The `level` field: `error` needs a human now, `warning` soon, `info` is news (a recovery).
    public let level: LogLevel

    public init(_ name: String, level: LogLevel) { self.name = name; self.level = level }
    public var description: String { name }

    /// A channel's polls have failed for longer than three intervals.
    public static let channelFailing = AlertEvent("channel_failing", level: .error)
    /// A channel that was failing or unauthorized polled successfully again (sent once per recovery).
    public static let channelRecovered = AlertEvent("channel_recovered", level: .info)
    /// The channel answered 401: token expired or revoked. Raised at the first such answer.
    public static let channelUnauthorized = AlertEvent("channel_unauthorized", level: .error)
    /// A push job became a dead letter (failed permanently, or gave up retrying).
    public static let jobFailed = AlertEvent("job_failed", level: .error)
    /// An order waiting for acceptance reached 75 % of its window.
    public static let acceptanceDue = AlertEvent("acceptance_due", level: .warning)
    /// An order's acceptance deadline passed while it still waits.
    public static let acceptanceOverdue = AlertEvent("acceptance_overdue", level: .error)
    /// An accepted order reached 75 % of its shipping window.
    public static let shipmentDue = AlertEvent("shipment_due", level: .warning)
    /// An accepted order's ship-by time passed without a shipment.
    public static let shipmentOverdue = AlertEvent("shipment_overdue", level: .error)
    /// A channel payload could not be read as an order and was set aside.
    public static let orderQuarantined = AlertEvent("order_quarantined", level: .error)
    /// A return waits for the merchant's decision or receipt.
    public static let returnWaiting = AlertEvent("return_waiting", level: .warning)
    /// A marketplace order could not be mirrored into the store (or its mirror's shipment not taken).
    public static let mirrorFailed = AlertEvent("mirror_failed", level: .error)

    /// Every event of the contract, in its order.
    public static let all: [AlertEvent] = [
        .channelFailing, .channelRecovered, .channelUnauthorized, .jobFailed, .acceptanceDue, .acceptanceOverdue,
        .shipmentDue, .shipmentOverdue, .orderQuarantined, .returnWaiting, .mirrorFailed,
    ]
}

/// Where ``Alerts`` hands the alerts it decided to send. Must return at once.
public protocol AlertSink: Sendable {
    func send(_ alert: Alert)
}

/// One alert as sent: `{"ts","event","level","channel","order_ref","message"}`, absent fields omitted.
public struct Alert: Sendable, Equatable {
    public var time: Date
    public var event: AlertEvent
    public var channel: String?
    public var orderRef: OrderRef?
    /// Plain words for a human; callers never put a secret here.
    public var message: String

    public init(time: Date, event: AlertEvent, channel: String?, orderRef: OrderRef?, message: String) {
        self.time = time; self.event = event; self.channel = channel; self.orderRef = orderRef; self.message = message
    }

    /// The JSON object, keys in the contract's order, on one line (no trailing newline).
    public var json: String {
        var fields = [("ts", Timestamp.format(time)), ("event", event.name), ("level", event.level.rawValue)]
        if let channel { fields.append(("channel", channel)) }
        if let orderRef { fields.append(("order_ref", orderRef.description)) }
        fields.append(("message", message))
        return "{" + fields.map { "\"\($0.0)\":" + JSONLinesLogHandler.quote($0.1) }.joined(separator: ",") + "}"
    }
}
