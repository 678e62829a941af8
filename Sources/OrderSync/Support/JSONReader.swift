import Foundation

/// How ``JSONReader`` reads a document: the one JSON reader of channel payloads and the config file.
public struct JSONReadOptions: Sendable {
    /// Nesting deeper than this is an error (a hostile document cannot exhaust the stack).
    public var maxDepth: Int
    /// A number literal longer than this is an error.
    public var maxNumberLength: Int
    /// RFC 8259 to the letter: no leading zeros in numbers, no unpaired surrogate in a `\u` escape.
    /// Otherwise a leading zero is read as written and a lone high surrogate becomes U+FFFD.
    public var strict: Bool
    /// Keep every member of an object in document order, repeated keys included (so the reader of the
    /// value can report them). Otherwise a repeated key keeps only its last value, at its last place.
    public var keepRepeatedKeys: Bool

    public init(maxDepth: Int, maxNumberLength: Int, strict: Bool, keepRepeatedKeys: Bool) {
        self.maxDepth = maxDepth; self.maxNumberLength = maxNumberLength
        self.strict = strict; self.keepRepeatedKeys = keepRepeatedKeys
    }

    /// Channel payloads: lenient on leading zeros and lone surrogates, last value of a repeated key.
    public static func payload(maxDepth: Int = 64) -> JSONReadOptions {
        JSONReadOptions(maxDepth: maxDepth, maxNumberLength: 64, strict: false, keepRepeatedKeys: false)
    }

    /// The config file: strict, every member kept (``ConfigJSON`` reports duplicate keys).
    public static let config = JSONReadOptions(maxDepth: 200, maxNumberLength: .max, strict: true, keepRepeatedKeys: true)
}

/// Why a document is not JSON: the byte offset and the reason (``position(in:)`` gives line and column).
public struct JSONParseError: Error, CustomStringConvertible, Sendable, Equatable {
    public let offset: Int
    public let reason: String
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }

    /// The line and column (counted in characters, from 1) of `offset` in `bytes`.
    public func position(in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for byte in bytes[0..<min(offset, bytes.count)] {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }
}

