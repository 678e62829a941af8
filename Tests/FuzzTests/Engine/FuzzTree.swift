@testable import OrderSync
@testable import Connectors

/// A JSON tree the mutator can damage in ways a parsed value cannot hold: repeated keys, raw text
/// spliced in as a value (`1e400`, `"\uD800"`), nesting past any parser's limit.
// Sendable is declared, not inferred: inferring it for a recursive enum with tuple payloads trips a
// "circular reference" in the Swift 6.3 compiler.
indirect enum FuzzTree: Sendable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    /// Written out verbatim: a token that need not be valid JSON on its own.
    case raw(String)
    case array([FuzzTree])
    case object([(String, FuzzTree)])

    init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .number(let n): self = .number(n)
        case .string(let s): self = .string(s)
        case .array(let items): self = .array(items.map(FuzzTree.init))
        case .object(let members): self = .object(members.map { ($0.0, FuzzTree($0.1)) })
        }
    }

    var serialized: String { String(decoding: bytes, as: UTF8.self) }

    /// The tree as JSON text (straight into bytes: this runs for every tree-level mutation).
    var bytes: [UInt8] {
        var out: [UInt8] = []
        write(into: &out)
        return out
    }

    func write(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n): out.append(contentsOf: n.utf8)
        case .string(let s): Self.quote(s, into: &out)
        case .raw(let r): out.append(contentsOf: r.utf8)
        case .array(let items):
            out.append(0x5B)
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(0x2C) }
                item.write(into: &out)
            }
            out.append(0x5D)
        case .object(let members):
            out.append(0x7B)
            for (i, member) in members.enumerated() {
                if i > 0 { out.append(0x2C) }
                Self.quote(member.0, into: &out)
                out.append(0x3A)
                member.1.write(into: &out)
            }
            out.append(0x7D)
        }
    }

    static func quote(_ s: String, into out: inout [UInt8]) {
        out.append(0x22)
        for b in s.utf8 {
            switch b {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0..<0x20: out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hexDigits[Int(b >> 4)], hexDigits[Int(b & 0xF)]])
            default: out.append(b)
            }
        }
        out.append(0x22)
    }

    /// Nodes in pre-order, the root being 0.
    var nodeCount: Int {
        switch self {
        case .array(let items): 1 + items.reduce(0) { $0 + $1.nodeCount }
        case .object(let members): 1 + members.reduce(0) { $0 + $1.1.nodeCount }
        default: 1
        }
    }

    /// The tree with node number `target` (pre-order) replaced by `change(node)`.
    func replacing(_ target: Int, with change: (FuzzTree) -> FuzzTree) -> FuzzTree {
        var counter = 0
        return replacing(target, &counter, change)
    }

    private func replacing(_ target: Int, _ counter: inout Int, _ change: (FuzzTree) -> FuzzTree) -> FuzzTree {
        if counter == target {
            counter += nodeCount
            return change(self)
        }
        counter += 1
        switch self {
        case .array(let items):
            return .array(items.map { $0.replacing(target, &counter, change) })
        case .object(let members):
            return .object(members.map { ($0.0, $0.1.replacing(target, &counter, change)) })
        default:
            return self
        }
    }

    var isContainer: Bool {
        switch self {
        case .array, .object: true
        default: false
        }
    }
}

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
