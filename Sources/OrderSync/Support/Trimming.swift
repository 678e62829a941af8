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
    /// True when the first and last bytes are printable ASCII other than a space (then neither set trims anything).
    static func holds<C: BidirectionalCollection>(_ utf8: C) -> Bool where C.Element == UInt8 {
        guard let first = utf8.first, let last = utf8.last else { return true }
        return first > 0x20 && first < 0x7F && last > 0x20 && last < 0x7F
    }
}
