import Foundation
import OrderSync

/// A reply streamed to a file (see `ReplyFiles`) is read from that file in chunks, never whole: the
/// `<order>` elements are located by bytes as in ``SpartooXML/splitOrders(_:)`` (only their offsets are
/// kept), the small envelope is parsed as before, and each order's bytes are read back, converted to
/// UTF-8 and repaired a batch at a time. Memory does not grow with the size of the reply.
extension SpartooXML {
    /// The `<order>` elements of a reply file, by position.
    struct FileOrders: Sendable {
        let file: URL
        /// Each element's byte range in the file, in document order.
        let ranges: [Range<Int>]
        /// The declared single-byte encoding (`latin9` for ISO-8859-15), or nil for UTF-8 (or undeclared).
        let singleByte: Bool?

        /// The elements at `indices`, as UTF-8 repaired like a whole document (``prepare(_:)``). An element
        /// that is not valid UTF-8 (in a document that claims UTF-8) is read as Windows-1252.
        func segments(_ indices: Range<Int>) throws -> [Data] {
            guard let first = indices.first, let last = indices.last else { return [] }
            let handle = try FileHandle(forReadingFrom: file)
            defer { try? handle.close() }
            let lower = ranges[first].lowerBound, upper = ranges[last].upperBound
            try handle.seek(toOffset: UInt64(lower))
            let span = try handle.read(upToCount: upper - lower) ?? Data()
            guard span.count == upper - lower else { throw CocoaError(.fileReadCorruptFile) }
            return indices.map { index in
                let range = ranges[index]
                let raw = span.subdata(in: (range.lowerBound - lower)..<(range.upperBound - lower))
                return SpartooXML.sanitize(utf8Segment(raw))
            }
        }

        private func utf8Segment(_ raw: Data) -> Data {
            if let latin9 = singleByte { return Data(SpartooXML.decodeSingleByte([UInt8](raw), latin9: latin9).utf8) }
            if raw.withUnsafeBytes(ByteLanes.isValidUTF8) { return raw }
            return Data(SpartooXML.decodeSingleByte([UInt8](raw), latin9: false).utf8)
        }
    }

    /// A reply file's envelope (the document without its `<order>` elements, prepared and parsed) and its
    /// orders. Nil when the file cannot be read this way: UTF-16, or not cut cleanly (a truncated body, a
    /// nested `<order>`); the caller then reads it whole, which reports the problem as before. The envelope
    /// is as in the file (not yet through ``prepare(_:)``).
    static func splitFile(_ file: URL, chunkSize: Int = chunkSize) throws -> (envelope: Data, orders: FileOrders)? {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var scanner = StreamScanner()
        var buffer: [UInt8] = []
        var base = 0
        var singleByte: Bool?
        var atStart = true
        while true {
            let chunk = try handle.read(upToCount: chunkSize) ?? Data()
            buffer.append(contentsOf: chunk)
            if atStart {
                atStart = false
                if buffer.starts(with: [0xFF, 0xFE]) || buffer.starts(with: [0xFE, 0xFF]) { return nil }
                let head = buffer.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(buffer.dropFirst(3).prefix(300)) : Array(buffer.prefix(300))
                switch declaredEncoding(head)?.lowercased() {
                case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "windows-1252", "cp1252", "us-ascii", "ascii":
                    singleByte = false
                case "iso-8859-15", "iso8859-15", "latin9", "latin-9":
                    singleByte = true
                default:
                    singleByte = nil
                }
            }
            let final = chunk.isEmpty
            let consumed = buffer.withUnsafeBufferPointer { scanner.scan($0, base: base, final: final) }
            if scanner.failed { return nil }
            if final { break }
            buffer.removeFirst(consumed)
            base += consumed
        }
        if scanner.entityDeclaration {
            throw ParseError(reason: "entity declarations are not accepted", line: 0, column: 0)
        }
        return (scanner.envelope, FileOrders(file: file, ranges: scanner.ranges, singleByte: singleByte))
    }

    /// The fingerprint of a file's bytes, equal to `UnchangedPayloads.fingerprint(bytes:scope:)` of its contents.
    static func fingerprint(file: URL, scope: String) throws -> Int {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: 0)
        // Segment by segment, as ``UnchangedPayloads/fingerprint(bytes:scope:)`` hashes the same bytes in memory.
        var hasher = PayloadHasher(scope: scope, length: Int(size))
        while let chunk = try handle.read(upToCount: PayloadHasher.segment), !chunk.isEmpty {
            chunk.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
        return hasher.finalize()
    }

