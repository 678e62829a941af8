import Foundation
import OrderSync

/// One element of a parsed Spartoo reply: its name, attributes, text and child elements in document order.
/// A plain value; lookups by name ignore case, and every list is a list (0, 1 or n `<order>` alike).
struct SpartooXMLElement: Sendable, Hashable {
    var name: String
    var attributes: [String: String] = [:]
    /// Character data and CDATA directly inside this element, concatenated, untrimmed.
    var text: String = ""
    var children: [SpartooXMLElement] = []

    /// The first child named `name` (case-insensitive).
    func child(_ name: String) -> SpartooXMLElement? {
        children.first { Self.sameName($0.name, name) }
    }

    /// Every child named `name` (case-insensitive), in order.
    func children(named name: String) -> [SpartooXMLElement] {
        children.filter { Self.sameName($0.name, name) }
    }

    /// Names compared ignoring ASCII case, byte by byte: tag names are ASCII, and these lookups are on
    /// the poll's hot path (no `caseInsensitiveCompare`).
    static func sameName(_ a: String, _ b: String) -> Bool {
        // Lengths first (most names differ there), then the bytes from the strings' own buffers: `==` on
        // unequal strings and a zip of their UTF-8 views were 2 % of a Spartoo import's instructions.
        guard a.utf8.count == b.utf8.count else { return false }
        if a == b { return true }
        let folded = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y in sameFolded(x, y) }
        }
        if let folded, let result = folded { return result }
        return sameFolded(Array(a.utf8), Array(b.utf8))
    }

    /// Equal bytes, ASCII letters compared ignoring case.
    private static func sameFolded<C: RandomAccessCollection<UInt8>>(_ x: C, _ y: C) -> Bool where C.Index == Int {
        for k in 0..<x.count {
            let p = x[x.startIndex + k], q = y[y.startIndex + k]
            guard p != q else { continue }
            guard p | 0x20 == q | 0x20, (p | 0x20) >= UInt8(ascii: "a"), (p | 0x20) <= UInt8(ascii: "z") else { return false }
        }
        return true
    }

    /// Follows `a/b/c` through first children; nil when any step is missing.
    func path(_ path: String) -> SpartooXMLElement? {
        var current: SpartooXMLElement? = self
        for step in path.split(separator: "/") { current = current?.child(String(step)) }
        return current
    }

    /// The text, trimmed of surrounding whitespace.
    var value: String {
        // Most values have nothing to trim: skip Foundation's trimming for them.
        guard let first = text.utf8.first, let last = text.utf8.last else { return text }
        if Self.isPlain(first) && Self.isPlain(last) { return text }
        return text.trimmingWhitespaceAndNewlines()
    }

    /// A byte that is neither ASCII whitespace nor the start or end of a multi-byte character.
    private static func isPlain(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x80
    }

    /// The trimmed text of the first child named `name`; nil when absent or empty.
    func string(_ name: String) -> String? {
        guard let text = child(name)?.value, !text.isEmpty else { return nil }
        return text
    }

    /// The element serialized back to compact UTF-8 XML (kept as an order's raw payload).
    var xml: String {
        var out = "<" + name
        for (key, value) in attributes.sorted(by: { $0.key < $1.key }) {
            out += " \(key)=\"\(SpartooXML.escape(value, attribute: true))\""
        }
        let trimmed = value
        if children.isEmpty && trimmed.isEmpty { return out + "/>" }
        out += ">" + SpartooXML.escape(trimmed, attribute: false)
        for child in children { out += child.xml }
        return out + "</\(name)>"
    }
}

/// Parses Spartoo's XML replies (with ``SpartooXMLReader``), tolerantly: the declared encoding is
/// honoured (ISO-8859-1/-15 and Windows-1252 are converted to UTF-8 first), a byte-order mark is dropped,
/// HTML named entities (`&eacute;`) and bare `&` are repaired outside CDATA, characters XML forbids are
/// removed. What is still not well-formed (a truncated body) throws ``ParseError`` — never a crash.
enum SpartooXML {
    /// Why a reply could not be read as XML, with where the parser stopped.
    struct ParseError: Error, CustomStringConvertible, Equatable {
        let reason: String
        let line: Int
        let column: Int

        var description: String {
            line > 0 ? "reply is not well-formed XML (\(reason) at line \(line), column \(column))"
                : "reply is not well-formed XML (\(reason))"
        }
    }

    /// Parses a whole document and returns its root element.
    static func parse(_ data: Data) throws(ParseError) -> SpartooXMLElement {
        try parsePrepared(try prepare(data))
    }

    /// The document as UTF-8, repaired (see ``sanitize(_:)``); refused when empty or declaring entities.
    static func prepare(_ data: Data) throws(ParseError) -> Data {
        let prepared = sanitize(utf8Document(data))
        if prepared.isEmpty { throw ParseError(reason: "empty body", line: 0, column: 0) }
        if containsEntityDeclaration(prepared) {
            throw ParseError(reason: "entity declarations are not accepted", line: 0, column: 0)
        }
        return prepared
    }

    /// Parses a document already through ``prepare(_:)`` (with ``SpartooXMLReader``).
    static func parsePrepared(_ prepared: Data) throws(ParseError) -> SpartooXMLElement {
        if prepared.isEmpty { throw ParseError(reason: "empty body", line: 0, column: 0) }
        return try SpartooXMLReader.parse(prepared)
    }

    /// Escapes text for an element (`&`, `<`, `>`) or an attribute (also quotes).
    static func escape(_ text: String, attribute: Bool) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where attribute: out += "&quot;"
            case "'" where attribute: out += "&apos;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A CDATA section holding `text` exactly (a `]]>` inside is split across two sections).
    static func cdata(_ text: String) -> String {
        "<![CDATA[" + text.replacingOccurrences(of: "]]>", with: "]]]]><![CDATA[>") + "]]>"
    }

    private static func containsEntityDeclaration(_ data: Data) -> Bool {
        // memchr from `<` to `<` (Data.range(of:) was a quarter of an idle Spartoo poll).
        let marker = Array("<!ENTITY".utf8)
        return data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Bool in
            guard let base = raw.baseAddress else { return false }
            var offset = 0
            while offset < raw.count, let hit = memchr(base + offset, Int32(UInt8(ascii: "<")), raw.count - offset) {
                let at = base.distance(to: UnsafeRawPointer(hit))
                if at + marker.count <= raw.count, memcmp(base + at, marker, marker.count) == 0 { return true }
                offset = at + 1
            }
            return false
        }
    }
}
