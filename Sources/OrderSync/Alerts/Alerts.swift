import Foundation

/// Tells a human about conditions that need one, through ``AlertDelivery`` (a command, a webhook).
///
/// Any part raises an event with one call, ``raise(_:channel:orderRef:subject:message:now:)``, as often as it
/// sees the condition: the first call sends an alert, later ones send again at most every `repeat_hours`
/// while the condition lasts. ``recover(channel:message:now:)`` ends a channel's failing/unauthorized
/// conditions and sends `channel_recovered` once. Which conditions are ongoing, and when each was last
/// sent, is kept in the database, so a restart (or a crash loop) sends no alert twice within the repeat time.
///
/// Thread-safe. Never blocks on delivery: raising costs a dictionary look-up, plus one small write when
/// an alert is sent. A database error is logged (once per kind) and the alert still goes out.
public final class Alerts: @unchecked Sendable {
    private let store: Store?
    private let delivery: (any AlertSink)?
    private let repeatInterval: TimeInterval
    private let logger: Logger
    private let lock = NSLock()
    private var sent: [AlertConditionKey: Date] = [:]
    private var storeThrottle = ErrorThrottle(interval: 3600)

    /// Sends nothing (no `alerts` in the config).
    public static let disabled = Alerts(store: nil, delivery: nil, repeatHours: AlertsConfig.defaultRepeatHours, logger: .discarding)

    /// Conditions last sent longer ago than this are forgotten at start.
    static let forgetAfter: TimeInterval = 30 * 86_400

    /// - Parameters:
    ///   - store: where ongoing conditions are remembered; loaded here (and long-stale ones pruned).
    ///   - delivery: where alerts go; nil sends none.
    public init(store: Store?, delivery: (any AlertSink)?, repeatHours: Int, logger: Logger, now: Date = Date()) {
        self.store = store; self.delivery = delivery; self.logger = logger
        repeatInterval = Double(repeatHours) * 3600
        guard let store, delivery != nil else { return }
        do {
            try store.pruneAlertConditions(sentBefore: now.addingTimeInterval(-Self.forgetAfter))
            sent = try store.alertConditions()
        } catch {
            logger.error("alert state not read", ["error": .string("\(error)")])
        }
    }

    /// True when alerts go somewhere.
    public var isEnabled: Bool { delivery != nil }

    /// Reports that a condition holds now. Sends an alert the first time, then at most every `repeat_hours`
    /// for the same event, channel and subject. Returns true when an alert was sent.
    ///
    /// - Parameter subject: what tells two conditions of one event and channel apart; defaults to the order
    ///   ref (a job id for `job_failed`, so an order's two dead letters are both told).
    @discardableResult
    public func raise(_ event: AlertEvent, channel: String? = nil, orderRef: OrderRef? = nil, subject: String? = nil,
                      message: String, now: Date = Date()) -> Bool {
        guard let delivery else { return false }
        let key = AlertConditionKey(event: event.name, channel: channel ?? orderRef?.channel ?? "",
                                    subject: subject ?? orderRef?.description ?? "")
        let due: Bool = lock.withLock {
            if let last = sent[key], now.timeIntervalSince(last) < repeatInterval { return false }
            sent[key] = now
            return true
        }
        guard due else { return false }
        persist { try $0.recordAlertSent(key, at: now) }
        delivery.send(Alert(time: now, event: event, channel: channel ?? orderRef?.channel, orderRef: orderRef, message: message))
        return true
    }

    /// Ends a condition without telling anyone (the order was accepted, the return decided).
    public func resolve(_ event: AlertEvent, channel: String? = nil, orderRef: OrderRef? = nil, subject: String? = nil) {
        guard delivery != nil else { return }
        let key = AlertConditionKey(event: event.name, channel: channel ?? orderRef?.channel ?? "",
                                    subject: subject ?? orderRef?.description ?? "")
        guard lock.withLock({ sent.removeValue(forKey: key) }) != nil else { return }
        persist { try $0.endAlertCondition(key) }
    }

    /// A channel polled successfully: ends its `channel_failing` and `channel_unauthorized` conditions and,
    /// when one was ongoing, sends `channel_recovered` once. Cheap when nothing was ongoing.
    @discardableResult
    public func recover(channel: String, message: String = "polling works again", now: Date = Date()) -> Bool {
        guard let delivery else { return false }
        let keys = [AlertEvent.channelFailing, .channelUnauthorized].map {
            AlertConditionKey(event: $0.name, channel: channel, subject: "")
        }
        let ended = lock.withLock { keys.filter { sent.removeValue(forKey: $0) != nil } }
        guard !ended.isEmpty else { return false }
        persist { store in for key in ended { try store.endAlertCondition(key) } }
        delivery.send(Alert(time: now, event: .channelRecovered, channel: channel, orderRef: nil, message: message))
        return true
    }

    private func persist(_ body: (Store) throws -> Void) {
        guard let store else { return }
        do {
            try body(store)
        } catch {
            let log = lock.withLock { storeThrottle.shouldLog("\(error)") }
            if log { logger.error("alert state not saved", ["error": .string("\(error)")]) }
        }
    }
}
