import Foundation

/// Paces requests to one channel: one request at a time, on average at most one start per
/// `minimumSpacing`, and nothing before `blockedUntil` (set after a 429). Waiting is cancellable.
///
/// `burst` lets that many starts follow each other without a pause when the channel has been quiet (a token
/// bucket: one start per `minimumSpacing` accrues, up to `burst`); with 1, starts are simply at least
/// `minimumSpacing` apart. A channel whose push takes several calls (read, update, read back) can let them
/// through together, so a shipment is not held back by its own pacing, without raising its sustained rate
/// (issue 17: push p99 ≤ 1 s).
///
/// Requests made while `urgent` is set (the pushers set it around a push) go ahead of the others waiting for
/// their turn: a shipment waits for the request under way and the pacing, not for the rest of a poll.
public actor RequestGate {
    /// Set by the pushers: this task's requests are served before non-urgent ones waiting at the gate.
    @TaskLocal public static var urgent = false

    private let minimumSpacing: TimeInterval
    private let burst: Double
    /// Starts available now, as of `tokensAt`.
    private var tokens: Double
    private var tokensAt = Date.distantPast
    private var blockedUntil = Date.distantPast
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var urgentWaiters: [CheckedContinuation<Void, Never>] = []

    public init(minimumSpacing: TimeInterval, burst: Int = 1) {
        self.minimumSpacing = minimumSpacing
        self.burst = Double(max(1, burst))
        self.tokens = Double(max(1, burst))
    }

    /// Blocks further requests until `date` (e.g. 429 + Retry-After).
    public func block(until date: Date) {
        blockedUntil = max(blockedUntil, date)
    }

    /// Starts available at `now`.
    private func available(at now: Date) -> Double {
        guard minimumSpacing > 0 else { return burst }
        return min(burst, tokens + max(0, now.timeIntervalSince(tokensAt)) / minimumSpacing)
    }

    /// Urgent callers inside `acquire` that have not taken the gate yet: others let them go first.
    private var urgentWaiting = 0

    /// Waits for this caller's turn; call `release()` when the request has finished. The pacing wait is
    /// slept without holding the gate, so an urgent caller arriving meanwhile goes first.
    public func acquire() async throws {
        let urgent = Self.urgent
        if urgent { urgentWaiting += 1 }
        defer { if urgent { urgentWaiting -= 1 } }
        while true {
            if busy || (!urgent && urgentWaiting > 0) {
                await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                    if urgent { urgentWaiters.append(waiter) } else { waiters.append(waiter) }
                }
                continue
            }
            let now = Date()
            let have = available(at: now)
            let wait = max(blockedUntil.timeIntervalSince(now), have >= 1 ? 0 : (1 - have) * minimumSpacing)
            if wait <= 0 { break }
            do {
                try await Task.sleep(nanoseconds: UInt64(min(wait, 60) * 1_000_000_000))
            } catch {
                if urgent, urgentWaiting == 1, !busy { wakeNext() }  // those who let this caller go first
                throw error
            }
        }
        busy = true
        let now = Date()
        tokens = available(at: now) - 1
        tokensAt = now
    }

    public func release() {
        busy = false
        wakeNext()
    }

    /// Lets one waiter try again: an urgent one first; every other waiter when no urgent one is left (they
    /// waited only for it).
    private func wakeNext() {
        if !urgentWaiters.isEmpty {
            urgentWaiters.removeFirst().resume()
        } else if !waiters.isEmpty {
            waiters.removeFirst().resume()
        }
    }
}
