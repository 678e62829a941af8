import Foundation

/// What differs between channels, as data the core reads instead of testing the channel type.
public struct ChannelCapabilities: Sendable {
    /// Orders must be accepted before shipping.
    public var hasAcceptStep: Bool
    /// `ship --line` is allowed (partial shipments).
    public var shipsPerLine: Bool
    /// Lines may carry an IMEI or serial number.
    public var recordsIMEI: Bool
    /// The channel needs a carrier name spelled its own way (`carriers.<key>.names.<type>`).
    public var needsCarrierName: Bool
    /// The only carrier names the channel accepts, when it has a closed list.
    public var acceptedCarrierNames: [String]?
    /// A `cancel --reason` is sent to the channel (else kept locally).
    public var sendsCancelReason: Bool
    /// An IMEI or serial may only be given for a line of quantity 1 (one identifier per line).
    public var identifiersOnSingleUnitLinesOnly: Bool
    /// The channel is a store that can hold mirrors of marketplace orders (`mirror.store`); its connector
    /// conforms to ``MirrorStore``.
    public var holdsMirrors: Bool = false
    /// What `ordersync refund` may ask of the channel.
    public var refunds: RefundSupport
    /// The channel takes return decisions (accept / refuse) through its API.
    public var decidesReturns: Bool
    /// A shipped order can be marked lost or undelivered through the API.
    public var marksParcelOutcomes: Bool
    /// The channel has no returns of its own: its orders' refunds are its after-sale cases (`ordersync returns`).
    public var listsRefundsAsReturns: Bool = false

    public init(hasAcceptStep: Bool, shipsPerLine: Bool, recordsIMEI: Bool, needsCarrierName: Bool,
                acceptedCarrierNames: [String]? = nil, sendsCancelReason: Bool = false,
                identifiersOnSingleUnitLinesOnly: Bool = false,
                refunds: RefundSupport = .none(advice: "this channel takes no refunds through ordersync"),
                decidesReturns: Bool = false, marksParcelOutcomes: Bool = false) {
        self.identifiersOnSingleUnitLinesOnly = identifiersOnSingleUnitLinesOnly; self.refunds = refunds
        self.decidesReturns = decidesReturns; self.marksParcelOutcomes = marksParcelOutcomes
        self.hasAcceptStep = hasAcceptStep; self.shipsPerLine = shipsPerLine; self.recordsIMEI = recordsIMEI
        self.needsCarrierName = needsCarrierName; self.acceptedCarrierNames = acceptedCarrierNames
        self.sendsCancelReason = sendsCancelReason
    }
}

/// What a channel's API lets ordersync refund.
public enum RefundSupport: Sendable {
    /// No refund through the API; `advice` says where the merchant does it instead.
    case none(advice: String)
    /// Whole lines only; `partialAdvice` says why an amount is refused and where to refund one.
    case wholeLines(partialAdvice: String)
    /// An amount, or lines with quantities.
    case amountsOrLines
}

/// An order read from a channel: normalized, plus the payload it came from.
public struct FetchedOrder: Sendable {
    public var order: Order
    public var raw: Data
    /// False for an order the channel lists but that is not to be imported unless ordersync already
    /// stores it (one outside the statuses the channel imports): `Ingest` updates it when known, else skips it.
    /// The orders table is the one record of what is known; no connector keeps its own set.
    public var createIfNew: Bool

    public init(order: Order, raw: Data, createIfNew: Bool = true) {
        self.order = order; self.raw = raw; self.createIfNew = createIfNew
    }
}

/// A payload that could not be normalized; kept and logged, never dropped silently.
public struct QuarantinedPayload: Sendable {
    public var externalID: String?
    public var reason: String
    public var raw: Data
    /// As ``FetchedOrder/createIfNew``: false keeps the payload only when the order is already stored.
    public var createIfNew: Bool

    public init(externalID: String?, reason: String, raw: Data, createIfNew: Bool = true) {
        self.externalID = externalID; self.reason = reason; self.raw = raw; self.createIfNew = createIfNew
    }
}

/// A return or after-sale case read apart from its order (a channel with a returns list of its own).
public struct ChannelReturn: Sendable, Equatable {
    /// The order it belongs to, as the channel's external id.
    public var orderExternalID: String
    public var value: OrderReturn

    /// When set, the case names an order line instead (`orderExternalID` empty): it belongs to the stored
    /// order whose lines carry this `line_id`, and is skipped while no stored order has it.
    public var orderLineID: String?

    public init(orderExternalID: String, value: OrderReturn) {
        self.orderExternalID = orderExternalID; self.value = value
    }

    /// A case known by its order line only.
    public init(orderLineID: String, value: OrderReturn) {
        self.orderExternalID = ""; self.orderLineID = orderLineID; self.value = value
    }
}

/// One page of a walk.
public struct OrderPage: Sendable {
    public var orders: [FetchedOrder]
    public var quarantined: [QuarantinedPayload]
    /// Returns read from the channel's own returns list; stored in the returns table and shown in the order's `returns`.
    public var returns: [ChannelReturn] = []
    /// Called once the transaction that stored this page has committed (never after a rollback): where a
    /// connector's private cache learns what it may skip next time.
    public var onCommit: (@Sendable () -> Void)?

    public init(orders: [FetchedOrder], quarantined: [QuarantinedPayload] = [], onCommit: (@Sendable () -> Void)? = nil) {
        self.orders = orders; self.quarantined = quarantined; self.onCommit = onCommit
    }
}

/// What a push did.
public enum PushOutcome: Sendable, Equatable {
    /// The effect was sent now.
    case pushed(String)
    /// The channel already showed the effect (after a crash or a timeout): nothing was sent.
    case alreadyDone(String)
}

/// The result of a push, with the order as the channel shows it afterwards when it was read.
public struct PushResult: Sendable {
    public var outcome: PushOutcome
    public var refreshed: FetchedOrder?

    public init(outcome: PushOutcome, refreshed: FetchedOrder?) {
        self.outcome = outcome; self.refreshed = refreshed
    }
}

/// A channel as the core sees it. Implementations are value types or actors, safe to call from any task;
/// they throw `ChannelError` (classified retryable / permanent / unauthorized / conflict / obsolete).
public protocol ChannelConnector: Sendable {
    /// The configured channel id (`bm-eu`).
    var id: String { get }
    var capabilities: ChannelCapabilities { get }

    /// Walks every order new or changed since `cursor` (nil: first run), handing each page to `deliver`
    /// (which stores it) and returning the cursor to save once every walk has succeeded. Read-only on the
    /// channel; safe to repeat: pages may overlap and the store skips unchanged orders.
    func poll(cursor: String?, now: Date, deliver: @Sendable (OrderPage) async throws -> Void) async throws -> String

    /// Reads one order; nil when the channel answers "not found". Read-only.
    func fetchOrder(externalID: String) async throws -> FetchedOrder?

    /// Performs `job` on `order`. Idempotent: the channel's state is read first, and an effect it already
    /// shows is reported as `.alreadyDone` without sending anything.
    func push(_ job: Job, order: Order) async throws -> PushResult

    /// The delivery-slip PDF for an order. Read-only; the default
    /// implementation throws a permanent error ("this channel has no delivery slips").
    func deliverySlip(for order: Order) async throws -> Data
}

extension ChannelConnector {
    /// The delivery-slip PDF that must go in the parcel. Read-only. Channels without slips
    /// throw a permanent `ChannelError`.
    public func deliverySlip(for order: Order) async throws -> Data {
        throw ChannelError(.permanent, operation: "slip \(order.ref)", message: "this channel has no delivery slips")
    }
}
