/// A small JSON reader for the config file.
///
/// Foundation's decoders stop at the first error, forget key order and duplicate keys, and on Linux blur
/// booleans and numbers. The config needs all four: every problem with its path, deterministic carrier
/// order, `duplicate key` errors, and `expected integer, got boolean`. RFC 8259, no extensions.
public enum ConfigJSON {
    public indirect enum Value: Equatable, Sendable {
        case object(Object)
        case array([Value])
        case string(String)
        /// The literal as written (`300`, `2.5`, `1e3`): integers are checked where they are read.
        case number(String)
        case bool(Bool)
        case null

        /// The JSON type name used in "expected integer, got string".
        public var typeName: String {
            switch self {
            case .object: "object"
            case .array: "array"
            case .string: "string"
            case .number(let literal): Int(literal) != nil ? "integer" : "number"
            case .bool: "boolean"
            case .null: "null"
            }
        }
    }

    /// An object's members in file order; duplicates are kept so the decoder can report them.
    public struct Object: Equatable, Sendable {
        public struct Member: Equatable, Sendable {
            public var key: String
            public var value: Value
        }

        public var members: [Member] = []

        /// The first value for `key`, if any.
        public subscript(key: String) -> Value? { members.first { $0.key == key }?.value }
    }

    public struct ParseError: Error, Equatable {
        public var message: String
        var line: Int
        var column: Int
        var offset: Int

        var description: String { "invalid JSON at line \(line), column \(column): \(message)" }
    }

    public static func parse(_ bytes: [UInt8]) throws(ParseError) -> Value {
        var parser = Parser(bytes: bytes)
        return try parser.parseDocument()
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0
        static let maximumDepth = 200

        init(bytes: [UInt8]) {
            self.bytes = bytes
            // A UTF-8 byte-order mark is tolerated (Windows editors write one).
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        }

        mutating func parseDocument() throws(ParseError) -> Value {
            skipWhitespace()
            if index == bytes.count { throw error("the file is empty") }
            let value = try parseValue(depth: 0)
            skipWhitespace()
            if index < bytes.count { throw error("unexpected \(describeCurrent()) after the JSON value") }
            return value
        }

        mutating func parseValue(depth: Int) throws(ParseError) -> Value {
            guard depth < Self.maximumDepth else { throw error("nested deeper than \(Self.maximumDepth) levels") }
            guard index < bytes.count else { throw error("unexpected end of input, expected a value") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try parseObject(depth: depth)
            case UInt8(ascii: "["): return try parseArray(depth: depth)
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
            case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
            case UInt8(ascii: "n"): try expectLiteral("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
            default: throw error("unexpected \(describeCurrent()), expected a value")
            }
        }

        mutating func parseObject(depth: Int) throws(ParseError) -> Value {
            index += 1
            var object = Object()
            skipWhitespace()
            if consume(UInt8(ascii: "}")) { return .object(object) }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                    throw error("unexpected \(describeCurrent()), expected a key in double quotes")
                }
                let key = try parseString()
                skipWhitespace()
                guard consume(UInt8(ascii: ":")) else { throw error("unexpected \(describeCurrent()), expected ':'") }
                skipWhitespace()
                let value = try parseValue(depth: depth + 1)
                object.members.append(.init(key: key, value: value))
                skipWhitespace()
                if consume(UInt8(ascii: ",")) { continue }
                if consume(UInt8(ascii: "}")) { return .object(object) }
                throw error("unexpected \(describeCurrent()), expected ',' or '}'")
            }
        }

        mutating func parseArray(depth: Int) throws(ParseError) -> Value {
            index += 1
            var items: [Value] = []
            skipWhitespace()
            if consume(UInt8(ascii: "]")) { return .array(items) }
            while true {
                skipWhitespace()
                items.append(try parseValue(depth: depth + 1))
                skipWhitespace()
                if consume(UInt8(ascii: ",")) { continue }
                if consume(UInt8(ascii: "]")) { return .array(items) }
                throw error("unexpected \(describeCurrent()), expected ',' or ']'")
            }
        }

