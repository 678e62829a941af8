import Foundation
@testable import OrderSync

/// What a target reads, so the mutator adds the damage that matters for it.
enum FuzzFormat: Sendable {
    case json, csv, xml

    var fileExtension: String {
        switch self {
        case .json: "json"
        case .csv: "csv"
        case .xml: "xml"
        }
    }
}

/// A small, deterministic mutation engine in the spirit of AFL's "havoc" stage: each input is a corpus
/// entry with one to four stacked mutations. Byte-level damage for every format (truncation, bit flips,
/// invalid UTF-8, huge numbers, deep nesting, splices), tree-level damage for JSON (a value of the wrong
/// type, repeated keys, lone surrogate escapes, nesting at and past the parsers' limits) and line-level
/// damage for CSV (BOMs, CRLF and lone CR, stray and doubled quotes, separators, header columns).
struct Mutator {
    let format: FuzzFormat
    /// Tokens worth inserting: the format's own plus keys and short strings lifted from the seeds.
    let tokens: [[UInt8]]

    /// No input grows past this (10,000 levels of nesting still fit).
    static let maximumSize = 96 * 1024
    /// How deep "deep nesting" goes.
    static let deepNesting = 10_000

    /// The quoted tokens, for renaming keys.
    let keyTokens: [[UInt8]]

    init(format: FuzzFormat, seeds: [[UInt8]]) {
        self.format = format
        var tokens = Self.formatTokens(format).map { Array($0.utf8) }
        var seen = Set<[UInt8]>(tokens)
        for seed in seeds {
            for word in Self.words(in: seed, format: format) where seen.insert(word).inserted {
                tokens.append(word)
            }
        }
        self.tokens = tokens
        keyTokens = tokens.filter { $0.first == 0x22 && $0.last == 0x22 && $0.count > 2 && $0.count < 64 }
    }

    /// One mutated input and the names of the mutations that made it (for failure reports).
    /// - Parameter tree: `base` parsed, for JSON (the caller caches it); tree-level damage comes first.
    func mutate(_ base: [UInt8], tree: FuzzTree?, other: [UInt8], rng: inout SplitMix64) -> (bytes: [UInt8], steps: [String]) {
        var bytes = base
        var steps: [String] = []
        var rounds = 1 + rng.skewed(max: 4)
        if var tree, rng.chance(50) {
            for _ in 0..<(1 + rng.skewed(max: 3)) { steps.append(mutateTree(&tree, rng: &rng)) }
            bytes = tree.bytes
            rounds = rng.chance(60) ? 0 : rounds - 1
        }
        for _ in 0..<rounds {
            let step: String
            if format == .csv, rng.chance(40) {
                step = mutateCSV(&bytes, rng: &rng)
            } else {
                step = mutateBytes(&bytes, other: other, rng: &rng)
            }
            steps.append(step)
            if bytes.count > Self.maximumSize { bytes.removeLast(bytes.count - Self.maximumSize) }
        }
        return (bytes, steps)
    }

    // MARK: Bytes (every format)

    static let interestingBytes: [UInt8] = [
        0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F, 0x20, 0x22, 0x27, 0x2C, 0x2D, 0x2E, 0x30, 0x31, 0x39, 0x3A, 0x3B,
        0x3C, 0x3E, 0x26, 0x5B, 0x5C, 0x5D, 0x65, 0x7B, 0x7D, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xED, 0xEF, 0xF4, 0xFF,
    ]