    /// Bytes read from a reply file at a time: at the mmap threshold (`MallocTuning`), so a chunk and its
    /// copy cost 0.5 MB at the moment of reading, not the 2 MB that 1 MB chunks did (idle VmHWM, issue 17).
    static let chunkSize = 256 << 10
}

/// ``SpartooXML/splitOrders(_:)`` over a document that arrives in buffers: each `scan` returns how many
/// bytes it is done with; the rest (a construct not yet complete) is handed to it again with more after.
private struct StreamScanner {
    var ranges: [Range<Int>] = []
    var envelope = Data()
    var failed = false
    var entityDeclaration = false
    /// Where the open `<order>` starts (absolute), if one is open.
    private var start: Int?
    /// The first envelope byte not yet copied (absolute).
    private var envelopeFrom = 0

    mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>, base: Int, final: Bool) -> Int {
        let consumed = scanBytes(bytes, base: base, final: final)
        if final, start != nil { failed = true }
        if start == nil, !failed {
            let end = final ? base + bytes.count : base + consumed
            if end > envelopeFrom {
                envelope.append(bytes.baseAddress! + (envelopeFrom - base), count: end - envelopeFrom)
                envelopeFrom = end
            }
        }
        return consumed
    }

    private mutating func scanBytes(_ bytes: UnsafeBufferPointer<UInt8>, base: Int, final: Bool) -> Int {
        let count = bytes.count
        let scan = SpartooXMLBytes(bytes)
        func matches(_ marker: [UInt8], at index: Int) -> Bool { scan.matches(marker, at: index) }
        func skip(to marker: [UInt8], from index: Int) -> Int? { scan.skip(to: marker, from: index) }
        func endsName(_ b: UInt8) -> Bool { SpartooXMLBytes.endsName(b) }
        func tagEnd(_ index: Int) -> (Int, Bool)? { scan.tagEnd(index) }
        var i = 0
        while i < count {
            guard let hit = memchr(bytes.baseAddress! + i, Int32(UInt8(ascii: "<")), count - i) else { return count }
            i = UnsafePointer(bytes.baseAddress!).distance(to: hit.assumingMemoryBound(to: UInt8.self))
            // Not enough bytes to tell what starts here: wait for more.
            if !final, i + Marker.longest >= count { return i }
            if matches(Marker.commentStart, at: i) {
                guard let next = skip(to: Marker.commentEnd, from: i + 4) else { return final ? fail(count) : i }
                i = next
            } else if matches(Marker.cdataStart, at: i) {
                guard let next = skip(to: Marker.cdataEnd, from: i + 9) else { return final ? fail(count) : i }
                i = next
            } else if matches(Marker.piStart, at: i) {
                guard let next = skip(to: Marker.piEnd, from: i + 2) else { return final ? fail(count) : i }
                i = next
            } else if matches(Marker.entity, at: i) {
                entityDeclaration = true
                i += 1
            } else if matches(Marker.orderOpen, at: i), i + Marker.orderOpen.count < count, endsName(bytes[i + Marker.orderOpen.count]) {
                guard start == nil else { return fail(count) }
                guard let (next, empty) = tagEnd(i + Marker.orderOpen.count) else { return final ? fail(count) : i }
                if !empty { start = base + i }
                copyEnvelope(bytes, base: base, upTo: base + i)
                if empty { ranges.append((base + i)..<(base + next)); envelopeFrom = base + next }
                i = next
            } else if matches(Marker.orderClose, at: i), i + Marker.orderClose.count < count, endsName(bytes[i + Marker.orderClose.count]) {
                guard let open = start else { return fail(count) }
                guard let (next, _) = tagEnd(i + Marker.orderClose.count) else { return final ? fail(count) : i }
                ranges.append(open..<(base + next))
                start = nil
                envelopeFrom = base + next
                i = next
            } else {
                i += 1
            }
        }
        return count
    }

    private mutating func copyEnvelope(_ bytes: UnsafeBufferPointer<UInt8>, base: Int, upTo end: Int) {
        guard end > envelopeFrom else { return }
        envelope.append(bytes.baseAddress! + (envelopeFrom - base), count: end - envelopeFrom)
        envelopeFrom = end
    }

    private mutating func fail(_ count: Int) -> Int {
        failed = true
        return count
    }

    private enum Marker {
        static let orderOpen = Array("<order".utf8)
        static let orderClose = Array("</order".utf8)
        static let commentStart = Array("<!--".utf8)
        static let commentEnd = Array("-->".utf8)
        static let cdataStart = Array("<![CDATA[".utf8)
        static let cdataEnd = Array("]]>".utf8)
        static let piStart = Array("<?".utf8)
        static let piEnd = Array("?>".utf8)
        static let entity = Array("<!ENTITY".utf8)
        static let longest = 9
    }
}
