import Foundation

/// Reads a prepared (UTF-8, repaired) Spartoo document into a ``SpartooXMLElement`` tree, straight from its
/// bytes. It replaced FoundationXML's `XMLParser`, which cost the daemon libxml2 and the system ICU in
/// memory (about 1.9 MB resident) and a `String` and a dictionary per callback in CPU.
///
/// A non-validating XML 1.0 reader, as strict as libxml2 was for what a reply can hold, so that a reply
/// the old parser refused is still refused (a differential fuzz test holds the two side by side):
/// - one root element; only white space, comments and processing instructions around it; an optional
///   XML declaration first and a document type declaration (skipped, internal subset and all) before it;
/// - tags that close in order, attributes quoted and not repeated, no `<` in an attribute value;
/// - references: the five predefined entities and numeric character references to characters XML allows;
///   any other named entity is an error (``SpartooXML/sanitize(_:)`` has repaired HTML's before);
/// - only characters XML 1.0 allows, in valid UTF-8; no `]]>` in text; no `--` inside a comment;
/// - line ends normalised to `\n` outside CDATA, and white space in attribute values to spaces;
/// - CDATA sections kept byte for byte, as libxml2 kept them.
///
/// Stricter than FoundationXML was, on purpose (a reply like these is not Spartoo's):
/// - a broken XML declaration is refused (libxml2 recovered from some and took the next element for the root);
/// - at most ``maximumDepth`` nested elements (FoundationXML had none: it took 20,000 levels), so
///   that no walk over the tree recurses deeper than that.
///
/// Errors name the reason, the line and the column (in bytes).
struct SpartooXMLReader {
    /// libxml2's own default limit (FoundationXML lifted it); Spartoo's replies nest 5 deep.
    static let maximumDepth = 256

