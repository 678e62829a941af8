/// The config file as JSON: a view over ``JSONReader`` (the one JSON reader) that keeps what the config needs.
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

        init(_ error: JSONParseError, in bytes: [UInt8]) {
            let (line, column) = error.position(in: bytes)
            self.message = error.reason; self.line = line; self.column = column; self.offset = error.offset
        }
    }

    /// Reads the file with ``JSONReader`` (``JSONReadOptions/config``: strict, every member kept) and
    /// views the result as a ``Value``. Errors carry the line and column.
    public static func parse(_ bytes: [UInt8]) throws(ParseError) -> Value {
        do {
            return Value(try JSONReader.read(bytes, options: .config) { (reader: inout JSONReader) throws(JSONParseError) in
                // Nothing but whitespace (after a byte-order mark): named as such.
                if bytes[reader.start...].allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
                    throw JSONParseError(offset: bytes.count, reason: "the file is empty")
                }
                return try reader.document()
            })
        } catch {
            throw ParseError(error, in: bytes)
        }
    }
}

extension ConfigJSON.Value {
    /// The config view of a document read with every member kept.
    init(_ value: JSONValue) {
        switch value {
        case .object(let members):
            self = .object(ConfigJSON.Object(members: members.map { .init(key: $0.0, value: ConfigJSON.Value($0.1)) }))
        case .array(let items): self = .array(items.map(ConfigJSON.Value.init))
        case .string(let text): self = .string(text)
        case .number(let literal): self = .number(literal)
        case .bool(let flag): self = .bool(flag)
        case .null: self = .null
        }
    }
}
