import Foundation

/// A channel whose orders still change after shipping without showing up in its walks (e.g. 45 lost,
/// 47 returned undelivered, a late 41 arrive only on a read by id). The Poller re-reads such a channel's
/// shipped orders with ``ChannelConnector/fetchOrder(externalID:)``, about once a day each, for
/// `aftersale_days` after shipping.
public protocol FollowsShippedOrders: ChannelConnector {
    /// The most follow-up reads per clock hour for the whole channel (so for each of its hosts too).
    var followReadsPerHour: Int { get }

    /// Whether the last successful walk listed this order (it then needs no follow-up read). Thread-safe.
    func listedByLastWalk(_ externalID: String) -> Bool
}

/// Which followed orders to re-read in one poll cycle: pure arithmetic, no I/O.
///
/// Each order has a fixed second of the day (a stable hash of its id). A cycle reads the orders whose
/// second came round since the previous cycle, so each is read about once a day and the reads are spread
/// over the day. A cycle reads at most `perCycle` orders and an hour at most `perHour`; the rest stay due
/// and come first in the next cycle. With no saved progress (first start) every followed order is due.
public struct AftersaleSchedule: Sendable, Equatable {
    /// The progress saved between cycles (a few bytes: its size does not grow with the orders).
    public struct Progress: Codable, Equatable, Sendable {
        /// Every order due at or before this instant has been read.
        public var through: Date
        /// The clock hour (hours since 1970) `reads` counts.
        public var hour: Int
        public var reads: Int

        public init(through: Date, hour: Int, reads: Int) { self.through = through; self.hour = hour; self.reads = reads }

        /// Nil when absent or unreadable (then everything is due).
        public static func decode(_ text: String?) -> Progress? {
            guard let text else { return nil }
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try? decoder.decode(Progress.self, from: Data(text.utf8))
        }

        public func encoded() -> String {
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            encoder.outputFormatting = [.sortedKeys]
            return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        }
    }

    public static let day: TimeInterval = 86_400
    public let perHour: Int
    public let perCycle: Int

    /// - Parameters:
    ///   - perHour: the channel's hourly bound on follow-up reads.
    ///   - interval: the poll interval; a cycle takes its share of the hour (at least one read).
    public init(perHour: Int, interval: TimeInterval) {
        self.perHour = max(1, perHour)
        self.perCycle = max(1, Int((Double(self.perHour) * max(1, interval) / 3600).rounded(.up)))
    }

    /// The second of the day `externalID` is read at: FNV-1a of its UTF-8 bytes (stable across runs).
    public static func phase(_ externalID: String) -> TimeInterval {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in externalID.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return TimeInterval(hash % UInt64(day))
    }

    /// The first instant after `after` at which `externalID` is due.
    public static func nextDue(_ externalID: String, after: Date) -> Date {
        let phase = phase(externalID)
        let days = ((after.timeIntervalSince1970 - phase) / day).rounded(.down) + 1
        return Date(timeIntervalSince1970: phase + days * day)
    }

    /// Where this cycle starts: the saved progress, a day back when there is none (everything due), and never
    /// more than a day back after a long stop (one read per order) nor ahead of now after a clock change.
    public func start(_ progress: Progress?, now: Date) -> Date {
        min(now, max(progress?.through ?? .distantPast, now.addingTimeInterval(-Self.day)))
    }

    static func hour(_ date: Date) -> Int { Int((date.timeIntervalSince1970 / 3600).rounded(.down)) }

    /// Reads already counted in `hour`.
    static func reads(_ progress: Progress?, hour: Int) -> Int { progress.map { $0.hour == hour ? $0.reads : 0 } ?? 0 }

    /// The orders to read now, in order, with the instant each became due; and `progress` once all of them
    /// are read (``Progress/through`` then stops at the last one read when the budget cut the list short).
    public func plan(_ followed: [String], progress: Progress?, now: Date) -> (due: [(id: String, at: Date)], progress: Progress) {
        let hour = Self.hour(now)
        let through = start(progress, now: now)
        let readsThisHour = Self.reads(progress, hour: hour)
        let budget = max(0, min(perCycle, perHour - readsThisHour))
        let due = followed.map { (id: $0, at: Self.nextDue($0, after: through)) }
            .filter { $0.at <= now }
            .sorted { ($0.at, $0.id) < ($1.at, $1.id) }
        let taken = Array(due.prefix(budget))
        let reached = taken.count < due.count ? (taken.last?.at ?? through) : now
        return (taken, Progress(through: reached, hour: hour, reads: readsThisHour + taken.count))
    }
}
