import Foundation

/// Acceptance deadlines: a warning at 75 % of the window, an error once the deadline has passed, each
/// logged once per order (remembered in the database, so a restart does not repeat them). Pure
/// arithmetic on UTC instants, so daylight-saving changes cannot shift a deadline.
public struct DeadlineWatch: Sendable {
    public let store: Store
    /// Window length per channel id, in hours (`accept_within_hours`).
    public let windows: [String: Int]
    public let logger: Logger
    /// Told at 75 % of a window and, while the order still waits, once the deadline has passed.
    public var alerts: Alerts = .disabled

    public init(store: Store, windows: [String: Int], logger: Logger) {
        self.store = store; self.windows = windows; self.logger = logger
    }

    /// The instant of the 75 % warning for a deadline and window.
    public static func warningTime(acceptBy: Date, windowHours: Int) -> Date {
        acceptBy.addingTimeInterval(-0.25 * Double(windowHours) * 3600)
    }

    /// Logs what is due now; returns (warnings, errors) logged.
    @discardableResult
    public func check(now: Date = Date()) throws -> (warned: Int, missed: Int) {
        var warned = 0, missed = 0
        for pending in try store.pendingAcceptances() {
            guard let hours = windows[pending.ref.channel] else { continue }
            // Built only when something is logged: this loop runs every few seconds over every waiting order.
            var log: Logger {
                logger.with("channel", .string(pending.ref.channel)).with("order.ref", .string(pending.ref.description))
                    .with("accept_by", .string(Timestamp.format(pending.acceptBy)))
            }
            if now >= pending.acceptBy {
                if !pending.missed {
                    try store.markDeadline(pending.ref, missed: true, now: now)
                    log.error("acceptance deadline passed")
                    missed += 1
                }
                // Every check while it waits: `Alerts` repeats it at most every repeat_hours.
                alerts.raise(.acceptanceOverdue, orderRef: pending.ref,
                             message: "not accepted by its deadline \(Timestamp.format(pending.acceptBy)); the channel may cancel it",
                             now: now)
            } else if now >= DeadlineWatch.warningTime(acceptBy: pending.acceptBy, windowHours: hours), !pending.warned {
                try store.markDeadline(pending.ref, missed: false, now: now)
                log.warning("acceptance deadline near", ["hours_left": .double(pending.acceptBy.timeIntervalSince(now) / 3600)])
                alerts.raise(.acceptanceDue, orderRef: pending.ref,
                             message: "waits for acceptance; deadline \(Timestamp.format(pending.acceptBy))", now: now)
                warned += 1
            }
        }
        return (warned, missed)
    }

    public func run(every interval: TimeInterval = 5) async {
        var throttle = ErrorThrottle(interval: 600)
        while !Task.isCancelled {
            do { try check() } catch {
                if throttle.shouldLog("\(error)") { logger.error("deadline check failed", ["error": .string("\(error)")]) }
            }
            do { try await sleep(seconds: interval) } catch { return }
        }
    }
}