        mutating func parseString() throws(ParseError) -> String {
            index += 1  // opening quote
            var scalars = String.UnicodeScalarView()
            var run: [UInt8] = []  // raw UTF-8 between escapes, validated in one go
            func flush(_ parser: Parser) throws(ParseError) {
                guard !run.isEmpty else { return }
                guard let text = String(validating: run, as: UTF8.self) else {
                    throw parser.error("invalid UTF-8 in a string")
                }
                scalars.append(contentsOf: text.unicodeScalars)
                run.removeAll(keepingCapacity: true)
            }
            while true {
                guard index < bytes.count else { throw error("unterminated string") }
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    try flush(self)
                    index += 1
                    return String(scalars)
                case UInt8(ascii: "\\"):
                    try flush(self)
                    index += 1
                    scalars.append(try parseEscape())
                case 0..<0x20:
                    throw error("control character in a string (write it as an escape such as \\n)")
                default:
                    run.append(byte)
                    index += 1
                }
            }
        }

        mutating func parseEscape() throws(ParseError) -> Unicode.Scalar {
            guard index < bytes.count else { throw error("unterminated string") }
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return "\""
            case UInt8(ascii: "\\"): return "\\"
            case UInt8(ascii: "/"): return "/"
            case UInt8(ascii: "b"): return "\u{08}"
            case UInt8(ascii: "f"): return "\u{0C}"
            case UInt8(ascii: "n"): return "\n"
            case UInt8(ascii: "r"): return "\r"
            case UInt8(ascii: "t"): return "\t"
            case UInt8(ascii: "u"):
                let high = try parseHex4()
                if (0xD800..<0xDC00).contains(high) {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                        bytes[index + 1] == UInt8(ascii: "u")
                    else { throw error("unpaired surrogate in \\u escape") }
                    index += 2
                    let low = try parseHex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate in \\u escape") }
                    return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
                }
                guard let scalar = Unicode.Scalar(high) else { throw error("unpaired surrogate in \\u escape") }
                return scalar
            default:
                index -= 1
                throw error("invalid escape \\\(describeCurrent())")
            }
        }

        mutating func parseHex4() throws(ParseError) -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard index < bytes.count, let digit = Self.hexValue(bytes[index]) else {
                    throw error("expected 4 hex digits after \\u")
                }
                value = value * 16 + UInt32(digit)
                index += 1
            }
            return value
        }

        static func hexValue(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }

        mutating func parseNumber() throws(ParseError) -> String {
            let start = index
            _ = consume(UInt8(ascii: "-"))
            if consume(UInt8(ascii: "0")) {
                // JSON forbids leading zeros.
                if index < bytes.count, isDigit(bytes[index]) { throw error("leading zero in a number") }
            } else if !consumeDigits() {
                throw error("expected a digit")
            }
            if consume(UInt8(ascii: ".")), !consumeDigits() { throw error("expected a digit after '.'") }
            if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
                _ = consume(UInt8(ascii: "+")) || consume(UInt8(ascii: "-"))
                if !consumeDigits() { throw error("expected a digit in the exponent") }
            }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        mutating func consumeDigits() -> Bool {
            let start = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            return index > start
        }

        func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

        mutating func expectLiteral(_ literal: String) throws(ParseError) {
            for expected in literal.utf8 {
                guard index < bytes.count, bytes[index] == expected else {
                    throw error("unexpected \(describeCurrent()), expected \(literal)")
                }
                index += 1
            }
        }

        mutating func consume(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func skipWhitespace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        func describeCurrent() -> String {
            guard index < bytes.count else { return "end of input" }
            let byte = bytes[index]
            if byte >= 0x21, byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
            return "byte 0x" + String(byte, radix: 16, uppercase: true)
        }

        /// An error at the current position; columns count characters, not bytes.
        func error(_ message: String) -> ParseError {
            var line = 1, column = 1
            for byte in bytes[0..<min(index, bytes.count)] {
                if byte == 0x0A {
                    line += 1
                    column = 1
                } else if byte & 0xC0 != 0x80 {
                    column += 1
                }
            }
            return ParseError(message: message, line: line, column: column, offset: index)
        }
    }
}