    static func parse(_ data: Data) throws(SpartooXML.ParseError) -> SpartooXMLElement {
        let result: Result<SpartooXMLElement, SpartooXML.ParseError> = data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var reader = SpartooXMLReader(bytes)
            do throws(SpartooXML.ParseError) {
                return .success(try reader.document())
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0
    /// Names already made into strings, by a hash of their bytes: a tag name is one shared string.
    private var names: [UInt64: String] = [:]
    /// Scratch space for text that needs decoding (references, line ends).
    private var scratch: [UInt8] = []

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    // MARK: document

    private mutating func document() throws(SpartooXML.ParseError) -> SpartooXMLElement {
        if starts("\u{FEFF}".utf8, at: 0) { i = 3 }
        if starts("<?xml".utf8, at: i), i + 5 < bytes.count, isSpace(bytes[i + 5]) {
            try declaration()
        }
        var sawDoctype = false
        while true {
            skipSpace()
            guard i < bytes.count else { throw error("Document is empty or has no root element") }
            guard bytes[i] == UInt8(ascii: "<") else { throw error("Start tag expected, '<' not found") }
            if starts("<!--".utf8, at: i) {
                try comment()
            } else if starts("<?".utf8, at: i) {
                try processingInstruction()
            } else if starts("<!DOCTYPE".utf8, at: i) {
                guard !sawDoctype else { throw error("a second document type declaration") }
                sawDoctype = true
                try doctype()
            } else {
                break
            }
        }
        let root = try element()
        while true {
            skipSpace()
            guard i < bytes.count else { return root }
            if starts("<!--".utf8, at: i) {
                try comment()
            } else if starts("<?".utf8, at: i) {
                try processingInstruction()
            } else {
                throw error("Extra content at the end of the document")
            }
        }
    }

    /// `<?xml version="1.x" encoding="…" standalone="yes|no"?>`, by XML 1.0's grammar (the version's digits
    /// after `1.` may be none, as libxml2 allows; the encoding was
    /// read before, by ``SpartooXML/utf8Document(_:)``). libxml2 recovered from some broken declarations
    /// and then took whatever element came next for the root; a broken declaration is refused here.
    private mutating func declaration() throws(SpartooXML.ParseError) {
        i += 5
        func malformed() -> SpartooXML.ParseError { error("Malformed XML declaration") }
        /// ` name = "value"` (space required before), the value's range; nil when `name` is not next.
        func pseudoAttribute(_ name: String) throws(SpartooXML.ParseError) -> Range<Int>? {
            let start = i
            guard skipSpace(), starts(name.utf8, at: i) else { i = start; return nil }
            i += name.utf8.count
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else { throw malformed() }
            i += 1
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") else { throw malformed() }
            let quote = bytes[i]
            let valueStart = i + 1
            var j = valueStart
            while j < bytes.count, bytes[j] != quote, bytes[j] != UInt8(ascii: "<") { j += 1 }
            guard j < bytes.count, bytes[j] == quote else { throw malformed() }
            i = j + 1
            return valueStart..<j
        }
        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        func isLetter(_ b: UInt8) -> Bool { b | 0x20 >= UInt8(ascii: "a") && b | 0x20 <= UInt8(ascii: "z") }
        guard let version = try pseudoAttribute("version"), version.count >= 2, bytes[version.lowerBound] == UInt8(ascii: "1"),
              bytes[version.lowerBound + 1] == UInt8(ascii: "."), bytes[(version.lowerBound + 2)..<version.upperBound].allSatisfy(isDigit) else {
            throw malformed()
        }
        if let encoding = try pseudoAttribute("encoding") {
            guard let first = encoding.first, isLetter(bytes[first]),
                  bytes[encoding].allSatisfy({ isLetter($0) || isDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }) else {
                throw malformed()
            }
        }
        if let standalone = try pseudoAttribute("standalone") {
            let value = string(standalone)
            guard value == "yes" || value == "no" else { throw malformed() }
        }
        skipSpace()
        guard starts("?>".utf8, at: i) else { throw malformed() }
        i += 2
    }

    private mutating func doctype() throws(SpartooXML.ParseError) {
        i += 9
        guard i < bytes.count, isSpace(bytes[i]) else { throw error("Space required after '<!DOCTYPE'") }
        var quote: UInt8?
        var subset = false
        while i < bytes.count {
            let b = bytes[i]
            if let q = quote {
                if b == q { quote = nil }
            } else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                quote = b
            } else if b == UInt8(ascii: "[") {
                subset = true
            } else if b == UInt8(ascii: "]") {
                subset = false
            } else if b == UInt8(ascii: ">"), !subset {
                i += 1
                return
            }
            i += 1
        }
        throw error("DOCTYPE not finished")
    }

    // MARK: elements

    private struct Open {
        var element: SpartooXMLElement
        var name: Range<Int>
    }

    /// The element starting at `i`, with everything inside it (no recursion: a stack of open elements).
    private mutating func element() throws(SpartooXML.ParseError) -> SpartooXMLElement {
        var stack: [Open] = []
        guard let first = try startTag() else { throw error("Start tag expected") }
        if first.empty { return first.open.element }
        stack.append(first.open)
        while true {
            let runStart = i
            // Text up to the next `<`.
            let end: Int
            if let hit = memchr(bytes.baseAddress! + i, Int32(UInt8(ascii: "<")), bytes.count - i) {
                end = UnsafePointer(bytes.baseAddress!).distance(to: hit.assumingMemoryBound(to: UInt8.self))
            } else {
                end = bytes.count
            }
            if end > runStart { try text(runStart, end, into: &stack[stack.count - 1].element.text) }
            i = end
            guard i < bytes.count else {
                throw error("Premature end of data in tag \(string(stack[stack.count - 1].name))")
            }
            if starts("</".utf8, at: i) {
                let open = stack.removeLast()
                try endTag(open.name)
                if stack.isEmpty { return open.element }
                stack[stack.count - 1].element.children.append(open.element)
            } else if starts("<!--".utf8, at: i) {
                try comment()
            } else if starts("<![CDATA[".utf8, at: i) {
                try cdata(into: &stack[stack.count - 1].element.text)
            } else if starts("<?".utf8, at: i) {
                try processingInstruction()
            } else if let tag = try startTag() {
                if tag.empty {
                    stack[stack.count - 1].element.children.append(tag.open.element)
                } else {
                    guard stack.count < Self.maximumDepth else { throw error("Excessive depth in document: \(Self.maximumDepth)") }
                    stack.append(tag.open)
                }
            } else {
                throw error("StartTag: invalid element name")
            }
        }
    }

    /// A start tag at `i` (`<name attr="v" …>` or `/>`); nil when no name follows the `<`.
    private mutating func startTag() throws(SpartooXML.ParseError) -> (open: Open, empty: Bool)? {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "<") else { return nil }
        let nameStart = i + 1
        guard let nameEnd = nameEnd(from: nameStart) else { return nil }
        i = nameEnd
        var element = SpartooXMLElement(name: name(nameStart, nameEnd))
        while true {
            let spaced = skipSpace()
            guard i < bytes.count else { throw error("Couldn't find end of Start Tag \(element.name)") }
            if bytes[i] == UInt8(ascii: ">") {
                i += 1
                return (Open(element: element, name: nameStart..<nameEnd), false)
            }
            if bytes[i] == UInt8(ascii: "/") {
                guard i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: ">") else {
                    throw error("Couldn't find end of Start Tag \(element.name)")
                }
                i += 2
                return (Open(element: element, name: nameStart..<nameEnd), true)
            }
            guard spaced else { throw error("attributes construct error") }
            let attributeStart = i
            guard let attributeEnd = self.nameEnd(from: i) else { throw error("attributes construct error") }
            let key = name(attributeStart, attributeEnd)
            i = attributeEnd
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else {
                throw error("Specification mandates value for attribute \(key)")
            }
            i += 1
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") else {
                throw error("AttValue: \" or ' expected")
            }
            let value = try attributeValue(quote: bytes[i])
            guard element.attributes.updateValue(value, forKey: key) == nil else {
                i = attributeStart
                throw error("Attribute \(key) redefined")
            }
        }
    }

    /// `</name>` at `i`, which must close `open`.
    private mutating func endTag(_ open: Range<Int>) throws(SpartooXML.ParseError) {
        let nameStart = i + 2
        guard let nameEnd = nameEnd(from: nameStart), nameEnd - nameStart == open.count,
              memcmp(bytes.baseAddress! + nameStart, bytes.baseAddress! + open.lowerBound, open.count) == 0 else {
            throw error("Opening and ending tag mismatch: \(string(open))")
        }
        i = nameEnd
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: ">") else { throw error("expected '>'") }
        i += 1
    }

    /// The quoted value at `i` (on its quote), decoded and normalised; `i` ends after the closing quote.
    private mutating func attributeValue(quote: UInt8) throws(SpartooXML.ParseError) -> String {
        let start = i + 1
        guard let hit = memchr(bytes.baseAddress! + start, Int32(quote), bytes.count - start) else {
            throw error("AttValue: ' expected")
        }
        let end = UnsafePointer(bytes.baseAddress!).distance(to: hit.assumingMemoryBound(to: UInt8.self))
        var plain = true
        for k in start..<end {
            let b = bytes[k]
            if b == UInt8(ascii: "<") { throw error("Unescaped '<' not allowed in attributes values", at: k) }
            if b == UInt8(ascii: "&") || b < 0x20 || b >= 0x80 { plain = false }
        }
        i = end + 1
        if plain { return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self) }
        return try decoded(start, end, attribute: true)
    }

    /// `start..<end` with its references replaced and its line ends normalised to `\n`; in an attribute
    /// value, tabs and line ends become spaces (XML's attribute-value normalisation).
    private mutating func decoded(_ start: Int, _ end: Int, attribute: Bool) throws(SpartooXML.ParseError) -> String {
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

    // MARK: content

    /// Character data `start..<end` (no `<` in it), appended to `text`.
    private mutating func text(_ start: Int, _ end: Int, into text: inout String) throws(SpartooXML.ParseError) {
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
        if plain {
            text += String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            return
        }
        text += try decoded(start, end, attribute: false)
    }

    /// The reference at `k` (on its `&`), its character appended to `out`; returns the index after its `;`.
    private func reference(at k: Int, into out: inout [UInt8]) throws(SpartooXML.ParseError) -> Int {
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
    private mutating func cdata(into text: inout String) throws(SpartooXML.ParseError) {
        let start = i + 9
        guard let end = find("]]>".utf8, from: start) else { throw error("CData section not finished") }
        try checkCharacters(start, end)
        text += String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        i = end + 3
    }

    /// `<!--…-->` at `i`; `--` may only end it.
    private mutating func comment() throws(SpartooXML.ParseError) {
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
    private mutating func processingInstruction() throws(SpartooXML.ParseError) {
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

    // MARK: bytes

    /// Where the XML name starting at `start` ends; nil when none starts there. ASCII by table; other
    /// characters by XML 1.0 (fifth edition)'s `NameStartChar` and `NameChar`, as libxml2 reads them.
    private func nameEnd(from start: Int) -> Int? {
        var j = start
        while j < bytes.count {
            let b = bytes[j]
            if b < 0x80 {
                let ok = j == start ? Self.startsName(b) : Self.continuesName(b)
                guard ok else { break }
                j += 1
            } else {
                guard let (value, length) = scalar(at: j), Self.isNameCharacter(value, first: j == start) else { break }
                j += length
            }
        }
        return j > start ? j : nil
    }

    private static func startsName(_ b: UInt8) -> Bool {
        (b | 0x20 >= UInt8(ascii: "a") && b | 0x20 <= UInt8(ascii: "z")) || b == UInt8(ascii: "_") || b == UInt8(ascii: ":")
    }

    private static func continuesName(_ b: UInt8) -> Bool {
        startsName(b) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
    }

    /// A non-ASCII character of a name.
    private static func isNameCharacter(_ v: UInt32, first: Bool) -> Bool {
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
    private func scalar(at k: Int) -> (UInt32, Int)? {
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
    private mutating func name(_ start: Int, _ end: Int) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for k in start..<end { hash = (hash ^ UInt64(bytes[k])) &* 0x100_0000_01b3 }
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<end])
        if let known = names[hash], known.utf8.elementsEqual(raw) { return known }
        let made = String(decoding: raw, as: UTF8.self)
        names[hash] = made
        return made
    }

    private func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    private func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D }

    /// Skips white space; whether there was any.
    @discardableResult
    private mutating func skipSpace() -> Bool {
        let start = i
        while i < bytes.count, isSpace(bytes[i]) { i += 1 }
        return i > start
    }

    private func starts(_ marker: String.UTF8View, at index: Int) -> Bool {
        guard index + marker.count <= bytes.count else { return false }
        var k = index
        for b in marker {
            if bytes[k] != b { return false }
            k += 1
        }
        return true
    }

    private func find(_ marker: String.UTF8View, from start: Int) -> Int? {
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
    private func checkCharacters(_ start: Int, _ end: Int) throws(SpartooXML.ParseError) {
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
    private func error(_ reason: String, at position: Int? = nil) -> SpartooXML.ParseError {
        let at = min(position ?? i, bytes.count)
        var line = 1, lineStart = 0
        for k in 0..<at where bytes[k] == 0x0A {
            line += 1
            lineStart = k + 1
        }
        return SpartooXML.ParseError(reason: reason, line: line, column: at - lineStart + 1)
    }
}
