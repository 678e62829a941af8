import Foundation

/// Acceptance and shipping deadlines: a warning at 75 % of the window, an error once the deadline has
/// passed, each logged once per order (remembered in the database, so a restart does not repeat them).
/// Pure arithmetic on UTC instants, so daylight-saving changes cannot shift a deadline.
public struct DeadlineWatch: Service {
    public let store: Store
    /// Window length per channel id, in hours (`accept_within_hours`).
    public let windows: [String: Int]
    /// Channels whose shipping deadlines are watched; nil watches every channel.
    public let shipChannels: Set<String>?
    public let logger: Logger
    /// Receives every shipping event after it is logged (`shipment_due`, `shipment_overdue`): the one place
    /// to hand them to alerts. Called on the watch's task; must not block.
    public var onEvent: @Sendable (DeadlineEvent) -> Void = { _ in }
    /// Told at 75 % of a window and, while the order still waits, once the deadline has passed.
    public var alerts: Alerts = .disabled

    public init(store: Store, windows: [String: Int], shipChannels: Set<String>? = nil, logger: Logger) {
        self.store = store; self.windows = windows; self.shipChannels = shipChannels; self.logger = logger
    }

    /// The instant of the 75 % warning for a deadline and window.
    public static func warningTime(acceptBy: Date, windowHours: Int) -> Date {
        acceptBy.addingTimeInterval(-0.25 * Double(windowHours) * 3600)
    }

    /// Logs what is due now; returns (warnings, errors) logged. Orders whose deadline has passed and that
    /// still wait get their alert again (``Alerts`` sends it at most every `repeat_hours`); those are looked
    /// at every ``repeatLook`` of `now`, a page at a time, not on every check.
    @discardableResult
    public func check(now: Date = Date()) throws -> (warned: Int, missed: Int) {
        var warned = 0, missed = 0
        // What needs logging comes back until it is marked: batches until a short one.
        while true {
            let batch = try store.acceptancesToMark(now: now, windows: windows, limit: Self.batch)
            let before = warned + missed
            // Marked first, the batch in one transaction, then logged: a message is never logged twice,
            // even if the process dies in between.
            let due: [(pending: PendingAcceptance, missed: Bool)] = batch.compactMap { pending in
                guard let hours = windows[pending.ref.channel] else { return nil }
                if now >= pending.acceptBy { return (pending, true) }
                if now >= DeadlineWatch.warningTime(acceptBy: pending.acceptBy, windowHours: hours) { return (pending, false) }
                return nil
            }
            try store.markDeadlines(due.map { ($0.pending.ref, $0.missed) }, now: now)
            for (pending, isMissed) in due {
                let log = logger.with("channel", .string(pending.ref.channel)).with("order.ref", .string(pending.ref.description))
                    .with("accept_by", .string(Timestamp.format(pending.acceptBy)))
                if isMissed {
                    log.error("acceptance deadline passed")
                    missed += 1
                    raiseOverdue(pending, now: now)
                } else {
                    log.warning("acceptance deadline near", ["hours_left": .double(pending.acceptBy.timeIntervalSince(now) / 3600)])
                    alerts.raise(.acceptanceDue, orderRef: pending.ref,
                                 message: "waits for acceptance; deadline \(Timestamp.format(pending.acceptBy))", now: now)
                    warned += 1
                }
            }
            if batch.count < Self.batch || warned + missed == before { break }  // never the same batch twice
        }
        // While they wait: the overdue alert again (repeated by `Alerts` at most every repeat_hours).
        if repeats.due(now) {
            var after: OrderRef?
            while true {
                let page = try store.overdueAcceptances(now: now, channels: Array(windows.keys), after: after, limit: Self.batch)
                for pending in page {
                    raiseOverdue(pending, now: now)
                }
                guard page.count == Self.batch, let last = page.last else { break }
                after = last.ref
            }
        }
        return (warned, missed)
    }

    /// The overdue alert of an order still waiting (repeated by `Alerts` at most every repeat_hours).
    private func raiseOverdue(_ pending: PendingAcceptance, now: Date) {
        alerts.raise(.acceptanceOverdue, orderRef: pending.ref,
                     message: "not accepted by its deadline \(Timestamp.format(pending.acceptBy)); the channel may cancel it", now: now)
    }

    /// Rows read at a time.
    static let batch = 500
    /// How often (in `now`'s time) overdue orders still waiting are looked at for their repeated alert.
    static let repeatLook: TimeInterval = 600
    private let repeats = RepeatClock(every: DeadlineWatch.repeatLook)

    /// Emits what is due now for unshipped orders with a `ship_by`, each event once per order; returns them.
    @discardableResult
    public func checkShipments(now: Date = Date()) throws -> [DeadlineEvent] {
        let events: [DeadlineEvent] = try store.pendingShipments(dueBy: now, channels: shipChannels).compactMap { pending in
            guard let name = ShippingDeadline.due(start: pending.start, shipBy: pending.shipBy, warned: pending.warned,
                                                  missed: pending.missed, now: now) else { return nil }
            return DeadlineEvent(name: name, ref: pending.ref, shipBy: pending.shipBy, at: now)
        }
        // Marked first, all in one transaction: an event is never emitted twice, even if the process dies
        // right after.
        try store.markShipDeadlines(events.map { ($0.ref, $0.name == .shipmentOverdue) }, now: now)
        events.forEach(emit)
        return events
    }

    /// Logs `event` and hands it to ``onEvent``.
    public func emit(_ event: DeadlineEvent) {
        event.log(to: logger)
        onEvent(event)
    }

    /// Checks every `interval`, and wakes for the next shipping warning or deadline when that comes sooner
    /// (so a short window is not missed between two looks). Returns when cancelled.
    public func run(every interval: TimeInterval) async {
        var throttle = ErrorThrottle(interval: 600)
        func report(_ error: Error) {
            if throttle.shouldLog("\(error)") { logger.error("deadline check failed", ["error": .string("\(error)")]) }
        }
        while !Task.isCancelled {
            do { try check() } catch { report(error) }
            var wait = interval
            do {
                try checkShipments()
                if let next = try store.nextShipmentDeadline(channels: shipChannels)?.timeIntervalSinceNow, next > 0 {
                    wait = min(interval, next + 0.01)
                }
            } catch { report(error) }
            do { try await sleep(seconds: wait) } catch { return }
        }
    }

    /// Checks every 5 s (see `run(every:)`) until cancelled; cancellation is a normal stop.
    public func run() async throws { await run(every: 5) }
}

/// When the watch last looked at overdue orders for their repeated alert. Thread-safe.
final class RepeatClock: @unchecked Sendable {
    private let lock = NSLock()
    private let every: TimeInterval
    private var last: Date?

    init(every: TimeInterval) { self.every = every }

    /// True (and remembered) when `every` has passed since the last true, or `now` went back.
    func due(_ now: Date) -> Bool {
        lock.withLock {
            if let last, now >= last, now.timeIntervalSince(last) < every { return false }
            last = now
            return true
        }
    }
}
