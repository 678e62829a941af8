import Foundation

/// Paces requests to one channel: one request at a time, at least `minimumSpacing` between starts,
/// and nothing before `blockedUntil` (set after a 429). Waiting is cancellable.
public actor RequestGate {
    private let minimumSpacing: TimeInterval
    private var lastStart = Date.distantPast
    private var blockedUntil = Date.distantPast
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init(minimumSpacing: TimeInterval) {
        self.minimumSpacing = minimumSpacing
    }

    /// Blocks further requests until `date` (e.g. 429 + Retry-After).
    public func block(until date: Date) {
        blockedUntil = max(blockedUntil, date)
    }

    /// Waits for this caller's turn; call `release()` when the request has finished.
    public func acquire() async throws {
        while busy {
            await withCheckedContinuation { waiters.append($0) }
        }
        busy = true
        do {
            while true {
                let earliest = max(blockedUntil, lastStart.addingTimeInterval(minimumSpacing))
                let wait = earliest.timeIntervalSinceNow
                if wait <= 0 { break }
                try await Task.sleep(nanoseconds: UInt64(min(wait, 60) * 1_000_000_000))
            }
        } catch {
            release()
            throw error
        }
        lastStart = Date()
    }

    public func release() {
        busy = false
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }
}
