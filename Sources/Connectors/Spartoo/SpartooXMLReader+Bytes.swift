import Foundation

/// The byte level: names (XML 1.0 fifth edition), UTF-8 characters, markers, errors with their position.
extension SpartooXMLReader {
    /// Where the XML name starting at `start` ends; nil when none starts there. ASCII by table; other
    /// characters by XML 1.0 (fifth edition)'s `NameStartChar` and `NameChar`, as libxml2 reads them.
    /// Performance: after the first character, an ASCII byte is looked up in two 64-bit masks
    /// (``continuesNameMask``); comparing it with each range was 2 % of a backlog import's instructions.
    func nameEnd(from start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        var j = start
        let first = bytes[j]
        if first < 0x80 {
            guard Self.startsName(first) else { return nil }
            j += 1
        } else {
            guard let (value, length) = scalar(at: j), Self.isNameCharacter(value, first: true) else { return nil }
            j += length
        }
        while j < bytes.count {
            let b = bytes[j]
            if b < 0x80 {
                guard Self.continuesNameMask(b) else { break }
                j += 1
            } else {
                guard let (value, length) = scalar(at: j), Self.isNameCharacter(value, first: false) else { break }
                j += length
            }
        }
        return j
    }

    /// ``continuesName(_:)`` for an ASCII byte, from a bit mask of the 128 (tested against it).
    @inline(__always)
    static func continuesNameMask(_ b: UInt8) -> Bool {
        // Bits of `-` `.` `0`…`9` `:` (below 64), and `A`…`Z` `_` `a`…`z` (64 and up).
        let low: UInt64 = 0x07FF_6000_0000_0000, high: UInt64 = 0x07FF_FFFE_87FF_FFFE
        return b < 64 ? (low >> UInt64(b)) & 1 == 1 : (high >> UInt64(b & 63)) & 1 == 1
    }

    static func startsName(_ b: UInt8) -> Bool {
        (b | 0x20 >= UInt8(ascii: "a") && b | 0x20 <= UInt8(ascii: "z")) || b == UInt8(ascii: "_") || b == UInt8(ascii: ":")
    }

    static func continuesName(_ b: UInt8) -> Bool {
        startsName(b) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
    }

    /// A non-ASCII character of a name.
    static func isNameCharacter(_ v: UInt32, first: Bool) -> Bool {
        switch v {
        case 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x2FF, 0x370...0x37D, 0x37F...0x1FFF, 0x200C...0x200D, 0x2070...0x218F,
             0x2C00...0x2FEF, 0x3001...0xD7FF, 0xF900...0xFDCF, 0xFDF0...0xFFFD, 0x10000...0xEFFFF:
            return true
        case 0xB7, 0x300...0x36F, 0x203F...0x2040:
            return !first
        default:
            return false
        }
    }

    /// The character encoded at `k` and its length in bytes; nil when the bytes there are not UTF-8.
    func scalar(at k: Int) -> (UInt32, Int)? {
        let b = bytes[k]
        let length: Int, minimum: UInt32
        var value: UInt32
        switch b {
        case 0x00...0x7F: return (UInt32(b), 1)
        case 0xC2...0xDF: length = 2; value = UInt32(b & 0x1F); minimum = 0x80
        case 0xE0...0xEF: length = 3; value = UInt32(b & 0x0F); minimum = 0x800
        case 0xF0...0xF4: length = 4; value = UInt32(b & 0x07); minimum = 0x10000
        default: return nil
        }
        guard k + length <= bytes.count else { return nil }
        for m in 1..<length {
            let c = bytes[k + m]
            guard c & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt32(c & 0x3F)
        }
        guard value >= minimum, value <= 0x10FFFF, !(0xD800...0xDFFF).contains(value) else { return nil }
        return (value, length)
    }

    /// The name `start..<end` as a string, shared with every earlier use of the same name.
    mutating func name(_ start: Int, _ end: Int) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for k in start..<end { hash = (hash ^ UInt64(bytes[k])) &* 0x100_0000_01b3 }
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<end])
        if let known = names[hash], known.utf8.count == end - start, starts(known.utf8, at: start) { return known }
        let made = String(decoding: raw, as: UTF8.self)
        names[hash] = made
        return made
    }

    func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D }

    /// Skips white space; whether there was any.
    @discardableResult
    mutating func skipSpace() -> Bool {
        let start = i
        while i < bytes.count, isSpace(bytes[i]) { i += 1 }
        return i > start
    }

    func starts(_ marker: String.UTF8View, at index: Int) -> Bool {
        guard index + marker.count <= bytes.count else { return false }
        if let same = marker.withContiguousStorageIfAvailable({ m in
            m.isEmpty || memcmp(bytes.baseAddress! + index, m.baseAddress!, m.count) == 0
        }) {
            return same
        }
        var k = index
        for b in marker {
            if bytes[k] != b { return false }
            k += 1
        }
        return true
    }

    func find(_ marker: String.UTF8View, from start: Int) -> Int? {
        guard let first = marker.first else { return nil }
        var j = start
        while j + marker.count <= bytes.count {
            guard let hit = memchr(bytes.baseAddress! + j, Int32(first), bytes.count - j) else { return nil }
            j = UnsafePointer(bytes.baseAddress!).distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if starts(marker, at: j) { return j }
            j += 1
        }
        return nil
    }

    /// Throws unless `start..<end` is valid UTF-8 holding only characters XML 1.0 allows.
    func checkCharacters(_ start: Int, _ end: Int) throws(SpartooXML.ParseError) {
        var k = start
        while k < end {
            let b = bytes[k]
            if b < 0x80 {
                if b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0D { throw error("PCDATA invalid Char value \(b)", at: k) }
                k += 1
                continue
            }
            guard let (value, length) = scalar(at: k), k + length <= end else { throw error("Input is not proper UTF-8", at: k) }
            guard Self.isXMLCharacter(value) else { throw error("Char 0x\(String(value, radix: 16, uppercase: true)) out of allowed range", at: k) }
            k += length
        }
    }

    /// XML 1.0's `Char`.
    static func isXMLCharacter(_ value: UInt32) -> Bool {
        switch value {
        case 0x09, 0x0A, 0x0D, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
        default: return false
        }
    }

    /// An error at `position` (else `i`), with its line and column (counted in bytes, from 1).
    func error(_ reason: String, at position: Int? = nil) -> SpartooXML.ParseError {
        let at = min(position ?? i, bytes.count)
        var line = 1, lineStart = 0
        for k in 0..<at where bytes[k] == 0x0A {
            line += 1
            lineStart = k + 1
        }
        return SpartooXML.ParseError(reason: reason, line: line, column: at - lineStart + 1)
    }
}
