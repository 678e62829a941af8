import Foundation
import OrderSync

extension SpartooChannel {
    /// The saved cursor in one line: `fr window from 2026-11-25T11:14Z, es window from …; daily re-read 10:54Z`.
    static func cursorSummary(_ text: String, now: Date) -> String {
        let cursor = SpartooCursor.decode(text)
        var parts: [String] = []
        let windows = cursor.sites.keys.sorted().map { site in
            "\(site) window from \(Timestamp.minute(cursor.sites[site]!.windowStart, now: now))"
        }
        parts.append(windows.isEmpty ? "first walk pending" : windows.joined(separator: ", "))
        let open = cursor.open.values.reduce(0) { $0 + $1.count }
        if open > 0 { parts.append("\(open) open orders followed") }
        if let reread = cursor.lastReread { parts.append("daily re-read \(Timestamp.minute(reread, now: now))") }
        return parts.joined(separator: "; ")
    }
}
