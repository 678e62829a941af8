import Foundation

/// How a simulated channel renders a timestamp. Back Market sends `Z`, `+01:00` and
/// microsecond forms side by side, so each simulated order picks one.
public struct DateStyle: Sendable, Hashable {
    /// Whether six fractional digits are written (`…:00.123456…`).
    public var microseconds: Bool
    /// Offset from UTC written after the time; nil writes `Z`.
    public var offsetMinutes: Int?

    /// Creates a style.
    public init(microseconds: Bool = false, offsetMinutes: Int? = nil) {
        self.microseconds = microseconds
        self.offsetMinutes = offsetMinutes
    }

    /// `2024-03-10T08:35:00Z`
    public static let utc = DateStyle()
    /// `2024-03-10T09:35:00+01:00` (Paris winter time, fixed offset).
    public static let paris = DateStyle(offsetMinutes: 60)
    /// `2024-03-10T08:35:00.123456Z`
    public static let microsecondsUTC = DateStyle(microseconds: true)
    /// `2024-03-10T09:35:00.123456+01:00`
    public static let microsecondsParis = DateStyle(microseconds: true, offsetMinutes: 60)
}

/// Pure, thread-safe ISO 8601 formatting and liberal parsing (no `DateFormatter`, no locale).
public enum SimDate {
    /// Renders `date` in `style`. Sub-microsecond precision is truncated.
    public static func format(_ date: Date, style: DateStyle = .utc) -> String {
        let offsetSeconds = (style.offsetMinutes ?? 0) * 60
        let totalMicros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down)) + Int64(offsetSeconds) * 1_000_000
        var seconds = totalMicros / 1_000_000
        var micros = totalMicros % 1_000_000
        if micros < 0 {
            micros += 1_000_000
            seconds -= 1
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = civil(fromDays: days)
        var text = pad(Int(year), 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
        text += pad(Int(secondOfDay / 3600), 2) + ":" + pad(Int(secondOfDay % 3600 / 60), 2) + ":" + pad(Int(secondOfDay % 60), 2)
        if style.microseconds { text += "." + pad(Int(micros), 6) }
        if let offset = style.offsetMinutes {
            let sign = offset < 0 ? "-" : "+"
            text += sign + pad(abs(offset) / 60, 2) + ":" + pad(abs(offset) % 60, 2)
        } else {
            text += "Z"
        }
        return text
    }

    /// Parses RFC 3339 / ISO 8601 timestamps liberally: `T` or a space between date and time,
    /// optional seconds and fraction (any number of digits), `Z`, `±HH:MM`, `±HHMM` or `±HH`;
    /// no zone means UTC; a bare `YYYY-MM-DD` is midnight UTC. Returns nil for anything else.
    public static func parse(_ text: String) -> Date? {
        let chars = Array(text.trimmingCharacters(in: .whitespaces).utf8)
        var index = 0
        func number(_ digits: Int) -> Int? {
            guard index + digits <= chars.count else { return nil }
            var value = 0
            for offset in 0..<digits {
                let char = chars[index + offset]
                guard char >= 48, char <= 57 else { return nil }
                value = value * 10 + Int(char - 48)
            }
            index += digits
            return value
        }
        func expect(_ char: UInt8) -> Bool {
            guard index < chars.count, chars[index] == char else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2),
            (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var secondsOfDay = 0
        var fraction = 0.0
        var offset = 0
        if index < chars.count {
            guard chars[index] == 84 || chars[index] == 116 || chars[index] == 32 else { return nil }  // T, t, space
            index += 1
            guard let hour = number(2), expect(58), let minute = number(2), hour < 24, minute < 60 else { return nil }
            var second = 0
            if expect(58) {
                guard let parsed = number(2), parsed < 61 else { return nil }
                second = min(parsed, 59)
                if index < chars.count, chars[index] == 46 || chars[index] == 44 {  // . or ,
                    index += 1
                    var scale = 0.1
                    var any = false
                    while index < chars.count, chars[index] >= 48, chars[index] <= 57 {
                        fraction += Double(chars[index] - 48) * scale
                        scale /= 10
                        index += 1
                        any = true
                    }
                    guard any else { return nil }
                }
            }
            secondsOfDay = hour * 3600 + minute * 60 + second
            if index < chars.count {
                let zone = chars[index]
                if zone == 90 || zone == 122 {  // Z, z
                    index += 1
                } else if zone == 43 || zone == 45 {  // + or -
                    index += 1
                    guard let hours = number(2), hours < 24 else { return nil }
                    var minutes = 0
                    if expect(58) {
                        guard let parsed = number(2) else { return nil }
                        minutes = parsed
                    } else if index < chars.count {
                        guard let parsed = number(2) else { return nil }
                        minutes = parsed
                    }
                    guard minutes < 60 else { return nil }
                    offset = (hours * 60 + minutes) * 60 * (zone == 45 ? -1 : 1)
                } else {
                    return nil
                }
            }
            guard index == chars.count else { return nil }
        }
        let days = daysFromCivil(year: Int64(year), month: month, day: day)
        let seconds = Double(days * 86_400 + Int64(secondsOfDay - offset)) + fraction
        return Date(timeIntervalSince1970: seconds)
    }

    // MARK: - Civil calendar (Howard Hinnant's algorithms)

    static func daysFromCivil(year: Int64, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int64, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
