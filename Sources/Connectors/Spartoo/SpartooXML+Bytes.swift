import Foundation

/// The byte-level reading both order splitters share (the whole reply in memory, and the streamed file
/// read in chunks): markers, skips, tag ends. Only `count` bytes of `bytes` are looked at.
struct SpartooXMLBytes {
    let bytes: UnsafeBufferPointer<UInt8>
    var count: Int { bytes.count }

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Whether `marker` stands at `index` (false when it would run past the end).
    func matches(_ marker: [UInt8], at index: Int) -> Bool {
        guard index + marker.count <= count else { return false }
        for k in 0..<marker.count where bytes[index + k] != marker[k] { return false }
        return true
    }

    /// The index just after the next `marker` from `index`, nil when there is none.
    func skip(to marker: [UInt8], from index: Int) -> Int? {
        var j = index
        while j + marker.count <= count {
            if bytes[j] == marker[0], matches(marker, at: j) { return j + marker.count }
            j += 1
        }
        return nil
    }

    /// Whether `b` ends a tag name (`>`, `/` or white space).
    static func endsName(_ b: UInt8) -> Bool {
        b == UInt8(ascii: ">") || b == UInt8(ascii: "/") || b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D
    }

    /// The index after the `>` closing the tag that starts at `index` (quoted `>` skipped), and whether it
    /// was `/>`; nil when the tag does not end in these bytes.
    func tagEnd(_ index: Int) -> (Int, Bool)? {
        var j = index
        var quote: UInt8?
        while j < count {
            let b = bytes[j]
            if let q = quote {
                if b == q { quote = nil }
            } else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                quote = b
            } else if b == UInt8(ascii: ">") {
                return (j + 1, j > index && bytes[j - 1] == UInt8(ascii: "/"))
            }
            j += 1
        }
        return nil
    }
}
