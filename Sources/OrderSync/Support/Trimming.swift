import Foundation

/// Foundation's `trimmingCharacters(in: .whitespaces)` and `(in: .whitespacesAndNewlines)`, answered
/// without Foundation when nothing needs trimming: when the first and last characters are ASCII and not
/// whitespace (every Unicode space or newline begins with an ASCII control or space byte, or is non-ASCII),
/// the text is returned as it is. Anything else goes to Foundation, so the answers never differ (tested).
///
/// Performance (issue 17): mappers trim nearly every field they read, and Foundation's `CharacterSet`
/// trimming took 3 to 4 % of a backlog import's CPU although almost no field needs it.
extension String {
    /// `trimmingCharacters(in: .whitespaces)`.
    public func trimmingWhitespace() -> String {
        NoTrim.holds(utf8) ? self : trimmingCharacters(in: .whitespaces)
    }

    /// `trimmingCharacters(in: .whitespacesAndNewlines)`.
    public func trimmingWhitespaceAndNewlines() -> String {
        NoTrim.holds(utf8) ? self : trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension Substring {
    /// `trimmingCharacters(in: .whitespaces)`.
    public func trimmingWhitespace() -> String {
        NoTrim.holds(utf8) ? String(self) : trimmingCharacters(in: .whitespaces)
    }

    /// `trimmingCharacters(in: .whitespacesAndNewlines)`.
    public func trimmingWhitespaceAndNewlines() -> String {
        NoTrim.holds(utf8) ? String(self) : trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

enum NoTrim {
    /// True when neither end needs trimming: the first and last scalars are printable ASCII other than a
    /// space, or non-ASCII and not one that any version of Unicode has had as a space, separator or newline
    /// (``mayBeSpace(_:)``). Names that end in an accent ("André") went to Foundation every time: 1.3 % of
    /// a backlog import's instructions (issue 17).
    static func holds<C: BidirectionalCollection>(_ utf8: C) -> Bool where C.Element == UInt8 {
        guard let first = utf8.first, let last = utf8.last else { return true }
        if first <= 0x20 || first == 0x7F || last <= 0x20 || last == 0x7F { return false }
        if first >= 0x80, mayBeSpace(scalar(utf8, from: utf8.startIndex)) { return false }
        if last >= 0x80 {
            // Back over the continuation bytes to the last scalar's lead byte (a String's UTF-8 is valid).
            var index = utf8.index(before: utf8.endIndex)
            var steps = 0
            while utf8[index] & 0xC0 == 0x80, steps < 3, index > utf8.startIndex {
                index = utf8.index(before: index)
                steps += 1
            }
            if mayBeSpace(scalar(utf8, from: index)) { return false }
        }
        return true
    }

    /// The scalar whose lead byte is at `index` (two- and three-byte forms; a four-byte scalar is never a
    /// space, and is answered as U+10000).
    private static func scalar<C: BidirectionalCollection>(_ utf8: C, from index: C.Index) -> UInt32 where C.Element == UInt8 {
        let lead = UInt32(utf8[index])
        func continuation(_ offset: Int) -> UInt32 {
            guard let at = utf8.index(index, offsetBy: offset, limitedBy: utf8.endIndex), at < utf8.endIndex else { return 0 }
            return UInt32(utf8[at]) & 0x3F
        }
        switch lead {
        case 0xC0..<0xE0: return (lead & 0x1F) << 6 | continuation(1)
        case 0xE0..<0xF0: return (lead & 0x0F) << 12 | continuation(1) << 6 | continuation(2)
        default: return 0x10000
        }
    }

    /// Non-ASCII spaces (Zs), line and paragraph separators and NEL, with the zero-width and format
    /// characters around them that older Unicode data (Foundation's own tables) may still count: U+0085,
    /// U+00A0, U+1680, U+180E, U+2000…U+200F, U+2028…U+202F, U+205F…U+2060, U+3000, U+FEFF. Such an end
    /// goes to Foundation.
    static func mayBeSpace(_ value: UInt32) -> Bool {
        switch value {
        case 0x85, 0xA0, 0x1680, 0x180E, 0x2000...0x200F, 0x2028...0x202F, 0x205F...0x2060, 0x3000, 0xFEFF: return true
        default: return false
        }
    }
}
