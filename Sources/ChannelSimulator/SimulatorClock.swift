import Foundation

/// A settable clock for simulators, so tests move time instead of sleeping (the shipped-order
/// delay, rate-limit windows and blocks, scheduled payments all read it).
///
/// Thread-safe. Pass `clock.now` as a simulator's `clock:` argument.
public final class SimulatorClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    /// Starts at `start` (default: the real current time).
    public init(start: Date = Date()) {
        current = start
    }

    /// The clock's current time.
    public func now() -> Date {
        lock.withLock { current }
    }

    /// Moves the clock forward (or back, with a negative interval).
    public func advance(by interval: TimeInterval) {
        lock.withLock { current = current.addingTimeInterval(interval) }
    }

    /// Sets the clock to `date`.
    public func set(_ date: Date) {
        lock.withLock { current = date }
    }
}

/// SplitMix64: a tiny deterministic generator so seeded data and fault sequences repeat exactly.
struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `0..<1`.
    mutating func unit() -> Double {
        Double(next() >> 11) / Double(UInt64(1) << 53)
    }

    /// An element of a non-empty array.
    mutating func pick<T>(_ items: [T]) -> T {
        items[Int(next() % UInt64(items.count))]
    }

    /// An integer in `range`.
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }
}
