import Foundation
import OrderSync

extension WooCommerceChannel {
    /// The saved cursor in one line: `modified since 2026-12-05T11:09Z (5 min overlap); daily re-sweep 10:54Z`.
    static func cursorSummary(_ text: String, now: Date) -> String {
        let cursor = WooCommerceCursor(decoding: text)
        var parts: [String] = []
        if let modified = cursor.modified {
            parts.append("modified since \(Timestamp.minute(modified.addingTimeInterval(-overlap), now: now)) (5 min overlap)")
        } else {
            parts.append("first walk pending")
        }
        if let resweep = cursor.lastResweep { parts.append("daily re-sweep \(Timestamp.minute(resweep, now: now))") }
        return parts.joined(separator: "; ")
    }
}
