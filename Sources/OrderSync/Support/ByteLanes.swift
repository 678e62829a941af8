/// Tests on the eight bytes of a `UInt64` at once (SWAR), for scans that skip ordinary text eight bytes at a
/// time and look at single bytes only around the ones they are after. Exact as a whole (a lane above a
/// match may be flagged too, so they say whether, never where).
public enum ByteLanes {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Whether any byte of `word` equals `byte`.
    @inline(__always)
    public static func contains(_ word: UInt64, _ byte: UInt8) -> Bool {
        let x = word ^ (ones &* UInt64(byte))
        return (x &- ones) & ~x & highs != 0
    }

    /// Whether any byte of `word` is below `bound` (at most 0x80).
    @inline(__always)
    public static func containsBelow(_ word: UInt64, _ bound: UInt8) -> Bool {
        (word &- ones &* UInt64(bound)) & ~word & highs != 0
    }

    /// Whether `bytes` are well-formed UTF-8 (the Unicode Standard's table 3-7: no overlong forms, no
    /// surrogates, nothing past U+10FFFF, no sequence cut short), what `String(validating:as:)` accepts.
    /// ASCII runs are skipped eight bytes at a time. An order cut from an XML reply file is checked this way:
    /// the standard library's check took 1.6 % of a backlog import's instructions, for text that is ASCII
    /// but for a few accented names (issue 17).
    public static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let count = bytes.count
        var i = 0
        while i < count {
            while i + 8 <= count, bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self) & highs == 0 { i += 8 }
            guard i < count else { break }
            let lead = bytes[i]
            if lead < 0x80 {
                i += 1
                continue
            }
            /// Whether the byte `offset` after the lead is there and within `range`.
            func next(_ offset: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool {
                i + offset < count && range.contains(bytes[i + offset])
            }
            switch lead {
            case 0xC2...0xDF:
                guard next(1) else { return false }
                i += 2
            case 0xE0:
                guard next(1, 0xA0...0xBF), next(2) else { return false }
                i += 3
            case 0xE1...0xEC, 0xEE...0xEF:
                guard next(1), next(2) else { return false }
                i += 3
            case 0xED:
                guard next(1, 0x80...0x9F), next(2) else { return false }
                i += 3
            case 0xF0:
                guard next(1, 0x90...0xBF), next(2), next(3) else { return false }
                i += 4
            case 0xF1...0xF3:
                guard next(1), next(2), next(3) else { return false }
                i += 4
            case 0xF4:
                guard next(1, 0x80...0x8F), next(2), next(3) else { return false }
                i += 4
            default:
                return false
            }
        }
        return true
    }
}
