import Foundation

/// Proves the daemon's loop and its database still work: a write every beat (a database that no longer
/// accepts writes stops the watchdog pings), progress for the systemd watchdog, and a fresh STATUS line.
public struct Heartbeat: Service {
    public let config: Config
    public let store: Store
    public let notifier: SystemdNotifier?
    public let watchdog: WatchdogGate?

    public init(config: Config, store: Store, notifier: SystemdNotifier?, watchdog: WatchdogGate?) {
        self.config = config; self.store = store; self.notifier = notifier; self.watchdog = watchdog
    }

    /// Beats until cancelled; cancellation is a normal stop.
    public func run() async throws {
        // It beats at least twice per watchdog tick so a healthy daemon never misses one.
        let tick = notifier?.watchdogInterval.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
        // Without a watchdog every 5 s (each beat is a write; it no longer wakes the pushers, see JobWake).
        let beat = tick.map { min(2.0, $0 / 2) } ?? 5.0
        var lastStatus = ""
        var beats = 0
        while !Task.isCancelled {
            beats += 1
            // A write, so a database that no longer accepts writes stops the watchdog pings.
            guard (try? store.heartbeat()) != nil else {
                try? await Task.sleep(nanoseconds: UInt64(beat * 1_000_000_000))
                continue
            }
            watchdog?.progress()
            // STATUS= needs the counts (a scan of the orders): every 15th beat, not every beat.
            if notifier != nil, beats % (tick == nil ? 6 : 15) == 1, let report = try? StatusReport.build(config: config, store: store) {
                let failing = report.channels.filter(\.failing).count
                let text = "\(report.channels.count - failing) channel(s) ok, \(failing) failing, "
                    + "\(report.channels.reduce(0) { $0 + $1.jobsPending }) job(s) pending, "
                    + "\(report.channels.reduce(0) { $0 + $1.jobsFailed }) failed"
                if text != lastStatus { _ = notifier?.status(text); lastStatus = text }
            }
            try? await Task.sleep(nanoseconds: UInt64(beat * 1_000_000_000))
        }
    }
}

/// The systemd watchdog timer as a service: pings every `interval` while the heartbeat shows progress.
public struct WatchdogTimer: Service {
    public let gate: WatchdogGate
    public let interval: Duration

    public init(gate: WatchdogGate, interval: Duration) { self.gate = gate; self.interval = interval }

    /// Ticks until cancelled; cancellation is a normal stop.
    public func run() async throws { await gate.run(every: interval) }
}