/// The one JSON reader (RFC 8259, UTF-8, an optional byte-order mark): numbers stay their literal text,
/// object members keep their order, errors name the byte offset. See ``JSONReadOptions``.
///
/// It reads the caller's bytes in place (a page's `Data` is not copied into an array first: that copy was
/// a whole page per page), so a reader exists only inside ``read(_:options:_:)``. Use the reader given
/// there, never a copy of it: its two ``ScratchStack``s own memory that `read` frees when the body returns.
public struct JSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    let options: JSONReadOptions
    var i = 0
    /// The members of the objects being read, innermost last, and likewise the items of arrays: a finished
    /// object or array moves its own off the top into an array of exactly its size. Appending to a fresh
    /// array per object grew it 1, 2, 4, 8, 16 (a reallocation and copy each time): 2.6 % of a backlog
    /// import's CPU (issue 17). The stacks keep their capacity for the whole document; ``read(_:options:_:)``
    /// releases them.
    var memberStack = ScratchStack<(String, JSONValue)>()
    var itemStack = ScratchStack<JSONValue>()
    /// A listing's array, whose elements' byte ranges are recorded while it is read (see
    /// ``JSONValue/parseListing(_:elementsOf:)``): nil for none, empty for the document itself, else the
    /// key of the document's object that holds it.
    var listingKey: [UInt8]?
    var listingRanges: [Range<Int>]?
    var listingRepeated = false
    /// Set just before the listing's array is read; taken by that array.
    var recordNextArray = false

    private init(bytes: UnsafeBufferPointer<UInt8>, options: JSONReadOptions) {
        self.bytes = bytes
        self.options = options
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
    }

    /// Runs `body` with a reader over `bytes` (valid only inside it).
    public static func read<T>(_ bytes: some ContiguousBytes, options: JSONReadOptions,
                               _ body: (inout JSONReader) throws(JSONParseError) -> T) throws(JSONParseError) -> T {
        let result: Result<T, JSONParseError> = bytes.withUnsafeBytes { raw in
            var reader = JSONReader(bytes: raw.bindMemory(to: UInt8.self), options: options)
            defer {
                reader.memberStack.release()
                reader.itemStack.release()
            }
            do throws(JSONParseError) {
                return .success(try body(&reader))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Where the document starts (after a byte-order mark).
    public var start: Int { i }

    /// The whole document: one value, then only whitespace.
    public mutating func document() throws(JSONParseError) -> JSONValue {
        skipSpace()
        if listingKey?.isEmpty == true, i < bytes.count, bytes[i] == UInt8(ascii: "[") { recordNextArray = true }
        let value = try parseValue(depth: 0)
        skipSpace()
        guard i == bytes.count else { throw fail("unexpected \(current()) after the JSON value") }
        return value
    }

    func fail(_ reason: String) -> JSONParseError { JSONParseError(offset: i, reason: reason) }

    /// The byte at the reading position, as an error message names it.
    func current() -> String {
        guard i < bytes.count else { return "end of input" }
        let byte = bytes[i]
        if byte >= 0x21, byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x" + String(byte, radix: 16, uppercase: true)
    }

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        skipSpace()
        guard depth < options.maxDepth else { throw fail("nested deeper than \(options.maxDepth) levels") }
        guard i < bytes.count else { throw fail("unexpected end of input, expected a value") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["):
            i += 1
            let recording = recordNextArray
            recordNextArray = false
            var ranges: [Range<Int>] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
                i += 1
                if recording { listingRanges = ranges }
                return .array([])
            }
            let base = itemStack.count
            while true {
                skipSpace()
                let start = i
                let item = try parseValue(depth: depth + 1)
                if recording { ranges.append(start..<i) }
                itemStack.push(item)
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
                    i += 1
                    if recording { listingRanges = ranges }
                    return .array(itemStack.pop(from: base))
                }
                throw fail("unexpected \(current()), expected ',' or ']'")
            }
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw fail("unexpected \(current()), expected a value")
        }
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        i += 1
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object([]) }
        let base = memberStack.count
        var keys = KeyFilter(checking: !options.keepRepeatedKeys)  // nothing to look for when every member is kept
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
                throw fail("unexpected \(current()), expected a key in double quotes")
            }
            let keyStart = i
            let key = try parseString()
            let rawKey = UnsafeBufferPointer(rebasing: bytes[(keyStart + 1)..<(i - 1)])
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("unexpected \(current()), expected ':'") }
            i += 1
            if depth == 0, let listingKey, !listingKey.isEmpty, rawKey.elementsEqual(listingKey) {
                // The listing's key: its array's elements are recorded (a repeated key: none are).
                if listingRanges != nil { listingRepeated = true }
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "[") { recordNextArray = true }
            }
            let value = try parseValue(depth: depth + 1)
            keys.add(key, raw: rawKey, earlier: memberStack.top(from: base))
            memberStack.push((key, value))
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
                i += 1
                let members = memberStack.pop(from: base)
                guard keys.repeated else { return .object(members) }
                // A repeated key is dropped from its earlier place, in one pass.
                var lastIndex: [String: Int] = [:]
                for (index, member) in members.enumerated() { lastIndex[member.0] = index }
                return .object(members.enumerated().filter { lastIndex[$0.element.0] == $0.offset }.map(\.element))
            }
            throw fail("unexpected \(current()), expected ',' or '}'")
        }
    }

    mutating func literal(_ word: StaticString, _ value: JSONValue) throws(JSONParseError) -> JSONValue {
        let text = word.utf8Start
        for k in 0..<word.utf8CodeUnitCount {
            guard i < bytes.count, bytes[i] == text[k] else {
                throw fail("unexpected \(current()), expected \(word)")
            }
            i += 1
        }
        return value
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = i
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        func digits() -> Int {
            let s = i
            while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 { i += 1 }
            return i - s
        }
        let first = i
        let whole = digits()
        guard whole > 0 else { throw fail("expected a digit") }
        if options.strict, whole > 1, bytes[first] == UInt8(ascii: "0") {
            i = first + 1
            throw fail("leading zero in a number")
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { throw fail("expected a digit after '.'") }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { throw fail("expected a digit in the exponent") }
        }
        guard i - start <= options.maxNumberLength else { throw fail("number literal too long") }
        return .number(String(decoding: bytes[start..<i], as: UTF8.self))
    }

    mutating func hex4() throws(JSONParseError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard i < bytes.count else { throw fail("expected 4 hex digits after \\u") }
            let b = bytes[i]
            let d: UInt32
            switch b {
            case 48...57: d = UInt32(b - 48)
            case 65...70: d = UInt32(b - 55)
            case 97...102: d = UInt32(b - 87)
            default: throw fail("expected 4 hex digits after \\u")
            }
            v = v * 16 + d
            i += 1
        }
        return v
    }

    mutating func parseString() throws(JSONParseError) -> String {
        i += 1  // opening quote
        // Most strings have no escape: take them straight from the buffer. Anything else goes the general way.
        // Performance: one pass over the contiguous buffer; ASCII needs no validation, and other text is
        // validated from a buffer pointer (the generic `ArraySlice` path was 4 % of a backlog import).
        let start = i
        var end = start
        var high: UInt8 = 0
        // Eight bytes at a time while none ends or escapes the string (long values: addresses, names, URLs).
        let raw = UnsafeRawBufferPointer(bytes)
        var highs: UInt64 = 0
        while end + 8 <= bytes.count {
            let word = raw.loadUnaligned(fromByteOffset: end, as: UInt64.self)
            if ByteLanes.contains(word, UInt8(ascii: "\"")) || ByteLanes.contains(word, UInt8(ascii: "\\"))
                || ByteLanes.containsBelow(word, 0x20) { break }
            highs |= word
            end += 8
        }
        if highs & ByteLanes.highs != 0 { high = 0x80 }
        while end < bytes.count {
            let b = bytes[end]
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 { break }
            high |= b
            end += 1
        }
        let ascii = high < 0x80
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            i = end
            let span = UnsafeBufferPointer(rebasing: bytes[start..<end])
            let text: String? = ascii ? String(decoding: span, as: UTF8.self) : String(validating: span, as: UTF8.self)
            guard let s = text else { throw fail("invalid UTF-8 in a string") }
            i += 1
            return s
        }
        var out = [UInt8]()
        while true {
            guard i < bytes.count else { throw fail("unterminated string") }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { break }
            if b < 0x20 { throw fail("control character in a string (write it as an escape such as \\n)") }
            if b == UInt8(ascii: "\\") {
                i += 1
                guard i < bytes.count else { throw fail("unterminated string") }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"): out.append(contentsOf: String(Character(try unicodeEscape())).utf8)
                default:
                    i -= 1
                    throw fail("invalid escape \\\(current())")
                }
                continue
            }
            out.append(b)
            i += 1
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw fail("invalid UTF-8 in a string") }
        i += 1  // closing quote
        return s
    }

    /// The scalar of a `\u` escape (after the `u`), a surrogate pair read whole.
    mutating func unicodeEscape() throws(JSONParseError) -> Unicode.Scalar {
        let high = try hex4()
        if (0xD800..<0xDC00).contains(high) {
            guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                if options.strict { throw fail("unpaired surrogate in \\u escape") }
                return "\u{FFFD}"
            }
            i += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate in \\u escape") }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
        }
        if let scalar = Unicode.Scalar(high) { return scalar }
        if options.strict { throw fail("unpaired surrogate in \\u escape") }
        return "\u{FFFD}"
    }
}

