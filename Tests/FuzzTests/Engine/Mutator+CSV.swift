import Foundation

@testable import OrderSync
@testable import Connectors

/// Line-level damage to CSV: BOMs, CRLF and lone CR, stray and doubled quotes, separators, header columns.
extension Mutator {
    func mutateCSV(_ bytes: inout [UInt8], rng: inout SplitMix64) -> String {
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
    func mutateHeader(_ text: inout String, rng: inout SplitMix64) -> String {
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
}
