import Foundation

/// The shipping deadline of one order (`ship_by`) and when to warn about it. Pure arithmetic on UTC
/// instants: an hour is 3,600 seconds whatever the wall clock does, so a daylight-saving change cannot
/// shift a deadline. Times are whole seconds, as the order JSON prints them.
public enum ShippingDeadline {
    /// The share of the window after which the warning is due.
    public static let warningShare = 0.75

    /// `ship_by` for an order about to be stored. `known` (already stored) wins: a deadline never moves.
    /// Else the channel's own date; else `withinHours` after `acceptedAt`; else nil (no deadline).
    public static func shipBy(known: Date?, channelDate: Date?, acceptedAt: Date?, withinHours: Int?) -> Date? {
        if let known { return known }
        if let channelDate { return wholeSeconds(channelDate) }
        guard let acceptedAt, let withinHours else { return nil }
        return wholeSeconds(acceptedAt).addingTimeInterval(Double(withinHours) * 3600)
    }

    /// When the order reached `awaiting_shipment`: `known` once stored, else `now` if it is there now.
    public static func acceptedAt(known: Date?, status: OrderStatus, now: Date) -> Date? {
        if let known { return known }
        return status == .awaitingShipment ? wholeSeconds(now) : nil
    }

    /// The instant of the 75 % warning of the window from `start` (acceptance) to `shipBy`. A window that
    /// is empty or negative warns at `start`.
    public static func warningTime(start: Date, shipBy: Date) -> Date {
        let window = shipBy.timeIntervalSince(start)
        guard window > 0 else { return start }
        return start.addingTimeInterval(warningShare * window)
    }

    /// What is due for an unshipped order at `now`, given what was already logged.
    public static func due(start: Date, shipBy: Date, warned: Bool, missed: Bool, now: Date) -> DeadlineEvent.Name? {
        if now >= shipBy { return missed ? nil : .shipmentOverdue }
        if now >= warningTime(start: start, shipBy: shipBy), !warned, !missed { return .shipmentDue }
        return nil
    }

    static func wholeSeconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }
}

/// Something the deadline watch reports about one order: logged now, and the one value an alert sink
/// receives (see ``DeadlineWatch/onEvent``).
public struct DeadlineEvent: Sendable, Equatable {
    /// The alert event names of the contract.
    public enum Name: String, Sendable {
        /// 75 % of the shipping window is gone and the order is not shipped.
        case shipmentDue = "shipment_due"
        /// `ship_by` has passed and the order is not shipped.
        case shipmentOverdue = "shipment_overdue"
    }

    public var name: Name
    public var ref: OrderRef
    public var shipBy: Date
    /// When the watch noticed it.
    public var at: Date

    public init(name: Name, ref: OrderRef, shipBy: Date, at: Date) {
        self.name = name; self.ref = ref; self.shipBy = shipBy; self.at = at
    }

    public var channel: String { ref.channel }

    /// `warning` when due, `error` when overdue.
    public var level: LogLevel { name == .shipmentDue ? .warning : .error }

    /// A constant message (data goes in fields).
    public var message: StaticString {
        name == .shipmentDue ? "shipment deadline near" : "shipment deadline passed"
    }

    /// The alert's human text: the order, its deadline and the time left (or overdue).
    public var summary: String {
        let hours = shipBy.timeIntervalSince(at) / 3600
        let left = hours >= 0 ? String(format: "%.1f h left", hours) : String(format: "%.1f h overdue", -hours)
        return "\(ref) must ship by \(Timestamp.format(shipBy)) (\(left))"
    }

    /// Logs the event with its name, channel, order ref, deadline and hours left.
    public func log(to logger: Logger) {
        logger.log(level, message, ["event": .string(name.rawValue), "channel": .string(channel),
                                    "order.ref": .string(ref.description), "ship_by": .string(Timestamp.format(shipBy)),
                                    "hours_left": .double(shipBy.timeIntervalSince(at) / 3600)])
    }
}
