import Foundation

/// The simulators' JSON writer: the same document `JSONSerialization` writes with sorted keys and
/// unescaped slashes, keys ordered by their UTF-8 bytes, without bridging every value through
/// Objective-C types, so the benchmark measures the daemon rather than the simulator. The simulators are
/// their own target (they stand for the channels' servers and must not share the daemon's code), so they
/// keep this writer rather than the core's `JSONValue`.
/// Returns nil for a value it does not know (the caller then falls back to `JSONSerialization`).
enum SimJSON {
    static func data(_ object: Any) -> Data? {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        guard write(object, into: &out) else { return nil }
        return Data(out)
    }

    private static func write(_ value: Any, into out: inout [UInt8]) -> Bool {
        // Scalars by their exact Swift type: a bridged `NSNumber` would cast to Bool and Int alike.
        let kind = type(of: value)
        if kind == String.self { quote(value as! String, into: &out); return true }
        if kind == Bool.self { out.append(contentsOf: ((value as! Bool) ? "true" : "false").utf8); return true }
        if kind == Int.self { out.append(contentsOf: String(value as! Int).utf8); return true }
        if kind == NSNull.self { out.append(contentsOf: "null".utf8); return true }
        if kind == Double.self {
            // As JSONSerialization writes them: integral values without a fraction, others shortest.
            let double = value as! Double
            guard double.isFinite else { return false }
            let text = double == double.rounded() && abs(double) < 1e15 ? String(Int(double)) : double.description
            out.append(contentsOf: text.utf8)
            return true
        }
        switch value {
        case let dictionary as [String: Any]:
            out.append(UInt8(ascii: "{"))
            var first = true
            for key in dictionary.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                quote(key, into: &out)
                out.append(UInt8(ascii: ":"))
                guard write(dictionary[key]!, into: &out) else { return false }
            }
            out.append(UInt8(ascii: "}"))
        case let array as [Any]:
            out.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                guard write(element, into: &out) else { return false }
            }
            out.append(UInt8(ascii: "]"))
        default:
            return false  // NSNumber, dates…: left to JSONSerialization
        }
        return true
    }

    private static func quote(_ string: String, into out: inout [UInt8]) {
        out.append(0x22)
        for byte in string.utf8 {
            switch byte {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: out.append(byte)
            }
        }
        out.append(0x22)
    }
}
