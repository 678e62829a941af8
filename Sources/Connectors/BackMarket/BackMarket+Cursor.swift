import Foundation
import OrderSync

extension BackMarketChannel {
    /// The saved cursor in one line: `changes since 2026-12-04T11:14Z (24 h overlap); daily re-sweep 10:54Z`.
    static func cursorSummary(_ text: String, now: Date) -> String {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let cursor = try? decoder.decode(Cursor.self, from: Data(text.utf8)) else { return "unreadable (next poll starts afresh)" }
        var parts: [String] = []
        if let modified = cursor.modified {
            parts.append("changes since \(Timestamp.minute(modified.addingTimeInterval(-86_400), now: now)) (24 h overlap)")
        } else {
            parts.append("first walk pending")
        }
        if let resweep = cursor.lastResweep { parts.append("daily re-sweep \(Timestamp.minute(resweep, now: now))") }
        if let care = cursor.care?.done { parts.append("care folders since \(Timestamp.minute(care.addingTimeInterval(-careOverlap), now: now)) (1 h overlap)") }
        if let page = cursor.care?.page { parts.append("care walk resumes at page \(page)") }
        return parts.joined(separator: "; ")
    }
}
