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
///
/// Here: the document and its elements. `SpartooXMLReader+Content.swift`: text, references, CDATA,
/// comments, processing instructions. `SpartooXMLReader+Bytes.swift`: names, characters, errors.
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

    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0
    /// Names already made into strings, by a hash of their bytes: a tag name is one shared string.
    var names: [UInt64: String] = [:]
    /// Scratch space for text that needs decoding (references, line ends).
    var scratch: [UInt8] = []

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
            // The byte after `<` tells the markup apart (start tags, most of them, without four compares).
            let next = i + 1 < bytes.count ? bytes[i + 1] : 0
            if next == UInt8(ascii: "/") {
                let open = stack.removeLast()
                try endTag(open.name)
                if stack.isEmpty { return open.element }
                stack[stack.count - 1].element.children.append(open.element)
            } else if next == UInt8(ascii: "!"), starts("<!--".utf8, at: i) {
                try comment()
            } else if next == UInt8(ascii: "!"), starts("<![CDATA[".utf8, at: i) {
                try cdata(into: &stack[stack.count - 1].element.text)
            } else if next == UInt8(ascii: "?") {
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
}
