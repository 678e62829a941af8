import Foundation
import OrderSync

extension SpartooXML {
    /// The document as UTF-8 with a declaration that says so. The charset is undocumented (API notes §5):
    /// the declared `encoding` decides; `ISO-8859-1`/`latin1`/`Windows-1252` are read as Windows-1252 (as
    /// browsers do), `ISO-8859-15` as Latin-9; UTF-16 is recognised by its byte-order mark; a document that
    /// claims UTF-8 (or nothing) but is not valid UTF-8 is read as Windows-1252. Never fails.
    static func utf8Document(_ data: Data) -> Data {
        // The usual case, UTF-8 declared (or nothing) and valid, is handed back without a copy.
        if let first = data.first, first == UInt8(ascii: "<") {
            let declared = declaredEncoding([UInt8](data.prefix(300)))?.lowercased()
            if declared == nil || declared == "utf-8" || declared == "utf8", data.withUnsafeBytes(ByteLanes.isValidUTF8) {
                return data
            }
        }
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            guard let text = String(data: Data(bytes), encoding: .utf16) else { return Data() }
            return Data(withUTF8Declaration(text).utf8)
        }
        let declared = declaredEncoding(bytes)?.lowercased()
        let text: String
        switch declared {
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "windows-1252", "cp1252", "us-ascii", "ascii":
            text = decodeSingleByte(bytes, latin9: false)
        case "iso-8859-15", "iso8859-15", "latin9", "latin-9":
            text = decodeSingleByte(bytes, latin9: true)
        default:
            guard let utf8 = String(bytes: bytes, encoding: .utf8) else {
                text = decodeSingleByte(bytes, latin9: false)
                break
            }
            if declared == nil || declared == "utf-8" || declared == "utf8" { return Data(bytes) }
            text = utf8
        }
        return Data(withUTF8Declaration(text).utf8)
    }

    /// The `encoding` of the `<?xml …?>` declaration, if any.
    static func declaredEncoding(_ bytes: [UInt8]) -> String? {
        let head = String(decoding: bytes.prefix(300), as: UTF8.self)
        guard head.hasPrefix("<?xml"), let end = head.range(of: "?>") else { return nil }
        let declaration = head[..<end.lowerBound]
        guard let key = declaration.range(of: "encoding") else { return nil }
        var rest = declaration[key.upperBound...].drop { $0 == " " || $0 == "=" || $0 == "\t" }
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        rest = rest.dropFirst()
        return String(rest.prefix { $0 != quote })
    }

    /// `text` with its declaration's encoding set to UTF-8 (or a UTF-8 declaration added).
    private static func withUTF8Declaration(_ text: String) -> String {
        guard text.hasPrefix("<?xml"), let end = text.range(of: "?>") else { return text }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + text[end.upperBound...]
    }

    /// Windows-1252 (or ISO-8859-15) bytes to a string; undefined bytes become U+FFFD.
    static func decodeSingleByte(_ bytes: [UInt8], latin9: Bool) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.reserveCapacity(bytes.count)
        for byte in bytes {
            var value = UInt32(byte)
            if (0x80...0x9F).contains(byte) {
                value = cp1252High[Int(byte) - 0x80]
            } else if latin9, let replaced = latin9Differences[byte] {
                value = replaced
            }
            scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
        }
        return String(scalars)
    }

    private static let cp1252High: [UInt32] = [
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
        0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
    ]

    private static let latin9Differences: [UInt8: UInt32] = [
        0xA4: 0x20AC, 0xA6: 0x0160, 0xA8: 0x0161, 0xB4: 0x017D, 0xB8: 0x017E, 0xBC: 0x0152, 0xBD: 0x0153, 0xBE: 0x0178,
    ]

    /// Repairs what an XML parser refuses but has one obvious meaning, outside CDATA sections and comments:
    /// a bare `&` becomes `&amp;`, an HTML named entity (`&eacute;`, `&nbsp;`) its numeric reference,
    /// an unknown named entity literal text; control characters XML 1.0 forbids are dropped.
    static func sanitize(_ data: Data) -> Data {
        // Most replies need no repair at all: no forbidden control character, and every `&` starts one of
        // XML's own references. Those are handed back as they are, without a copy.
        if !needsRepair(data) { return data }
        let bytes = [UInt8](data)
        func isSpecial(_ b: UInt8) -> Bool {
            b == UInt8(ascii: "<") || b == UInt8(ascii: "&") || (b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0D)
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 64)
        var i = 0
        func starts(_ marker: [UInt8], at index: Int) -> Bool {
            guard index + marker.count <= bytes.count else { return false }
            for k in 0..<marker.count where bytes[index + k] != marker[k] { return false }
            return true
        }
        func copyThrough(_ end: [UInt8], from start: Int) -> Int {
            var j = start
            while j < bytes.count, !starts(end, at: j) { j += 1 }
            let stop = min(bytes.count, j + end.count)
            out.append(contentsOf: bytes[start..<stop])
            return stop
        }
        while i < bytes.count {
            // Runs of ordinary bytes are copied at once.
            var run = i
            while run < bytes.count, !isSpecial(bytes[run]) { run += 1 }
            if run > i { out.append(contentsOf: bytes[i..<run]); i = run; continue }
            let byte = bytes[i]
            if byte == UInt8(ascii: "<"), starts(cdataOpen, at: i) {
                i = copyThrough(cdataClose, from: i)
            } else if byte == UInt8(ascii: "<"), starts(commentOpen, at: i) {
                i = copyThrough(commentClose, from: i)
            } else if byte == UInt8(ascii: "<") {
                out.append(byte)
                i += 1
            } else if byte == UInt8(ascii: "&") {
                let (replacement, consumed) = entity(in: bytes, at: i)
                out.append(contentsOf: replacement)
                i += consumed
            } else {
                i += 1  // a control character XML 1.0 forbids
            }
        }
        return Data(out)
    }

    /// Whether ``sanitize(_:)`` would change anything: a forbidden control character, or an `&` that does
    /// not start `&amp;` `&lt;` `&gt;` `&quot;` `&apos;` or a numeric reference (inside CDATA or a comment
    /// such an `&` is left alone by the repair, so reporting it only costs the slow path).
    /// Whether any of the eight bytes of `word` is below 0x20 or is `&`.
    @inline(__always)
    static func mayNeedRepair(_ word: UInt64) -> Bool {
        ByteLanes.containsBelow(word, 0x20) || ByteLanes.contains(word, UInt8(ascii: "&"))
    }

    static func needsRepair(_ data: Data) -> Bool {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Bool in
            let bytes = raw.bindMemory(to: UInt8.self)
            let count = bytes.count
            var i = 0
            while i < count {
                // Eight bytes at a time while none is a control character or `&` (nearly all of a reply).
                if i + 8 <= count, !Self.mayNeedRepair(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) {
                    i += 8
                    continue
                }
                let b = bytes[i]
                if b < 0x20 {
                    if b != 0x09 && b != 0x0A && b != 0x0D { return true }
                } else if b == UInt8(ascii: "&") {
                    var j = i + 1
                    if j < count, bytes[j] == UInt8(ascii: "#") {
                        j += 1
                        let hex = j < count && (bytes[j] == UInt8(ascii: "x") || bytes[j] == UInt8(ascii: "X"))
                        if hex { j += 1 }
                        let start = j
                        while j < count, j - start < 8, hex ? isHexDigit(bytes[j]) : (bytes[j] >= 48 && bytes[j] <= 57) { j += 1 }
                        guard j > start, j < count, bytes[j] == UInt8(ascii: ";") else { return true }
                    } else {
                        let start = j
                        while j < count, j - start < 6, bytes[j] >= UInt8(ascii: "a"), bytes[j] <= UInt8(ascii: "z") { j += 1 }
                        guard j < count, bytes[j] == UInt8(ascii: ";") else { return true }
                        switch j - start {
                        case 2: guard (bytes[start] == UInt8(ascii: "l") || bytes[start] == UInt8(ascii: "g")),
                                      bytes[start + 1] == UInt8(ascii: "t") else { return true }
                        case 3: guard bytes[start] == UInt8(ascii: "a"), bytes[start + 1] == UInt8(ascii: "m"),
                                      bytes[start + 2] == UInt8(ascii: "p") else { return true }
                        case 4: guard memcmp(bytes.baseAddress! + start, "quot", 4) == 0
                                      || memcmp(bytes.baseAddress! + start, "apos", 4) == 0 else { return true }
                        default: return true
                        }
                    }
                    i = j
                }
                i += 1
            }
            return false
        }
    }

    private static let cdataOpen = Array("<![CDATA[".utf8)
    private static let cdataClose = Array("]]>".utf8)
    private static let commentOpen = Array("<!--".utf8)
    private static let commentClose = Array("-->".utf8)

    /// What to write for the `&` at `start`, and how many input bytes that covers.
    private static func entity(in bytes: [UInt8], at start: Int) -> ([UInt8], Int) {
        let amp = Array("&amp;".utf8)
        var j = start + 1
        if j < bytes.count, bytes[j] == UInt8(ascii: "#") {
            j += 1
            let hex = j < bytes.count && (bytes[j] == UInt8(ascii: "x") || bytes[j] == UInt8(ascii: "X"))
            if hex { j += 1 }
            let digitsStart = j
            while j < bytes.count, j - digitsStart < 8,
                  hex ? isHexDigit(bytes[j]) : (bytes[j] >= 48 && bytes[j] <= 57) { j += 1 }
            if j > digitsStart, j < bytes.count, bytes[j] == UInt8(ascii: ";") {
                return (Array(bytes[start...j]), j - start + 1)
            }
            return (amp, 1)
        }
        let nameStart = j
        while j < bytes.count, j - nameStart < 32, isNameByte(bytes[j], first: j == nameStart) { j += 1 }
        guard j > nameStart, j < bytes.count, bytes[j] == UInt8(ascii: ";") else { return (amp, 1) }
        let name = String(decoding: bytes[nameStart..<j], as: UTF8.self)
        if ["amp", "lt", "gt", "quot", "apos"].contains(name) { return (Array(bytes[start...j]), j - start + 1) }
        if let code = htmlEntities[name] { return (Array("&#\(code);".utf8), j - start + 1) }
        return (amp, 1)
    }

    private static func isHexDigit(_ b: UInt8) -> Bool {
        (b >= 48 && b <= 57) || (b >= 65 && b <= 70) || (b >= 97 && b <= 102)
    }

    private static func isNameByte(_ b: UInt8, first: Bool) -> Bool {
        let letter = (b >= 65 && b <= 90) || (b >= 97 && b <= 122)
        return first ? letter : letter || (b >= 48 && b <= 57)
    }

    /// HTML named entities seen in European shop data, by code point.
    private static let htmlEntities: [String: Int] = [
        "nbsp": 160, "iexcl": 161, "cent": 162, "pound": 163, "euro": 8364, "yen": 165, "sect": 167, "copy": 169,
        "laquo": 171, "raquo": 187, "reg": 174, "deg": 176, "plusmn": 177, "sup2": 178, "micro": 181, "middot": 183,
        "frac12": 189, "iquest": 191, "times": 215, "divide": 247, "szlig": 223, "ndash": 8211, "mdash": 8212,
        "lsquo": 8216, "rsquo": 8217, "sbquo": 8218, "ldquo": 8220, "rdquo": 8221, "bdquo": 8222, "hellip": 8230,
        "bull": 8226, "trade": 8482, "oelig": 339, "OElig": 338, "scaron": 353, "Scaron": 352, "zcaron": 382,
        "Zcaron": 381, "Yuml": 376,
        "Agrave": 192, "Aacute": 193, "Acirc": 194, "Atilde": 195, "Auml": 196, "Aring": 197, "AElig": 198,
        "Ccedil": 199, "Egrave": 200, "Eacute": 201, "Ecirc": 202, "Euml": 203, "Igrave": 204, "Iacute": 205,
        "Icirc": 206, "Iuml": 207, "ETH": 208, "Ntilde": 209, "Ograve": 210, "Oacute": 211, "Ocirc": 212,
        "Otilde": 213, "Ouml": 214, "Oslash": 216, "Ugrave": 217, "Uacute": 218, "Ucirc": 219, "Uuml": 220,
        "Yacute": 221, "THORN": 222, "agrave": 224, "aacute": 225, "acirc": 226, "atilde": 227, "auml": 228,
        "aring": 229, "aelig": 230, "ccedil": 231, "egrave": 232, "eacute": 233, "ecirc": 234, "euml": 235,
        "igrave": 236, "iacute": 237, "icirc": 238, "iuml": 239, "eth": 240, "ntilde": 241, "ograve": 242,
        "oacute": 243, "ocirc": 244, "otilde": 245, "ouml": 246, "oslash": 248, "ugrave": 249, "uacute": 250,
        "ucirc": 251, "uuml": 252, "yacute": 253, "thorn": 254, "yuml": 255,
    ]
}
