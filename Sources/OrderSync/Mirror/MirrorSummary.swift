import Foundation

/// The `mirrors` part of `status`: how many marketplace orders wait for their store copy, are copied,
/// wait for something before their fulfilment can be pushed (with the reasons), or failed.
public struct MirrorSummary: Encodable, Sendable, Equatable {
    public var store: String
    public var pending: Int
    public var created: Int
    public var waiting: Int
    public var failed: Int
    /// Why the waiting ones wait, most frequent first (`"no tracking number": 2`).
    public var waitingReasons: [String: Int]

    enum CodingKeys: String, CodingKey {
        case store, pending, created, waiting, failed, waitingReasons = "waiting_reasons"
    }

    /// The summary for `config.mirror`, nil when there is none.
    public static func build(config: Config, store: Store) throws -> MirrorSummary? {
        guard let mirror = config.mirror else { return nil }
        let counts = try store.mirrorCounts()
        var reasons: [String: Int] = [:]
        for record in try store.mirrors(states: [.waiting]) { reasons[record.reason ?? "unknown", default: 0] += 1 }
        return MirrorSummary(store: mirror.store, pending: counts[.pending] ?? 0, created: counts[.created] ?? 0,
                             waiting: counts[.waiting] ?? 0, failed: counts[.failed] ?? 0, waitingReasons: reasons)
    }

    /// The status screen's lines.
    var screenLines: [String] {
        var lines = ["mirrors into \(store): \(pending) pending, \(created) in the store, \(waiting) waiting, \(failed) failed"]
        for (reason, count) in waitingReasons.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
            lines.append("  waiting       \(count): \(reason)")
        }
        return lines
    }
}
