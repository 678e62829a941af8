import Foundation
import OrderSync

/// Spartoo's times: wall-clock Europe/Paris (API notes §5 [G]), converted with the EU summer-time rule
/// (from the last Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC: UTC+2, else UTC+1),
/// so no tz database is needed on the host. Pure functions, thread-safe.
enum SpartooTime {
    /// Paris' offset from UTC at `date`, in seconds (3600 or 7200).
    static func parisOffset(at date: Date) -> Int {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let year = civil(seconds).year
        let start = lastSunday(year: year, month: 3) * 86_400 + 3600
        let end = lastSunday(year: year, month: 10) * 86_400 + 3600
        return seconds >= start && seconds < end ? 7200 : 3600
    }

    /// Formats `date` as Spartoo's `date` parameter: Paris wall time, `YYYY-MM-DD:hh:mm:ss`
    /// (a colon before the time, API notes §2).
    static func parameter(_ date: Date) -> String {
        let local = Int(date.timeIntervalSince1970.rounded(.down)) + parisOffset(at: date)
        let c = civil(local)
        return String(format: "%04d-%02d-%02d:%02d:%02d:%02d", c.year, c.month, c.day, c.hour, c.minute, c.second)
    }

    /// Parses a Spartoo timestamp liberally: `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DD:HH:MM:SS`, `T` between
    /// date and time, optional seconds, a bare date; no zone means Paris wall time, an explicit zone
    /// (`Z`, `+01:00`) is honoured. Returns nil for anything else (including `0000-00-00 00:00:00`).
    static func parse(_ text: String) -> Date? {
        var value = text.trimmingWhitespaceAndNewlines()
        guard value.count >= 10 else { return nil }
        // `2024-03-10:10:30:00` → `2024-03-10 10:30:00`.
        let dateEnd = value.index(value.startIndex, offsetBy: 10)
        if dateEnd < value.endIndex, value[dateEnd] == ":" {
            value.replaceSubrange(dateEnd...dateEnd, with: " ")
        }
        let hasZone: Bool = {
            guard value.count > 10 else { return false }
            let timePart = value[value.index(value.startIndex, offsetBy: 11)...]
            // Byte by byte: Foundation's `contains` of a one-character string was most of a parse (issue 17);
            // a sign followed by a combining mark, which Foundation would not match, fails to parse either way.
            return timePart.hasSuffix("Z") || timePart.hasSuffix("z")
                || timePart.utf8.contains { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }
        }()
        if hasZone { return Timestamp.parse(value) }
        guard let asUTC = Timestamp.parse(value) else { return nil }
        return fromParis(wallClockAsUTC: asUTC)
    }

    /// The instant at which Paris wall time reads what `wallClockAsUTC` reads in UTC. In the autumn's
    /// repeated hour the summer-time reading wins; a time in the spring gap is read as winter time.
    static func fromParis(wallClockAsUTC: Date) -> Date {
        let summer = wallClockAsUTC.addingTimeInterval(-7200)
        if parisOffset(at: summer) == 7200 { return summer }
        return wallClockAsUTC.addingTimeInterval(-3600)
    }

    /// The UTC hour boundary after `date` (Spartoo's quota counts calls per clock hour; every zone
    /// Spartoo serves is a whole number of hours from UTC, so the boundaries agree).
    static func nextFullHour(after date: Date) -> Date {
        let seconds = date.timeIntervalSince1970
        return Date(timeIntervalSince1970: (seconds / 3600).rounded(.down) * 3600 + 3600)
    }

    // MARK: civil calendar (days since 1970-01-01; Howard Hinnant's algorithms)

    struct Civil { var year, month, day, hour, minute, second: Int }

    static func civil(_ epochSeconds: Int) -> Civil {
        var days = epochSeconds / 86_400
        var rest = epochSeconds % 86_400
        if rest < 0 { rest += 86_400; days -= 1 }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return Civil(year: year, month: month, day: day, hour: rest / 3600, minute: rest % 3600 / 60, second: rest % 60)
    }

    /// Days since the epoch of the last Sunday of `month` (a 31-day month: March or October).
    static func lastSunday(year: Int, month: Int) -> Int {
        let last = Timestamp.daysSinceEpoch(year: year, month: month, day: 31)
        // 1970-01-01 was a Thursday (weekday 4 with Sunday = 0).
        let weekday = ((last + 4) % 7 + 7) % 7
        return last - weekday
    }
}