    /// Byte sequences that are not UTF-8: lone continuation, overlong, encoded surrogate, past U+10FFFF,
    /// truncated multi-byte, 5-byte form, a BOM in the middle.
    static let invalidUTF8: [[UInt8]] = [
        [0x80], [0xBF], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],
        [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF], [0xFE], [0xE2, 0x82], [0xF0, 0x9F, 0x98],
        [0xF8, 0x88, 0x80, 0x80, 0x80], [0xC3], [0xEF, 0xBB, 0xBF],
    ]

    private func mutateBytes(_ bytes: inout [UInt8], other: [UInt8], rng: inout SplitMix64) -> String {
        switch rng.below(12) {
        case 0:
            let keep = rng.below(bytes.count + 1)
            bytes.removeLast(bytes.count - keep)
            return "truncate@\(keep)"
        case 1:
            guard !bytes.isEmpty else { return "flip(empty)" }
            let at = rng.below(bytes.count)
            bytes[at] ^= 1 << UInt8(rng.below(8))
            return "flip@\(at)"
        case 2:
            guard !bytes.isEmpty else { return "set(empty)" }
            let at = rng.below(bytes.count)
            bytes[at] = rng.chance(50) ? rng.pick(Self.interestingBytes) : UInt8(truncatingIfNeeded: rng.next())
            return "set@\(at)"
        case 3:
            guard !bytes.isEmpty else { return "delete(empty)" }
            let at = rng.below(bytes.count)
            let length = 1 + rng.skewed(max: bytes.count - at)
            bytes.removeSubrange(at..<Swift.min(bytes.count, at + length))
            return "delete@\(at)+\(length)"
        case 4:
            guard !bytes.isEmpty else { return "duplicate(empty)" }
            let at = rng.below(bytes.count)
            let chunk = Array(bytes[at..<Swift.min(bytes.count, at + 1 + rng.skewed(max: 256))])
            let times = rng.chance(10) ? 1 + rng.skewed(max: 64) : 1
            let to = rng.below(bytes.count + 1)
            bytes.insert(contentsOf: Array([[UInt8]](repeating: chunk, count: times).joined()), at: to)
            return "duplicate@\(at)x\(times)->\(to)"
        case 5:
            let count = 1 + rng.skewed(max: 16)
            let random = (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let at = rng.below(bytes.count + 1)
            bytes.insert(contentsOf: random, at: at)
            return "random-bytes@\(at)"
        case 6, 7:
            let token = rng.pick(tokens)
            let at = boundary(in: bytes, rng: &rng)
            if rng.chance(50), at < bytes.count {
                // Overwrite what is there (a value becomes another), else insert.
                let length = Swift.min(bytes.count - at, 1 + rng.skewed(max: 24))
                bytes.replaceSubrange(at..<at + length, with: token)
                return "replace-token@\(at)"
            }
            bytes.insert(contentsOf: token, at: at)
            return "insert-token@\(at)"
        case 8:
            let sequence = rng.pick(Self.invalidUTF8)
            // Most often inside a string or field: right after a quote.
            let quotes = bytes.indices.filter { bytes[$0] == 0x22 }
            let at = !quotes.isEmpty && rng.chance(70) ? rng.pick(quotes) + 1 : rng.below(bytes.count + 1)
            bytes.insert(contentsOf: sequence, at: at)
            return "invalid-utf8@\(at)"
        case 9:
            let cut = rng.below(bytes.count + 1)
            let from = rng.below(other.count + 1)
            bytes = Array(bytes[..<cut]) + Array(other[from...])
            return "splice@\(cut)/\(from)"
        case 10:
            return deepen(&bytes, rng: &rng)
        default:
            let at = boundary(in: bytes, rng: &rng)
            let number = rng.pick(Self.hugeNumbers)
            bytes.insert(contentsOf: Array(number.utf8), at: at)
            return "huge-number@\(at)"
        }
    }

    /// A position just before or after a structural character, where tokens make the most interesting damage.
    private func boundary(in bytes: [UInt8], rng: inout SplitMix64) -> Int {
        guard !bytes.isEmpty, rng.chance(70) else { return rng.below(bytes.count + 1) }
        let structural: Set<UInt8> = format == .xml ? [0x3C, 0x3E] : format == .csv ? [0x2C, 0x3B, 0x0A, 0x22] : [0x3A, 0x2C, 0x5B, 0x7B]
        let start = rng.below(bytes.count)
        var i = start
        while i < bytes.count, !structural.contains(bytes[i]) { i += 1 }
        return i < bytes.count ? i + 1 : start
    }

    /// 10,000 levels of nesting (or a boundary depth near the parsers' limits), opened and sometimes closed.
    private func deepen(_ bytes: inout [UInt8], rng: inout SplitMix64) -> String {
        let depth = rng.chance(60) ? Self.deepNesting : rng.pick([63, 64, 65, 199, 200, 201, 256, 1000])
        let closed = rng.chance(50)
        let at = boundary(in: bytes, rng: &rng)
        let open: [UInt8], close: [UInt8]
        switch format {
        case .json:
            (open, close) = rng.chance(70) ? (Array("[".utf8), Array("]".utf8)) : (Array("{\"a\":".utf8), Array("}".utf8))
        case .xml:
            (open, close) = (Array("<a>".utf8), Array("</a>".utf8))
        case .csv:
            // No nesting in CSV: the same damage is a huge field, a huge row or a flood of quotes.
            let filler: [UInt8] = rng.pick([[0x2C], [0x22], [0x22, 0x22], [0x61], [0x0A], [0x3B]])
            bytes.insert(contentsOf: Array([[UInt8]](repeating: filler, count: depth).joined()), at: at)
            return "flood\(depth)@\(at)"
        }
        var insert = Array([[UInt8]](repeating: open, count: depth).joined())
        if closed {
            insert += Array((rng.chance(50) ? "1" : "null").utf8) + Array([[UInt8]](repeating: close, count: depth).joined())
        }
        bytes.insert(contentsOf: insert, at: at)
        return "nest\(depth)\(closed ? "" : "-open")@\(at)"
    }

    // MARK: JSON trees

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

    private func mutateTree(_ tree: inout FuzzTree, rng: inout SplitMix64) -> String {
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
            changed = tree.replacing(target) { node in
                var members = (0..<count).map { ("k\($0)", FuzzTree.number(String($0))) }
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
        tree = changed
        return step
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

    // MARK: CSV lines

    private func mutateCSV(_ bytes: inout [UInt8], rng: inout SplitMix64) -> String {
        var text = String(decoding: bytes, as: UTF8.self)
        let step: String
        switch rng.below(10) {
        case 0:
            bytes = rng.chance(70) ? [0xEF, 0xBB, 0xBF] + bytes : bytes + [0xEF, 0xBB, 0xBF]
            return "bom"
        case 1:
            let choice = rng.below(4)
            switch choice {
            case 0: text = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
            case 1: text = text.replacingOccurrences(of: "\r\n", with: "\n")
            case 2: text = text.replacingOccurrences(of: "\n", with: "\r")
            default: text = text.replacingOccurrences(of: "\n", with: rng.chance(50) ? "\n\n" : "\r\r\n")
            }
            step = "line-endings\(choice)"
        case 2, 3:
            var scalars = Array(text.unicodeScalars)
            let at = rng.below(scalars.count + 1)
            let quote: [Unicode.Scalar] = rng.pick([["\""], ["\"", "\""], ["\"", "\"", "\""], ["\"", ",", "\""], ["x", "\""], ["\"", "\n"]])
            scalars.insert(contentsOf: quote, at: at)
            text = String(String.UnicodeScalarView(scalars))
            step = "quote@\(at)"
        case 4:
            let (from, to) = rng.chance(50) ? (",", ";") : (";", ",")
            if rng.chance(50) {
                text = text.replacingOccurrences(of: from, with: to)
            } else if let range = text.range(of: from) {
                text.replaceSubrange(range, with: to)
            }
            step = "separator\(from)\(to)"
        case 5, 6:
            step = mutateHeader(&text, rng: &rng)
        case 7:
            var lines = text.components(separatedBy: "\n")
            let line = lines[rng.below(lines.count)]
            let times = 1 + rng.skewed(max: 200)
            lines.insert(contentsOf: Array(repeating: line, count: times), at: rng.below(lines.count + 1))
            text = lines.joined(separator: "\n")
            step = "repeat-row\(times)"
        case 8:
            var fields = text.components(separatedBy: ",")
            let index = rng.below(fields.count)
            fields[index] = "\"" + fields[index].replacingOccurrences(of: "\"", with: "\"\"")
                + rng.pick(["\n", "\r\n", ",", ";", "\"\"", ""]) + "\""
            text = fields.joined(separator: ",")
            step = "quote-field\(index)"
        default:
            var scalars = Array(text.unicodeScalars)
            let at = rng.below(scalars.count + 1)
            scalars.insert(rng.pick(["\u{0}", "\u{1}", "\u{7F}", "\u{85}", "\u{2028}", "\u{FEFF}", "\t", "\r", "é", "\u{301}"]), at: at)
            text = String(String.UnicodeScalarView(scalars))
            step = "control@\(at)"
        }
        bytes = Array(text.utf8)
        return step
    }

    /// Damage to the header line: a column renamed, recased, doubled, dropped or moved.
    private func mutateHeader(_ text: inout String, rng: inout SplitMix64) -> String {
        let end = text.firstIndex(where: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) ?? text.endIndex
        let separator: Character = text[..<end].contains(";") ? ";" : ","
        var columns = text[..<end].split(separator: separator, omittingEmptySubsequences: false).map(String.init)
        guard !columns.isEmpty else { return "header(empty)" }
        let index = rng.below(columns.count)
        let what = rng.below(6)
        switch what {
        case 0: columns[index] = rng.pick(ShipmentImport.columns + ["order", "tracking", "imei ", " serial", "ORDER_REF", ""])
        case 1: columns[index] = columns[index].uppercased()
        case 2: columns.insert(columns[index], at: rng.below(columns.count + 1))
        case 3: columns.remove(at: index)
        case 4: columns.swapAt(index, rng.below(columns.count))
        default: columns[index] = "\"" + columns[index] + "\""
        }
        text.replaceSubrange(text.startIndex..<end, with: columns.joined(separator: String(separator)))
        return "header\(what)#\(index)"
    }

    // MARK: Tokens

    static func formatTokens(_ format: FuzzFormat) -> [String] {
        switch format {
        case .json:
            return hugeNumbers + hostileStrings.filter { $0.count < 100 } + [
                "null", "true", "false", "{}", "[]", "\"\"", ":", ",", "{", "}", "[", "]", "\"", "\\", "\\u",
                "\\uD800", "\\uDC00", "\\u0000", "{\"results\":[", "\"order_id\":", "\"state\":", "\"orderlines\":[",
            ]
        case .csv:
            return ShipmentImport.columns + [
                ",", ";", "\"", "\"\"", "\r\n", "\n", "\r", "\u{FEFF}", "bm-eu:", "bm-eu:40012377", ":", "356938035643809",
                "35693803564380", "\",\"", "=", "81000001=356938035643809",
            ]
        case .xml:
            return [
                "<![CDATA[", "]]>", "&eacute;", "&", "&amp;", "&lt;", "&#0;", "&#xD800;", "&#1114112;", "&#65;", "&unknown;",
                "<!DOCTYPE a [<!ENTITY e \"x\">]>", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>",
                "<?xml version=\"1.0\" encoding=\"windows-1252\"?>", "<order>", "</order>", "<orders_id>", "</orders_id>",
                "<!--", "-->", "<", ">", "/>", "=\"", "<a b=\"c\">", "\u{0}", "\u{0C}",
            ] + hugeNumbers
        }
    }

    /// Keys and short strings of JSON seeds, column names of CSV seeds, element names of XML seeds.
    static func words(in seed: [UInt8], format: FuzzFormat) -> [[UInt8]] {
        switch format {
        case .json:
            guard let value = try? JSONValue.parse(seed) else { return [] }
            var out: [[UInt8]] = []
            func walk(_ v: JSONValue) {
                switch v {
                case .object(let members):
                    for (key, child) in members {
                        out.append(Array(JSONLinesLogHandler.quote(key).utf8))
                        walk(child)
                    }
                case .array(let items): items.forEach(walk)
                case .string(let s) where s.count < 40: out.append(Array(JSONLinesLogHandler.quote(s).utf8))
                case .number(let n): out.append(Array(n.utf8))
                default: break
                }
            }
            walk(value)
            return out
        case .csv:
            let text = String(decoding: seed, as: UTF8.self)
            return text.split(whereSeparator: { ",;\n\r".contains($0) }).map { Array($0.utf8) }
        case .xml:
            var out: [[UInt8]] = []
            var i = 0
            while i < seed.count {
                if seed[i] == 0x3C, let end = seed[i...].firstIndex(of: 0x3E), end - i < 64 {
                    out.append(Array(seed[i...end]))
                    i = end
                }
                i += 1
            }
            return out
        }
    }
}

extension JSONValue {
    /// Parses bytes (the tests' shorthand).
    static func parse(_ bytes: [UInt8]) throws -> JSONValue { try parse(Data(bytes)) }
}
