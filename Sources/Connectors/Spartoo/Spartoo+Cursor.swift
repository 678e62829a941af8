import Foundation
import OrderSync

extension SpartooChannel {
    /// The saved cursor in one line: `es window from 2026-11-25T11:14Z, fr window from 2026-11-25T11:14Z`.
    static func cursorSummary(_ text: String, now: Date) -> String {
        let cursor = SpartooCursor.decode(text)
        let windows = cursor.sites.keys.sorted().map { site in
            "\(site) window from \(Timestamp.minute(cursor.sites[site]!.windowStart, now: now))"
        }
        return windows.isEmpty ? "first walk pending" : windows.joined(separator: ", ")
    }
}
