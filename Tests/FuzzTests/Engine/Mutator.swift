import Foundation
@testable import OrderSync
@testable import Connectors

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
    /// By byte value: the format's structural characters (`<` `>`; `,` `;` LF `"`; `:` `,` `[` `{`).
    let structural: [Bool]

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
        let marks: [UInt8] = format == .xml ? [0x3C, 0x3E] : format == .csv ? [0x2C, 0x3B, 0x0A, 0x22] : [0x3A, 0x2C, 0x5B, 0x7B]
        structural = (0..<256).map { marks.contains(UInt8($0)) }
    }

    /// One mutated input and the names of the mutations that made it (for failure reports).
    /// - Parameter tree: `base` parsed, for JSON (the caller caches it); tree-level damage comes first.
    func mutate(_ base: [UInt8], tree: FuzzTree?, other: [UInt8], rng: inout SplitMix64) -> (bytes: [UInt8], steps: [String]) {
        var bytes = base
        var steps: [String] = []
        var rounds = 1 + rng.skewed(max: 4)
        if let tree, rng.chance(50) {
            var working = tree
            for _ in 0..<(1 + rng.skewed(max: 3)) {
                let (changed, step) = mutateTree(working, rng: &rng)
                working = changed
                steps.append(step)
            }
            bytes = working.bytes
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
            var at = rng.below(bytes.count + 1)
            if rng.chance(70), let quote = bytes[at...].firstIndex(of: 0x22) { at = quote + 1 }
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
        let start = rng.below(bytes.count)
        let found = bytes.withUnsafeBufferPointer { buffer in
            structural.withUnsafeBufferPointer { table in
                var i = start
                while i < buffer.count, !table[Int(buffer[i])] { i += 1 }
                return i
            }
        }
        return found < bytes.count ? found + 1 : start
    }

    /// 10,000 levels of nesting (or a boundary depth near the parsers' limits), opened and sometimes closed.
    private func deepen(_ bytes: inout [UInt8], rng: inout SplitMix64) -> String {
        let depth = rng.chance(60) ? Self.deepNesting : rng.pick([63, 64, 65, 199, 200, 201, 256, 1000])
        let closed = rng.chance(50)
        let at = boundary(in: bytes, rng: &rng)
        // Built as strings: `String(repeating:count:)` is fast even in a debug build, joined arrays are not.
        let open: String, close: String
        switch format {
        case .json:
            (open, close) = rng.chance(70) ? ("[", "]") : ("{\"a\":", "}")
        case .xml:
            (open, close) = ("<a>", "</a>")
        case .csv:
            // No nesting in CSV: the same damage is a huge field, a huge row or a flood of quotes.
            let filler = rng.pick([",", "\"", "\"\"", "a", "\n", ";"])
            bytes.insert(contentsOf: Array(String(repeating: filler, count: depth).utf8), at: at)
            return "flood\(depth)@\(at)"
        }
        var insert = String(repeating: open, count: depth)
        if closed { insert += (rng.chance(50) ? "1" : "null") + String(repeating: close, count: depth) }
        bytes.insert(contentsOf: Array(insert.utf8), at: at)
        return "nest\(depth)\(closed ? "" : "-open")@\(at)"
    }
}

extension JSONValue {
    /// Parses bytes (the tests' shorthand).
    static func parse(_ bytes: [UInt8]) throws -> JSONValue { try parse(Data(bytes)) }
}
