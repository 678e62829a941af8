import Foundation

/// A set of order ids kept as sorted ranges (`1040-1045,1050`): WooCommerce ids grow, so the orders
/// ordersync imported form long runs and the set stays short. Bounded: past `maxRanges` the lowest
/// (oldest) ranges are dropped first.
struct OrderIDSet: Equatable, Sendable {
    private(set) var ranges: [ClosedRange<Int>] = []
    static let maxRanges = 400

    init() {}

    /// Parses `a-b,c`; malformed parts are skipped.
    init(encoded: String) {
        for part in encoded.split(separator: ",") {
            let bounds = part.split(separator: "-", maxSplits: 1).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            if bounds.count == 1, let value = bounds[0] {
                insert(value)
            } else if bounds.count == 2, let low = bounds[0], let high = bounds[1], low <= high, high - low < 10_000_000 {
                insert(low...high)
            }
        }
    }

    var encoded: String {
        ranges.map { $0.lowerBound == $0.upperBound ? String($0.lowerBound) : "\($0.lowerBound)-\($0.upperBound)" }
            .joined(separator: ",")
    }

    var isEmpty: Bool { ranges.isEmpty }

    func contains(_ id: Int) -> Bool {
        // Binary search over sorted, disjoint ranges.
        var low = 0, high = ranges.count - 1
        while low <= high {
            let mid = (low + high) / 2
            if ranges[mid].contains(id) { return true }
            if id < ranges[mid].lowerBound { high = mid - 1 } else { low = mid + 1 }
        }
        return false
    }

    mutating func insert(_ id: Int) { insert(id...id) }

    mutating func insert(_ range: ClosedRange<Int>) {
        var merged = range
        var kept: [ClosedRange<Int>] = []
        kept.reserveCapacity(ranges.count + 1)
        for existing in ranges {
            // Overlapping or adjacent ranges merge.
            if existing.upperBound < merged.lowerBound - 1 || existing.lowerBound > merged.upperBound + 1 {
                kept.append(existing)
            } else {
                merged = min(existing.lowerBound, merged.lowerBound)...max(existing.upperBound, merged.upperBound)
            }
        }
        let position = kept.firstIndex { $0.lowerBound > merged.upperBound } ?? kept.count
        kept.insert(merged, at: position)
        if kept.count > Self.maxRanges { kept.removeFirst(kept.count - Self.maxRanges) }
        ranges = kept
    }
}

/// What a WooCommerce channel remembers between polls, stored as the channel's cursor:
/// `{"modified":"…Z","last_resweep":"…Z","known":"1040-1045,1050"}`.
///
/// - `modified`: the highest `date_modified_gmt` seen by a complete walk (never a local `now()`).
/// - `last_resweep`: when the daily walk over `resweep_days` last ran.
/// - `known`: ids of the orders delivered so far, so a known order is updated whatever its status while
///   only orders in `statuses` are created (the API notes §1.3).
struct WooCommerceCursor: Equatable, Sendable {
    var modified: Date?
    var lastResweep: Date?
    var known = OrderIDSet()

    init(modified: Date? = nil, lastResweep: Date? = nil, known: OrderIDSet = OrderIDSet()) {
        self.modified = modified; self.lastResweep = lastResweep; self.known = known
    }

    /// Reads a saved cursor; nil, empty or unreadable text is a first run.
    init(decoding text: String?) {
        guard let text, let json = try? JSONValue.parse(Data(text.utf8)) else { return }
        modified = json["modified"]?.text.flatMap { Timestamp.parse($0) }
        lastResweep = json["last_resweep"]?.text.flatMap { Timestamp.parse($0) }
        known = OrderIDSet(encoded: json["known"]?.text ?? "")
    }

    var encoded: String {
        var members: [(String, JSONValue)] = []
        members.append(("modified", modified.map { .string(Timestamp.format($0)) } ?? .null))
        members.append(("last_resweep", lastResweep.map { .string(Timestamp.format($0)) } ?? .null))
        members.append(("known", .string(known.encoded)))
        return JSONValue.object(members).serialized
    }
}

extension WooCommerceCursor {
    /// A zone-less UTC bound for `modified_after` / `modified_before` with `dates_are_gmt=true`
    /// (`2026-03-10T08:00:00`, no `Z`: a bound with a zone is converted to the site zone and shifts the window).
    static func naiveUTC(_ date: Date) -> String {
        String(Timestamp.format(date).dropLast())
    }
}
