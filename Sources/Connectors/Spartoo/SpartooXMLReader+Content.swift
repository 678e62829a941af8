import Foundation

/// Character data and what may stand among elements: references, CDATA sections, comments, processing
/// instructions.
extension SpartooXMLReader {
    /// Character data `start..<end` (no `<` in it), appended to `text`.
    mutating func text(_ start: Int, _ end: Int, into text: inout String) throws(SpartooXML.ParseError) {
        var plain = true
        var k = start
        while k < end {
            let b = bytes[k]
            if b == UInt8(ascii: "&") || b == 0x0D || b < 0x20 && b != 0x09 && b != 0x0A || b >= 0x80 {
                plain = false
            } else if b == UInt8(ascii: ">"), k >= start + 2, bytes[k - 1] == UInt8(ascii: "]"), bytes[k - 2] == UInt8(ascii: "]") {
                i = k - 2
                throw error("Sequence ']]>' not allowed in content")
            }
            k += 1
        }
        // An element's first run is its text (most elements have one): assigned, not appended (appending
        // to an empty string still went through the general append, 1.5 % of a backlog import, issue 17).
        let run = plain ? String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            : try decoded(start, end, attribute: false)
        if text.isEmpty { text = run } else { text += run }
    }

    /// `start..<end` with its references replaced and its line ends normalised to `\n`; in an attribute
    /// value, tabs and line ends become spaces (XML's attribute-value normalisation).
    mutating func decoded(_ start: Int, _ end: Int, attribute: Bool) throws(SpartooXML.ParseError) -> String {
        try checkCharacters(start, end)
        scratch.removeAll(keepingCapacity: true)
        var k = start
        while k < end {
            let b = bytes[k]
            if b == UInt8(ascii: "&") {
                k = try reference(at: k, into: &scratch)
            } else if b == 0x0D {
                scratch.append(attribute ? 0x20 : 0x0A)
                k += (k + 1 < end && bytes[k + 1] == 0x0A) ? 2 : 1
            } else {
                scratch.append(attribute && (b == 0x09 || b == 0x0A) ? 0x20 : b)
                k += 1
            }
        }
        return String(decoding: scratch, as: UTF8.self)
    }

    /// The reference at `k` (on its `&`), its character appended to `out`; returns the index after its `;`.
    func reference(at k: Int, into out: inout [UInt8]) throws(SpartooXML.ParseError) -> Int {
        var j = k + 1
        if j < bytes.count, bytes[j] == UInt8(ascii: "#") {
            j += 1
            let hex = j < bytes.count && bytes[j] == UInt8(ascii: "x")
            if hex { j += 1 }
            var value: UInt32 = 0
            let digits = j
            while j < bytes.count, bytes[j] != UInt8(ascii: ";") {
                let b = bytes[j]
                let digit: UInt32
                switch b {
                case 48...57: digit = UInt32(b - 48)
                case 97...102 where hex: digit = UInt32(b - 87)
                case 65...70 where hex: digit = UInt32(b - 55)
                default: throw error("invalid character reference", at: k)
                }
                value = min(value * (hex ? 16 : 10) + digit, 0x110000)
                j += 1
            }
            guard j > digits, j < bytes.count, let scalar = Unicode.Scalar(value), Self.isXMLCharacter(value) else {
                throw error("xmlParseCharRef: invalid xmlChar value \(value)", at: k)
            }
            out.append(contentsOf: String(Character(scalar)).utf8)
            return j + 1
        }
        let nameStart = j
        while j < bytes.count, j - nameStart < 8, bytes[j] != UInt8(ascii: ";") { j += 1 }
        guard j < bytes.count, bytes[j] == UInt8(ascii: ";") else { throw error("EntityRef: expecting ';'", at: k) }
        let entity = UnsafeBufferPointer(rebasing: bytes[nameStart..<j])
        switch String(decoding: entity, as: UTF8.self) {
        case "lt": out.append(UInt8(ascii: "<"))
        case "gt": out.append(UInt8(ascii: ">"))
        case "amp": out.append(UInt8(ascii: "&"))
        case "quot": out.append(UInt8(ascii: "\""))
        case "apos": out.append(UInt8(ascii: "'"))
        case let other: throw error("Entity '\(other)' not defined", at: k)
        }
        return j + 1
    }

    /// `<![CDATA[…]]>` at `i`: its text, as it is (libxml2 does not normalise line ends there), appended to `text`.
    mutating func cdata(into text: inout String) throws(SpartooXML.ParseError) {
        let start = i + 9
        guard let end = find("]]>".utf8, from: start) else { throw error("CData section not finished") }
        try checkCharacters(start, end)
        text += String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        i = end + 3
    }

    /// `<!--…-->` at `i`; `--` may only end it.
    mutating func comment() throws(SpartooXML.ParseError) {
        let start = i + 4
        guard let dashes = find("--".utf8, from: start) else { throw error("Comment not terminated") }
        guard dashes + 2 < bytes.count, bytes[dashes + 2] == UInt8(ascii: ">") else {
            i = dashes
            throw error("Double hyphen within comment")
        }
        try checkCharacters(start, dashes)
        i = dashes + 3
    }

    /// `<?target …?>` at `i`; the target `xml` is reserved for the declaration.
    mutating func processingInstruction() throws(SpartooXML.ParseError) {
        let targetStart = i + 2
        guard let targetEnd = nameEnd(from: targetStart) else { throw error("xmlParsePI : no target name") }
        let target = UnsafeBufferPointer(rebasing: bytes[targetStart..<targetEnd])
        if target.count == 3, target[0] | 0x20 == UInt8(ascii: "x"), target[1] | 0x20 == UInt8(ascii: "m"),
           target[2] | 0x20 == UInt8(ascii: "l") {
            throw error("XML declaration allowed only at the start of the document")
        }
        guard let end = find("?>".utf8, from: targetEnd) else { throw error("PI \(string(targetStart..<targetEnd)) never end") }
        guard end == targetEnd || isSpace(bytes[targetEnd]) else { throw error("ParsePI: PI \(string(targetStart..<targetEnd)) space expected") }
        try checkCharacters(targetEnd, end)
        i = end + 2
    }
}
