import Foundation

/// A parsed JSON document that keeps numbers as their literal text, so a price like `299.90` is never
/// routed through a binary floating-point value. Objects keep key order; duplicate keys are kept as the
/// last value (``JSONReadOptions/payload(maxDepth:)``) or all kept in order (``JSONReadOptions/config``).
/// Used for every channel payload and, through ``ConfigJSON``, the config file.
///
/// Not `indirect`: arrays already hold the recursion, and an indirect case boxed every string, number,
/// array and object in a heap allocation of its own (about 150 per order). Without the boxes the 10k
/// backlog took 5 % less daemon CPU (ordersync-bench, A/B in one session, issue 17).
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.number(a), .number(b)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.object(a), .object(b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// Consistent with `==`: kind, then contents, object members in order.
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(1); hasher.combine(b)
        case .number(let n): hasher.combine(2); hasher.combine(n)
        case .string(let s): hasher.combine(3); hasher.combine(s)
        case .array(let a):
            hasher.combine(4); hasher.combine(a.count)
            for element in a { element.hash(into: &hasher) }
        case .object(let members):
            hasher.combine(5); hasher.combine(members.count)
            for (key, value) in members { hasher.combine(key); value.hash(into: &hasher) }
        }
    }

    /// Member of an object (last one wins); nil for other kinds or a missing key.
    public subscript(_ key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        // Lengths first: most keys differ there, and `==` on two unequal strings is a call into the runtime.
        let length = key.utf8.count
        return members.last(where: { $0.0.utf8.count == length && $0.0 == key })?.1
    }

    public var array: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// A string, or a number's literal text (channels mix the two for ids and amounts).
    public var text: String? {
        switch self {
        case .string(let s): s
        case .number(let n): n
        default: nil
        }
    }

    /// An integer from a number or a numeric string.
    public var int: Int? {
        switch self {
        case .number(let n): Int(n)
        case .string(let s): Int(s.trimmingWhitespace())
        default: nil
        }
    }

    public var bool: Bool? {
        switch self {
        case .bool(let b): b
        case .number(let n): n == "1" ? true : n == "0" ? false : nil
        case .string(let s): ["true", "1"].contains(s.lowercased()) ? true : ["false", "0"].contains(s.lowercased()) ? false : nil
        default: nil
        }
    }

    /// Serializes back to compact JSON (numbers as their literal text).
    public var serialized: String { String(decoding: bytes, as: UTF8.self) }

    public var data: Data { Data(bytes) }

    // Every order of every page is serialized for its raw payload: one byte buffer, no temporary
    // string per member or key.
    private var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        write(into: &out)
        return out
    }

    private func write(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n): out.append(contentsOf: n.utf8)
        case .string(let s): JSONValue.quote(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.quote(member.0, into: &out)
                out.append(UInt8(ascii: ":"))
                member.1.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// The bytes of `JSONLinesLogHandler.quote(s)`: `"` and `\` escaped, `\n` `\r` `\t`, other controls as
    /// `\u00xx` (lower-case hex), everything else as is. Byte-wise is equivalent to scalar-wise here: the
    /// escaped characters are all ASCII, and bytes of multi-byte scalars are never below 0x80.
    /// `namedBackspaceAndFormFeed` writes `\b` and `\f` as `JSONEncoder` does (see ``OrderJSONWriter``).
    static func quote<Output: JSONByteOutput>(_ s: String, into out: inout Output, namedBackspaceAndFormFeed: Bool = false) {
        out.append(0x22)
        // Nearly every string needs no escape: copy it whole, checked and copied from its own buffer (native
        // and small strings have one) rather than through `String.UTF8View`'s index (issue 17).
        let copied = s.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            for byte in bytes where byte < 0x20 || byte == 0x22 || byte == 0x5C { return false }
            out.append(bytes: bytes)
            return true
        }
        if copied == true {
            out.append(0x22)
            return
        }
        if copied == nil, !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            for byte in s.utf8 { out.append(byte) }
            out.append(0x22)
            return
        }
        for byte in s.utf8 {
            switch byte {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
            case 0x08 where namedBackspaceAndFormFeed: out.append(0x5C); out.append(UInt8(ascii: "b"))
            case 0x0C where namedBackspaceAndFormFeed: out.append(0x5C); out.append(UInt8(ascii: "f"))
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                for escape in "\\u00".utf8 { out.append(escape) }
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(0x22)
    }
}

extension JSONValue {
    /// Parses a complete channel payload (UTF-8, optional BOM) with ``JSONReader``. Nesting is limited to
    /// `maxDepth` levels so a hostile payload cannot exhaust the stack. Throws ``JSONParseError``.
    public static func parse(_ data: Data, maxDepth: Int = 64) throws -> JSONValue {
        try parse(data, options: .payload(maxDepth: maxDepth))
    }

    /// ``parse(_:maxDepth:)`` that also gives where each element of a listing lies in `data`: the document's
    /// own array (`key` nil) or the array under `key` in the document's object. The ranges are recorded while
    /// the page is read, so an order's raw payload is a slice of the reply without a second pass over it
    /// (``JSONSkim`` skimmed every page again: 2 % of a backlog import's instructions, issue 17). Nil when
    /// the listing is not there, is not an array, or its key is repeated or written with an escape.
    public static func parseListing(_ data: Data, elementsOf key: String?) throws -> (JSONValue, [Range<Int>]?) {
        try JSONReader.read(data, options: .payload()) { (reader: inout JSONReader) throws(JSONParseError) in
            reader.listingKey = key.map { Array($0.utf8) } ?? []
            let value = try reader.document()
            return (value, reader.listingRepeated ? nil : reader.listingRanges)
        }
    }

    /// Parses a complete document as `options` say. Throws ``JSONParseError``.
    public static func parse(_ bytes: some ContiguousBytes, options: JSONReadOptions) throws(JSONParseError) -> JSONValue {
        try JSONReader.read(bytes, options: options) { (reader: inout JSONReader) throws(JSONParseError) in try reader.document() }
    }
}
