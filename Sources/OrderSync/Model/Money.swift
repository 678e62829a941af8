import Foundation

/// An exact decimal amount of money, kept as an integer count of minor units and a scale
/// (`"299.00"` is 29900 at scale 2). Never a floating-point number; prints with its own precision.
public struct Money: Hashable, Sendable, CustomStringConvertible, Codable {
    /// The amount in units of 10^-scale.
    public let minorUnits: Int64
    /// Digits after the decimal point (0...9).
    public let scale: Int

    public init(minorUnits: Int64, scale: Int) {
        self.minorUnits = minorUnits
        self.scale = scale
    }

    /// Parses a plain decimal string: optional sign, digits, optional `.` and up to 9 digits.
    /// Returns nil for anything else (exponents, thousands separators, overflow, empty).
    public init?(_ text: String) {
        // Performance: plain ASCII (every amount a channel sends) is read byte by byte; `trimmingCharacters`
        // alone took 4 % of a backlog import. Anything else takes the general path below.
        switch text.utf8.withContiguousStorageIfAvailable(Money.parseASCII) ?? .general {
        case .value(let money): self = money; return
        case .invalid: return nil
        case .general: break
        }
        var s = Substring(text.trimmingWhitespace())
        var negative = false
        if s.first == "-" || s.first == "+" {
            negative = s.first == "-"
            s = s.dropFirst()
        }
        let parts = s.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let intPart = parts.first, !intPart.isEmpty || parts.count == 2 else { return nil }
        let fracPart = parts.count == 2 ? parts[1] : ""
        guard parts.count == 1 || !fracPart.isEmpty || !intPart.isEmpty else { return nil }
        guard fracPart.count <= 9, intPart.count + fracPart.count > 0,
              intPart.allSatisfy({ $0.isASCII && $0.isNumber }),
              fracPart.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        var value: Int64 = 0
        for ch in intPart + fracPart {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(ch.wholeNumberValue!))
            if o1 || o2 { return nil }
            value = a
        }
        self.minorUnits = negative ? -value : value
        self.scale = fracPart.count
    }

    public static let zero = Money(minorUnits: 0, scale: 2)

    private enum Parsed { case value(Money), invalid, general }

    /// ``init(_:)`` for ASCII text: the same answers (spaces and tabs trimmed, optional sign, digits, an
    /// optional `.` and up to 9 digits); `.general` for text with any other byte.
    private static func parseASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Parsed {
        var start = 0, end = bytes.count
        if bytes.contains(where: { $0 >= 0x80 }) { return .general }
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        var negative = false
        if start < end, bytes[start] == 0x2D || bytes[start] == 0x2B {
            negative = bytes[start] == 0x2D
            start += 1
        }
        var value: Int64 = 0
        var digits = 0, fraction = 0
        var sawPoint = false
        for index in start..<end {
            let byte = bytes[index]
            if byte == 0x2E, !sawPoint { sawPoint = true; continue }
            guard byte >= 0x30, byte <= 0x39 else { return .invalid }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(byte - 0x30))
            if o1 || o2 { return .invalid }
            value = a
            digits += 1
            if sawPoint { fraction += 1 }
        }
        guard digits > 0, fraction <= 9 else { return .invalid }
        return .value(Money(minorUnits: negative ? -value : value, scale: fraction))
    }

    /// The value as `Decimal`, for arithmetic outside this type.
    public var decimal: Decimal {
        Decimal(sign: minorUnits < 0 ? .minus : .plus, exponent: -scale, significand: Decimal(minorUnits.magnitude))
    }

    /// The same amount at a larger scale (never loses digits); nil on overflow.
    public func rescaled(to newScale: Int) -> Money? {
        guard newScale >= scale else { return newScale == scale ? self : nil }
        var units = minorUnits
        for _ in scale..<newScale {
            let (m, o) = units.multipliedReportingOverflow(by: 10)
            if o { return nil }
            units = m
        }
        return Money(minorUnits: units, scale: newScale)
    }

    /// Exact sum at the larger of the two scales; nil on overflow.
    public func adding(_ other: Money) -> Money? {
        let s = max(scale, other.scale)
        guard let a = rescaled(to: s), let b = other.rescaled(to: s) else { return nil }
        let (sum, o) = a.minorUnits.addingReportingOverflow(b.minorUnits)
        return o ? nil : Money(minorUnits: sum, scale: s)
    }

    public var description: String {
        let digits = String(minorUnits.magnitude)
        let sign = minorUnits < 0 ? "-" : ""
        guard scale > 0 else { return sign + digits }
        let padded = String(repeating: "0", count: max(0, scale + 1 - digits.count)) + digits
        let cut = padded.index(padded.endIndex, offsetBy: -scale)
        return sign + padded[..<cut] + "." + padded[cut...]
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let money = Money(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "invalid decimal amount"))
        }
        self = money
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
