import Foundation

@testable import OrderSync
@testable import Connectors

/// Tree-level damage to JSON: a value of the wrong type, huge numbers, hostile strings, repeated and
/// renamed keys, removed members, nesting at and past the parsers' limits, thousands of keys.
extension Mutator {
    static let hugeNumbers = [
        "1e400", "-1e400", "1E-400", "99999999999999999999", "-99999999999999999999", "18446744073709551616",
        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1.7976931348623157e309",
        "0.0000000000000000000000000001", "123456789012345678901234567890.123456789012345678901234567890",
        "-0", "0e0", "1e", "01", "-", ".5", "1.", "+1", "NaN", "Infinity", "0x10",
        String(repeating: "9", count: 70), "1" + String(repeating: "0", count: 400),
    ]

    /// Raw JSON strings a connector or the config must survive: lone and reversed surrogates, NUL,
    /// non-characters, bidi controls, digits that are not ASCII, very long text, odd dates.
    static let hostileStrings = [
        #""\uD800""#, #""\uDC00""#, #""\uD800\u0041""#, #""\uDBFF\uDFFF""#, #""\uDC00\uD800""#, #""\uD83D""#,
        #""a\uD800b""#, #""\u0000""#, #""\uFFFF""#, #""\uFFFE""#, #""\u202E""#, #""\u12""#, #""\uZZZZ""#,
        #""\x41""#, #""\""#, "\"tab\tinside\"", #""line\u000Abreak""#, #""١٢٣""#, #""½""#, #""Ⅻ""#, #""𝟙𝟚""#,
        #""9999-12-31T23:59:59-23:59""#, #""1970-01-01T00:00:00+23:59""#, #""2024-02-30T00:00:00Z""#,
        #""2024-03-10T08:30:00.99999999999999999999Z""#, #""0000-00-00 00:00:00""#, #""""#, #"" ""#,
        #""299.00""#, #""-1""#, #""1e3""#, #""9223372036854775807""#, #""0.0000000001""#, #""1,5""#,
        "\"" + String(repeating: "x", count: 10_000) + "\"", "\"" + String(repeating: "\\u00e9", count: 2000) + "\"",
    ]

    func mutateTree(_ tree: FuzzTree, rng: inout SplitMix64) -> (FuzzTree, String) {
        let target = rng.below(tree.nodeCount)
        let step: String
        let changed: FuzzTree
        switch rng.below(9) {
        case 0:
            step = "wrong-type#\(target)"
            changed = tree.replacing(target) { node in Self.otherType(than: node, rng: &rng) }
        case 1:
            step = "huge-number#\(target)"
            changed = tree.replacing(target) { _ in .raw(rng.pick(Self.hugeNumbers)) }
        case 2:
            step = "hostile-string#\(target)"
            changed = tree.replacing(target) { _ in .raw(rng.pick(Self.hostileStrings)) }
        case 3:
            step = "duplicate-key#\(target)"
            changed = tree.replacing(target) { node in
                guard case .object(var members) = node, !members.isEmpty else { return node }
                let copied = rng.pick(members)
                let value: FuzzTree = rng.chance(50) ? Self.otherType(than: copied.1, rng: &rng) : copied.1
                members.insert((copied.0, value), at: rng.below(members.count + 1))
                return .object(members)
            }
        case 4:
            step = "remove#\(target)"
            changed = tree.replacing(target) { node in
                switch node {
                case .object(var members) where !members.isEmpty:
                    members.remove(at: rng.below(members.count))
                    return .object(members)
                case .array(var items) where !items.isEmpty:
                    items.remove(at: rng.below(items.count))
                    return .array(items)
                default: return .null
                }
            }
        case 5:
            let depth = rng.pick([63, 64, 65, 199, 200, 201, Self.deepNesting])
            step = "wrap\(depth)#\(target)"
            changed = tree.replacing(target) { node in
                .raw(String(repeating: "[", count: depth) + node.serialized + String(repeating: "]", count: depth))
            }
        case 6:
            let times = 2 + rng.skewed(max: 300)
            step = "repeat\(times)#\(target)"
            changed = tree.replacing(target) { node in
                guard case .array(let items) = node, let first = items.first else { return .array([node, node]) }
                return .array(Array(repeating: rng.chance(50) ? first : items[rng.below(items.count)], count: times))
            }
        case 7:
            // Thousands of keys, one of them repeated: parsers that search members per key go quadratic.
            let count = 2 + rng.skewed(max: 8000)
            step = "widen\(count)#\(target)"
            changed = tree.replacing(target) { (node: FuzzTree) -> FuzzTree in
                var members: [(String, FuzzTree)] = (0..<count).map { index in ("k\(index)", FuzzTree.number(String(index))) }
                members.append(("k0", node))
                return .object(members)
            }
        default:
            step = "rename-key#\(target)"
            changed = tree.replacing(target) { node in
                guard case .object(var members) = node, !members.isEmpty else { return node }
                let index = rng.below(members.count)
                switch rng.below(5) {
                case 0, 1:
                    let key = keyTokens.isEmpty ? "x" : String(decoding: rng.pick(keyTokens).dropFirst().dropLast(), as: UTF8.self)
                    members[index].0 = key
                case 2, 3: members[index].0 = Self.recased(members[index].0)
                default: members[index].0 = String(repeating: rng.pick(["k", "é", "_"]), count: 1 + rng.skewed(max: 60_000))
                }
                return .object(members)
            }
        }
        return (changed, step)
    }

    /// The same information in another JSON type: string ↔ number ↔ object ↔ array ↔ null ↔ bool.
    static func otherType(than node: FuzzTree, rng: inout SplitMix64) -> FuzzTree {
        switch (node, rng.below(4)) {
        case (.string(let s), 0): return Int(s) != nil || Double(s) != nil ? .number(s) : .raw(rng.pick(hugeNumbers))
        case (.number(let n), 0): return .string(n)
        case (.string, 1), (.number, 1): return .object([("value", node)])
        case (.object, 0), (.array, 0): return .string(node.serialized)
        case (.object(let members), 1): return .array(members.map(\.1))
        case (.array(let items), 1): return .object(items.enumerated().map { (String($0.offset), $0.element) })
        case (.null, _): return rng.pick([.string(""), .number("0"), .object([]), .array([]), .bool(false)])
        case (_, 2): return .null
        case (_, 3): return rng.chance(50) ? .bool(true) : .array([node])
        default: return .string("")
        }
    }

    /// `first_name` ↔ `firstName`, or the key in capitals.
    static func recased(_ key: String) -> String {
        if key.contains("_") {
            let parts = key.split(separator: "_")
            return parts.enumerated().map { $0.offset == 0 ? String($0.element) : $0.element.capitalized }.joined()
        }
        if key.contains(where: \.isUppercase) {
            return key.reduce(into: "") { out, c in out += c.isUppercase ? "_" + c.lowercased() : String(c) }
        }
        return key.uppercased()
    }
}
