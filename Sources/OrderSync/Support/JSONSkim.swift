import Foundation

/// Where the elements of a listing's array lie in the reply's bytes, found by skimming: only strings,
/// nesting and separators are looked at, no value is built. A listing page is parsed into a tree anyway
/// (to map its orders); skimming gives each order's raw payload as a slice of the reply and its
/// fingerprint from those bytes, instead of writing every order's subtree out again and hashing it node by
/// node (together about 7 % of a backlog import's CPU, issue 17).
///
/// Nil whenever the document is not what is expected (then callers use the tree): skimming never decides
/// what an order is, only where its bytes are.
public enum JSONSkim {
    /// The byte ranges of the elements of the document's top-level array (`key` nil), or of the array that
    /// is the value of `key` in the top-level object.
    public static func elementRanges(in data: Data, key: String? = nil) -> [Range<Int>]? {
        data.withUnsafeBytes { raw in
            var skim = Skimmer(bytes: raw.bindMemory(to: UInt8.self))
            return skim.elements(key: key.map { Array($0.utf8) })
        }
    }

    /// Each element's bytes as a slice of `body` (sharing its storage) from the ranges a parse recorded
    /// (``JSONValue/parseListing(_:elementsOf:)``), when there are exactly `count`; else by skimming.
    public static func elements(of body: Data, recorded: [Range<Int>]?, key: String? = nil, count: Int) -> [Data]? {
        guard let recorded, recorded.count == count else { return elements(of: body, key: key, count: count) }
        return recorded.map { body[(body.startIndex + $0.lowerBound)..<(body.startIndex + $0.upperBound)] }
    }

    /// Each element's bytes as a slice of `body` (sharing its storage), when skimming finds exactly `count`
    /// elements, as many as the parsed tree holds; nil otherwise.
    public static func elements(of body: Data, key: String? = nil, count: Int) -> [Data]? {
        guard let ranges = elementRanges(in: body, key: key), ranges.count == count else { return nil }
        return ranges.map { body[(body.startIndex + $0.lowerBound)..<(body.startIndex + $0.upperBound)] }
    }

    private struct Skimmer {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        }

        mutating func whitespace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        }

        mutating func elements(key: [UInt8]?) -> [Range<Int>]? {
            whitespace()
            guard let key else { return array() }
            guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { return nil }
            i += 1
            whitespace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { return nil }
            var found: [Range<Int>]?
            while i < bytes.count {
                whitespace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
                let nameStart = i + 1
                guard skipString() else { return nil }
                let name = UnsafeBufferPointer(rebasing: bytes[nameStart..<(i - 1)])
                whitespace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
                i += 1
                whitespace()
                if name.elementsEqual(key) {
                    guard found == nil, let ranges = array() else { return nil }  // a repeated key: leave it to the tree
                    found = ranges
                } else {
                    guard skipValue() else { return nil }
                }
                whitespace()
                guard i < bytes.count else { return nil }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { return found }
                return nil
            }
            return nil
        }

        /// The elements of the array starting at `i`; `i` ends after its `]`.
        mutating func array() -> [Range<Int>]? {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "[") else { return nil }
            i += 1
            whitespace()
            var ranges: [Range<Int>] = []
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return ranges }
            while i < bytes.count {
                whitespace()
                let start = i
                guard skipValue() else { return nil }
                ranges.append(start..<i)
                whitespace()
                guard i < bytes.count else { return nil }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return ranges }
                return nil
            }
            return nil
        }

        /// Moves past one value (object, array, string or scalar).
        mutating func skipValue() -> Bool {
            guard i < bytes.count else { return false }
            switch bytes[i] {
            case UInt8(ascii: "\""):
                return skipString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while i < bytes.count {
                    switch bytes[i] {
                    case UInt8(ascii: "\""):
                        guard skipString() else { return false }
                        continue
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        depth -= 1
                        if depth == 0 { i += 1; return true }
                    default: break
                    }
                    i += 1
                }
                return false
            default:
                let start = i
                while i < bytes.count {
                    let b = bytes[i]
                    if b == UInt8(ascii: ",") || b == UInt8(ascii: "}") || b == UInt8(ascii: "]") || b == 0x20 || b == 0x0A
                        || b == 0x0D || b == 0x09 { break }
                    i += 1
                }
                return i > start
            }
        }

        /// Moves past the string starting at `i` (its quotes included).
        mutating func skipString() -> Bool {
            i += 1
            while i < bytes.count {
                let b = bytes[i]
                if b == UInt8(ascii: "\\") { i += 2; continue }
                i += 1
                if b == UInt8(ascii: "\"") { return true }
            }
            return false
        }
    }
}
