import Foundation

/// Sends `WATCHDOG=1` only while the daemon's main loop makes progress, so that a wedged daemon is
/// restarted by systemd (`WatchdogSec=`) instead of being kept alive by a timer that still fires.
///
/// The main loop calls `progress()` each time it completes an iteration; a timer (`run(every:)`, or any
/// other) calls `tick()` every `SystemdNotifier.watchdogInterval`. A tick pings only if `progress()` was
/// called since the previous tick, and the gate starts closed: the first ping needs a first iteration.
///
/// For this to keep a healthy daemon alive, an iteration must never take longer than the interval:
/// the loop has to wake at least that often (sleep `min(time to next poll, interval)`), and no single
/// step may block past it (HTTP and SQLite busy timeouts below the interval). Otherwise two ticks in a
/// row see no progress and systemd kills the unit.
///
/// Thread-safe: `progress()` and `tick()` may be called from any task or thread.
public final class WatchdogGate: @unchecked Sendable {
    // @unchecked: the only mutable state is `progressed`, and every access holds `lock`.
    private let lock = NSLock()
    private var progressed = false
    private let ping: @Sendable () -> Bool

    /// A gate that pings by calling `ping`, which returns whether the ping was delivered.
    public init(ping: @escaping @Sendable () -> Bool) {
        self.ping = ping
    }

    /// A gate that pings `notifier` with `WATCHDOG=1`.
    public convenience init(notifier: SystemdNotifier) {
        self.init(ping: { notifier.watchdog() })
    }

    /// Records that the main loop completed an iteration. Cheap; idempotent until the next tick.
    public func progress() {
        lock.withLock { progressed = true }
    }

    /// Pings if there was progress since the last tick, then closes the gate again.
    /// Returns whether a ping was sent and delivered; `false` when there was no progress to report.
    @discardableResult
    public func tick() -> Bool {
        let due = lock.withLock {
            defer { progressed = false }
            return progressed
        }
        return due ? ping() : false
    }

    /// Calls `tick()` every `interval` until the task is cancelled; cancellation is a normal stop.
    public func run(every interval: Duration) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return  // cancelled
            }
            tick()
        }
    }
}
