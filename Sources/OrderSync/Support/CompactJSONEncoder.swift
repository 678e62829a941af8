import Foundation

/// A small `Encoder` that writes the same bytes as Foundation's `JSONEncoder` with
/// `[.sortedKeys, .withoutEscapingSlashes]` for the values orders are made of: strings, integers, booleans,
/// nulls, arrays, keyed objects (nested through `Encodable`), without `JSONEncoder`'s intermediate tree
/// and generic containers: storing orders is on the import's hot path. A value of another kind (a `Date`,
/// a `Double`, `Data`…) makes `encode` return nil so the caller uses `JSONEncoder` instead: the bytes
/// never differ, which matters because the stored JSON's hash decides whether an order changed.
enum CompactJSONEncoder {
    static func encode(_ value: some Encodable) -> Data? {
        let root = Node()
        let encoder = NodeEncoder(node: root)
        do { try encoder.encodeValue(value, into: root) } catch { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(2048)
        guard write(root, into: &out) else { return nil }
        return Data(out)
    }

    final class Node {
        enum Kind { case unset, null, bool(Bool), number(String), string(String), array, object }
        var kind: Kind = .unset
        var elements: [Node] = []
        var members: [String: Node] = [:]
    }

    struct Unsupported: Error {}

    private static func write(_ node: Node, into out: inout [UInt8]) -> Bool {
        switch node.kind {
        case .unset: return false
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n): out.append(contentsOf: n.utf8)
        case .string(let s): quote(s, into: &out)
        case .array:
            out.append(UInt8(ascii: "["))
            for (index, element) in node.elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                guard write(element, into: &out) else { return false }
            }
            out.append(UInt8(ascii: "]"))
        case .object:
            out.append(UInt8(ascii: "{"))
            for (index, key) in node.members.keys.sorted(by: precedes).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                quote(key, into: &out)
                out.append(UInt8(ascii: ":"))
                guard write(node.members[key]!, into: &out) else { return false }
            }
            out.append(UInt8(ascii: "}"))
        }
        return true
    }

    /// `JSONEncoder`'s key order with `.sortedKeys`: Swift's `String` order (for these keys, byte order:
    /// `"Zeta"` before `"alpha"`, `"line10"` before `"line2"`).
    static func precedes(_ a: String, _ b: String) -> Bool { a < b }

    /// `JSONEncoder`'s string escaping with `.withoutEscapingSlashes`.
    private static func quote(_ s: String, into out: inout [UInt8]) {
        JSONValue.quote(s, into: &out, namedBackspaceAndFormFeed: true)
    }
}

/// The `Encoder` behind ``CompactJSONEncoder``: containers write into reference nodes.
private struct NodeEncoder: Encoder {
    let node: CompactJSONEncoder.Node
    var codingPath: [CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func encodeValue(_ value: some Encodable, into node: CompactJSONEncoder.Node) throws {
        switch value {
        case let s as String: node.kind = .string(s)
        case let b as Bool: node.kind = .bool(b)
        case let i as Int: node.kind = .number(String(i))
        case let i as Int64: node.kind = .number(String(i))
        case let i as Int32: node.kind = .number(String(i))
        case is Date, is Data, is URL, is Decimal, is Double, is Float:
            throw CompactJSONEncoder.Unsupported()  // JSONEncoder has its own strategies for these
        default:
            try value.encode(to: NodeEncoder(node: node))
            if case .unset = node.kind { node.kind = .object }  // JSONEncoder writes `{}` for nothing encoded
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.kind {} else { node.kind = .object }
        return KeyedEncodingContainer(Keyed<Key>(encoder: self))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        if case .array = node.kind {} else { node.kind = .array }
        return Unkeyed(encoder: self)
    }

    func singleValueContainer() -> SingleValueEncodingContainer { Single(encoder: self) }

    private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let encoder: NodeEncoder
        var codingPath: [CodingKey] { [] }

        func child(_ key: Key) -> CompactJSONEncoder.Node {
            let node = CompactJSONEncoder.Node()
            encoder.node.members[key.stringValue] = node
            return node
        }

        mutating func encodeNil(forKey key: Key) throws { child(key).kind = .null }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try encoder.encodeValue(value, into: child(key))
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
            -> KeyedEncodingContainer<NestedKey> {
            NodeEncoder(node: child(key)).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
            NodeEncoder(node: child(key)).unkeyedContainer()
        }
        mutating func superEncoder() -> Encoder { NodeEncoder(node: child(Key(stringValue: "super")!)) }
        mutating func superEncoder(forKey key: Key) -> Encoder { NodeEncoder(node: child(key)) }
    }

    private struct Unkeyed: UnkeyedEncodingContainer {
        let encoder: NodeEncoder
        var codingPath: [CodingKey] { [] }
        var count: Int { encoder.node.elements.count }

        func next() -> CompactJSONEncoder.Node {
            let node = CompactJSONEncoder.Node()
            encoder.node.elements.append(node)
            return node
        }

        mutating func encodeNil() throws { next().kind = .null }
        mutating func encode<T: Encodable>(_ value: T) throws { try encoder.encodeValue(value, into: next()) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            NodeEncoder(node: next()).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer { NodeEncoder(node: next()).unkeyedContainer() }
        mutating func superEncoder() -> Encoder { NodeEncoder(node: next()) }
    }

    private struct Single: SingleValueEncodingContainer {
        let encoder: NodeEncoder
        var codingPath: [CodingKey] { [] }

        mutating func encodeNil() throws { encoder.node.kind = .null }
        mutating func encode<T: Encodable>(_ value: T) throws { try encoder.encodeValue(value, into: encoder.node) }
    }
}
