import Foundation

/// What the daemon counts in memory for `metrics_file`: orders imported and push latency, per channel.
/// Counters start at zero with the process, as Prometheus counters do. Thread-safe.
public final class Metrics: @unchecked Sendable {
    /// Upper bounds (seconds) of the push latency histogram's buckets: from queued to confirmed by the channel.
    public static let pushLatencyBuckets: [Double] = [0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600]

    /// One channel's push latency histogram.
    public struct Histogram: Sendable, Equatable {
        /// Observations at or below each bound of ``Metrics/pushLatencyBuckets`` (cumulative).
        public var buckets = [Int](repeating: 0, count: Metrics.pushLatencyBuckets.count)
        public var count = 0
        public var sum = 0.0
    }

    private let lock = NSLock()
    private var imported: [String: Int] = [:]
    private var latency: [String: Histogram] = [:]

    public init() {}

    /// Adds orders seen for the first time on `channel`.
    public func ordersImported(channel: String, count: Int) {
        guard count > 0 else { return }
        lock.withLock { imported[channel, default: 0] += count }
    }

    /// Records one job pushed (or found done) `seconds` after it was queued.
    public func pushed(channel: String, seconds: Double) {
        let value = max(0, seconds)
        lock.withLock {
            var histogram = latency[channel] ?? Histogram()
            for (index, bound) in Self.pushLatencyBuckets.enumerated() where value <= bound { histogram.buckets[index] += 1 }
            histogram.count += 1
            histogram.sum += value
            latency[channel] = histogram
        }
    }

    /// Orders imported per channel since start.
    public var importedTotals: [String: Int] { lock.withLock { imported } }

    /// Push latency per channel since start.
    public var pushLatency: [String: Histogram] { lock.withLock { latency } }
}
