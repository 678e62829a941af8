import Foundation

/// Exact money for the WooCommerce simulator: integer cents (the store's `dp` is 2), rendered as the
/// decimal strings WooCommerce sends. Never a binary float, except line `price`, which is one on the wire.
enum WooCents {
    /// `"37.50"` → 3750, `"-10"` → -1000; nil for anything else (more than 2 decimals included).
    static func parse(_ text: String) -> Int? {
        var s = Substring(text.trimmingCharacters(in: .whitespaces))
        var sign = 1
        if s.first == "-" { sign = -1; s = s.dropFirst() } else if s.first == "+" { s = s.dropFirst() }
        let parts = s.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.allSatisfy({ $0.isASCII && $0.isNumber }), whole.count < 13 else { return nil }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.count <= 2, fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        while fraction.count < 2 { fraction += "0" }
        return sign * (Int(whole)! * 100 + Int(fraction)!)
    }

    /// 3750 → `"37.50"`, -1000 → `"-10.00"`.
    static func format(_ cents: Int) -> String {
        let magnitude = abs(cents)
        let fraction = magnitude % 100
        return (cents < 0 ? "-" : "") + "\(magnitude / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }

    /// `value × numerator ÷ denominator`, rounded half away from zero.
    static func scale(_ value: Int, _ numerator: Int, _ denominator: Int) -> Int {
        let product = value * numerator
        let rounded = (2 * abs(product) + denominator) / (2 * denominator)
        return product < 0 ? -rounded : rounded
    }
}

/// Dates as a WordPress site writes them: zone-less text, either UTC (`*_gmt`) or in the site's zone.
enum WooDates {
    /// `2026-03-10T09:30:00` for `date` in `zone` (UTC when nil).
    static func naive(_ date: Date, zone: TimeZone?) -> String {
        let offset = zone.map { $0.secondsFromGMT(for: date) } ?? 0
        return String(SimDate.format(date.addingTimeInterval(TimeInterval(offset))).dropLast())
    }

    /// The site-local wall-clock time of `date`, as an instant read "as if UTC" (for naive comparisons).
    static func localWallClock(_ date: Date, zone: TimeZone) -> Date {
        date.addingTimeInterval(TimeInterval(zone.secondsFromGMT(for: date)))
    }

    /// A REST `date-time` parameter (WordPress `rest_parse_date`: seconds required, optional fraction and
    /// zone) as the naive site-zone wall clock WP_Date_Query compares: a zone-less value is taken as is;
    /// a value with `Z` or an offset is converted into the site zone first (the "Z-bound shift").
    /// Returned "as if UTC"; nil when the text is not a valid date-time.
    static func queryBound(_ text: String, zone: TimeZone) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let chars = Array(trimmed)
        // YYYY-MM-DDTHH:MM:SS is 19 characters; seconds are required.
        guard chars.count >= 19, chars[10] == "T" || chars[10] == "t" || chars[10] == " ", chars[16] == ":" else { return nil }
        var rest = chars[19...]
        if rest.first == "." { rest = rest.dropFirst().drop { $0.isNumber } }
        let hasZone = !rest.isEmpty
        guard let instant = SimDate.parse(trimmed) else { return nil }
        return hasZone ? localWallClock(instant, zone: zone) : instant
    }
}

/// PHP `sprintf` for the Shipment Tracking link templates: `%1$s`, `%2$s`, `%3$s`, `%s` and `%%`.
/// Unknown conversions are copied through.
enum PHPFormat {
    static func sprintf(_ format: String, _ args: [String]) -> String {
        var out = ""
        var next = 0
        var chars = Substring(format)
        while let ch = chars.first {
            chars = chars.dropFirst()
            guard ch == "%" else { out.append(ch); continue }
            if chars.first == "%" { out.append("%"); chars = chars.dropFirst(); continue }
            if chars.first == "s" {
                out += next < args.count ? args[next] : ""
                next += 1
                chars = chars.dropFirst()
                continue
            }
            let digits = chars.prefix { $0.isNumber }
            let after = chars.dropFirst(digits.count)
            if !digits.isEmpty, after.hasPrefix("$s"), let index = Int(digits), index >= 1 {
                out += index <= args.count ? args[index - 1] : ""
                chars = after.dropFirst(2)
                continue
            }
            out.append("%")
        }
        return out
    }
}