/// Finds whether an object repeats a key without hashing every key: a 256-bit mask of a cheap hash of each
/// key's bytes (length, first and last byte) says when a key may repeat an earlier one, and only then are
/// the earlier keys compared. Order objects have 30 to 60 keys; a `Set<String>` of them (SipHash of every
/// key) was 2 to 3 % of a backlog import's instructions (issue 17). Once the comparisons are many (a large
/// or hostile object), a set takes over, so the work stays linear.
struct KeyFilter {
    private(set) var repeated = false
    private let checking: Bool
    private var mask: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    /// A key was written with an escape: its raw bytes are not its text, so every key is compared.
    private var escaped = false
    private var comparisons = 0
    private var set: Set<String>?

    init(checking: Bool) { self.checking = checking }

    /// Adds `key` (read from `raw`, its bytes between the quotes), given the object's earlier members.
    mutating func add(_ key: String, raw: UnsafeBufferPointer<UInt8>, earlier: UnsafeBufferPointer<(String, JSONValue)>) {
        guard checking, !repeated else { return }
        if set != nil {
            if !set!.insert(key).inserted { repeated = true }
            return
        }
        // An escape is always longer than the text it writes: equal lengths mean the raw bytes are the text.
        if raw.count != key.utf8.count { escaped = true }
        let hash = raw.count &* 31 &+ Int(raw.first ?? 0) &* 7 &+ Int(raw.last ?? 0)
        let bit: UInt64 = 1 << UInt64(hash & 63)
        let seen: Bool
        switch (hash >> 6) & 3 {
        case 0: seen = mask.0 & bit != 0; mask.0 |= bit
        case 1: seen = mask.1 & bit != 0; mask.1 |= bit
        case 2: seen = mask.2 & bit != 0; mask.2 |= bit
        default: seen = mask.3 & bit != 0; mask.3 |= bit
        }
        guard seen || escaped else { return }
        comparisons += 1
        if comparisons > 16 {
            set = Set(earlier.lazy.map(\.0))
            if !set!.insert(key).inserted { repeated = true }
            return
        }
        let length = key.utf8.count
        if earlier.contains(where: { $0.0.utf8.count == length && $0.0 == key }) { repeated = true }
    }
}
