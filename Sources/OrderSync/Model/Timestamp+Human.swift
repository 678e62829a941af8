import Foundation

extension Timestamp {
    /// A UTC time to the minute for people: `10:54Z` on `now`'s UTC day, else `2026-11-25T11:14Z`.
    public static func minute(_ date: Date, now: Date) -> String {
        let full = format(date)                      // 2026-11-25T11:14:43Z
        let day = full.prefix(10), time = full.dropFirst(11).prefix(5)
        return day == format(now).prefix(10) ? "\(time)Z" : "\(day)T\(time)Z"
    }

    /// A UTC time to the second for people: `11:14:43Z` on `now`'s UTC day, else the full timestamp.
    public static func second(_ date: Date, now: Date) -> String {
        let full = format(date)
        return full.prefix(10) == format(now).prefix(10) ? String(full.dropFirst(11)) : full
    }

    /// How long ago `date` was, in the two largest units: `12 s ago`, `4 min ago`, `3 h 5 min ago`,
    /// `2 d 3 h ago`; `in 5 min` for a time ahead of `now`.
    public static func age(of date: Date, now: Date) -> String {
        let seconds = Int(now.timeIntervalSince(date).rounded(.down))
        let span = abs(seconds)
        let text: String
        switch span {
        case ..<60: text = "\(span) s"
        case ..<3600: text = "\(span / 60) min"
        case ..<86_400: text = span % 3600 / 60 == 0 ? "\(span / 3600) h" : "\(span / 3600) h \(span % 3600 / 60) min"
        default: text = span % 86_400 / 3600 == 0 ? "\(span / 86_400) d" : "\(span / 86_400) d \(span % 86_400 / 3600) h"
        }
        return seconds >= 0 ? "\(text) ago" : "in \(text)"
    }
}
