import Foundation

/// Capped exponential backoff with jitter: `base * 2^(n-1)`, at most `cap`, times a random factor in
/// 0.8...1.2 so channels that failed together do not retry together.
public struct Backoff: Sendable {
    public var base: TimeInterval
    public var cap: TimeInterval

    public init(base: TimeInterval, cap: TimeInterval) {
        self.base = base; self.cap = cap
    }

    /// The delay before attempt `failures + 1`, given `failures` consecutive failures (≥ 1).
    public func delay(afterFailures failures: Int, jitter: Double = Double.random(in: 0.8...1.2)) -> TimeInterval {
        let exponent = Double(min(max(failures - 1, 0), 30))
        return min(cap, base * pow(2, exponent)) * jitter
    }
}

/// Logs a repeated error at most once per interval, not once per attempt.
public struct ErrorThrottle: Sendable {
    public let interval: TimeInterval
    private var lastMessage: String?
    private var lastLogged = Date.distantPast

    public init(interval: TimeInterval) { self.interval = interval }

    /// True when this error should be logged now.
    public mutating func shouldLog(_ message: String, now: Date = Date()) -> Bool {
        if message != lastMessage || now.timeIntervalSince(lastLogged) >= interval {
            lastMessage = message
            lastLogged = now
            return true
        }
        return false
    }

    public mutating func reset() { lastMessage = nil; lastLogged = .distantPast }
}

/// Sleeps for `seconds`; throws `CancellationError` when the task is cancelled.
func sleep(seconds: TimeInterval) async throws {
    guard seconds > 0 else { return }
    try await Task.sleep(nanoseconds: UInt64(min(seconds, 86_400) * 1_000_000_000))
}
