import Foundation

@testable import OrderSync
@testable import Connectors

/// The tokens the mutator inserts: the format's own and words lifted from the seeds.
extension Mutator {
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
