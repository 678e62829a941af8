import Foundation
import OrderSync

/// What a WooCommerce channel remembers between polls, stored as the channel's cursor:
/// `{"modified":"…Z","last_resweep":"…Z"}`: positions only, a few dozen bytes whatever the store's size.
///
/// - `modified`: the highest `date_modified_gmt` seen by a complete walk (never a local `now()`).
/// - `last_resweep`: when the daily walk over `resweep_days` last ran.
///
/// Which orders are known (updated whatever their status, while only orders in `statuses` are created,
/// the API notes §1.3) is the orders table's to say: see ``FetchedOrder/createIfNew``. A `known` member
/// left by an earlier version is ignored.
struct WooCommerceCursor: Equatable, Sendable {
    var modified: Date?
    var lastResweep: Date?

    init(modified: Date? = nil, lastResweep: Date? = nil) {
        self.modified = modified; self.lastResweep = lastResweep
    }

    /// Reads a saved cursor; nil, empty or unreadable text is a first run.
    init(decoding text: String?) {
        guard let text, let json = try? JSONValue.parse(Data(text.utf8)) else { return }
        modified = json["modified"]?.text.flatMap { Timestamp.parse($0) }
        lastResweep = json["last_resweep"]?.text.flatMap { Timestamp.parse($0) }
    }

    var encoded: String {
        var members: [(String, JSONValue)] = []
        members.append(("modified", modified.map { .string(Timestamp.format($0)) } ?? .null))
        members.append(("last_resweep", lastResweep.map { .string(Timestamp.format($0)) } ?? .null))
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
