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

    /// Whether every byte is below 0x80 (such bytes are valid UTF-8 as they are), eight at a time: an
    /// order cut from an XML reply file is checked this way before the full UTF-8 validation, which
    /// took 1.6 % of a backlog import's instructions for text that is nearly always ASCII (issue 17).
    public static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var seen: UInt64 = 0
        var offset = 0
        while offset + 8 <= bytes.count {
            seen |= bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        while offset < bytes.count {
            seen |= UInt64(bytes[offset])
            offset += 1
        }
        return seen & highs == 0
    }
}

