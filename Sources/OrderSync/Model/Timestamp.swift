import Foundation

/// Parsing and printing of times. Everything stored or printed is UTC, RFC 3339 with `Z`.
public enum Timestamp {
    /// Formats as `2026-03-10T08:30:00Z` (UTC, whole seconds).
    public static func format(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        // Digit by digit, without `String(format:)`: this is on the import's hot path.
        var out = [UInt8](repeating: 0, count: 20)
        func put(_ value: Int, _ at: Int, _ width: Int) {
            var v = value
            for k in stride(from: at + width - 1, through: at, by: -1) {
                out[k] = UInt8(48 + v % 10)
                v /= 10
            }
        }
        let year = Int(parts.tm_year) + 1900
        guard (0...9999).contains(year) else {
            return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", year, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                          Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
        }
        put(year, 0, 4); out[4] = UInt8(ascii: "-"); put(Int(parts.tm_mon) + 1, 5, 2); out[7] = UInt8(ascii: "-")
        put(Int(parts.tm_mday), 8, 2); out[10] = UInt8(ascii: "T"); put(Int(parts.tm_hour), 11, 2)
        out[13] = UInt8(ascii: ":"); put(Int(parts.tm_min), 14, 2); out[16] = UInt8(ascii: ":")
        put(Int(parts.tm_sec), 17, 2); out[19] = UInt8(ascii: "Z")
        return String(decoding: out, as: UTF8.self)
    }

    /// Formats with milliseconds (`2026-03-01T09:30:00.123Z`), for log lines and stored times.
    /// Digit by digit, without `String(format:)`: every stored row carries two or three of these.
    public static func formatMillis(_ date: Date) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        appendMillis(date, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// ``formatMillis(_:)``'s bytes appended to `out` (a log line is written as bytes, issue 17).
    static func appendMillis(_ date: Date, to out: inout [UInt8]) {
        // Round to whole milliseconds first: .123 is held as .12299990… and must print .123.
        let millis = (date.timeIntervalSince1970 * 1000).rounded()
        let seconds = (millis / 1000).rounded(.down)
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        let year = Int(parts.tm_year) + 1900
        guard (0...9999).contains(year) else {
            out.append(contentsOf: formatMillisSlowly(date, millis: millis, seconds: seconds).utf8)
            return
        }
        func put(_ value: Int, _ width: Int, then separator: UInt8) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                out.append(UInt8(48 + rest / divisor))
                rest %= divisor
                divisor /= 10
            }
            out.append(separator)
        }
        put(year, 4, then: UInt8(ascii: "-"))
        put(Int(parts.tm_mon) + 1, 2, then: UInt8(ascii: "-"))
        put(Int(parts.tm_mday), 2, then: UInt8(ascii: "T"))
        put(Int(parts.tm_hour), 2, then: UInt8(ascii: ":"))
        put(Int(parts.tm_min), 2, then: UInt8(ascii: ":"))
        put(Int(parts.tm_sec), 2, then: UInt8(ascii: "."))
        put(Int(millis - seconds * 1000), 3, then: UInt8(ascii: "Z"))
    }

    /// Years outside 0…9999, through the general formatter.
    private static func formatMillisSlowly(_ date: Date, millis: Double, seconds: Double) -> String {
        let base = format(Date(timeIntervalSince1970: seconds))
        return String(base.dropLast()) + String(format: ".%03dZ", Int(millis - seconds * 1000))
    }

    /// Parses any ISO 8601 / RFC 3339 form the channels send: `Z`, `+01:00`, `+0100`, fractional
    /// seconds of any length, `T` or space as separator, and a bare `YYYY-MM-DD HH:MM:SS` (taken as UTC
    /// unless `assumeOffset` says otherwise). Returns nil for anything else.
    public static func parse(_ text: String, assumeOffset seconds: Int = 0) -> Date? {
        // From the string's own buffer when it has one (copying it into an array was a quarter of the time).
        if let parsed = text.utf8.withContiguousStorageIfAvailable({ parse(bytes: $0, assumeOffset: seconds) }) {
            return parsed
        }
        return Array(text.utf8).withUnsafeBufferPointer { parse(bytes: $0, assumeOffset: seconds) }
    }

    private static func parse(bytes: UnsafeBufferPointer<UInt8>, assumeOffset seconds: Int) -> Date? {
        var i = 0
        func number(_ count: Int) -> Int? {
            guard i + count <= bytes.count else { return nil }
            var v = 0
            for k in 0..<count {
                let b = bytes[i + k]
                guard b >= 48, b <= 57 else { return nil }
                v = v * 10 + Int(b - 48)
            }
            i += count
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < bytes.count, bytes[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2) else { return nil }
        var hour = 0, minute = 0, second = 0
        var fraction = 0.0
        var offset = seconds
        if i < bytes.count {
            guard bytes[i] == 84 || bytes[i] == 116 || bytes[i] == 32 else { return nil }
            i += 1
            guard let h = number(2), expect(58), let m = number(2) else { return nil }
            hour = h; minute = m
            if expect(58) {
                guard let s = number(2) else { return nil }
                second = s
                if i < bytes.count, bytes[i] == 46 || bytes[i] == 44 {
                    i += 1
                    var scale = 0.1
                    let start = i
                    while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
                        fraction += Double(bytes[i] - 48) * scale
                        scale /= 10
                        i += 1
                    }
                    guard i > start else { return nil }
                }
            }
            if i < bytes.count {
                if bytes[i] == 90 || bytes[i] == 122 {
                    offset = 0; i += 1
                } else if bytes[i] == 43 || bytes[i] == 45 {
                    let sign = bytes[i] == 45 ? -1 : 1
                    i += 1
                    guard let oh = number(2) else { return nil }
                    _ = expect(58)
                    let om = number(2) ?? 0
                    guard oh <= 23, om <= 59 else { return nil }
                    offset = sign * (oh * 3600 + om * 60)
                } else {
                    return nil
                }
            }
        }
        guard i == bytes.count, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour <= 23, minute <= 59, second <= 60, year >= 1970, year <= 9999 else { return nil }
        let epoch = daysSinceEpoch(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
        return Date(timeIntervalSince1970: Double(epoch) - Double(offset) + fraction)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (the civil-from-days inverse of
    /// H. Hinnant's "chrono-compatible low-level date algorithms"): what `timegm` works out, without its
    /// normalisation of a `struct tm` (a third of a parse).
    public static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
