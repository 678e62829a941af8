import Foundation
import OrderSync

/// An export reply can hold a whole 10-day window: thousands of `<order>` elements, tens of megabytes.
/// Parsed as one tree it cost more memory than the rest of the daemon, and every poll re-parsed and
/// re-mapped orders that had not changed. So the `<order>` elements are cut out of the (sanitized, UTF-8)
/// document as byte ranges first: the rest, the envelope, is parsed as before (result code, structure,
/// truncation), and each order is parsed only when its bytes are new (see ``UnchangedPayloads``), in
/// batches, its own bytes kept as its raw payload.
extension SpartooXML {
    /// A document with its top-level `<order>` elements cut out.
    struct Split {
        /// The document without those elements (its `<orders>` list left empty).
        var envelope: Data
        /// Each `<order>…</order>` (or `<order/>`), in document order; slices of the prepared document.
        var orders: [Data]
    }

    /// Finds every `<order>` element outside comments, CDATA sections and processing instructions, by
    /// bytes. Nil when the document is not cut cleanly (an `<order>` left open: a truncated body, or a
    /// nested one): the caller then parses it whole, which reports the problem as before. Tag names are
    /// matched in lower case as Spartoo writes them; other spellings stay in the envelope and are read
    /// from the tree as before.
    static func splitOrders(_ document: Data) -> Split? {
        document.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> Split? in
            let bytes = buffer.bindMemory(to: UInt8.self)
            let count = bytes.count
            var ranges: [Range<Int>] = []
            var start: Int?
            var i = 0
            let scan = SpartooXMLBytes(bytes)
            func matches(_ marker: [UInt8], at index: Int) -> Bool { scan.matches(marker, at: index) }
            func skip(to marker: [UInt8], from index: Int) -> Int? { scan.skip(to: marker, from: index) }
            func endsName(_ index: Int) -> Bool { index < count && SpartooXMLBytes.endsName(bytes[index]) }
            func tagEnd(_ index: Int) -> (Int, Bool)? { scan.tagEnd(index) }
            while i < count {
                // Straight to the next `<` (memchr).
                guard let hit = memchr(bytes.baseAddress! + i, Int32(UInt8(ascii: "<")), count - i) else { break }
                i = UnsafePointer(bytes.baseAddress!).distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if matches(commentStart, at: i) {
                    guard let next = skip(to: commentEnd, from: i + 4) else { return nil }
                    i = next
                } else if matches(cdataStart, at: i) {
                    guard let next = skip(to: cdataEnd, from: i + 9) else { return nil }
                    i = next
                } else if matches(piStart, at: i) {
                    guard let next = skip(to: piEnd, from: i + 2) else { return nil }
                    i = next
                } else if matches(orderOpen, at: i), endsName(i + orderOpen.count) {
                    guard start == nil, let (next, empty) = tagEnd(i + orderOpen.count) else { return nil }
                    if empty { ranges.append(i..<next) } else { start = i }
                    i = next
                } else if matches(orderClose, at: i), endsName(i + orderClose.count) {
                    guard let open = start, let (next, _) = tagEnd(i + orderClose.count) else { return nil }
                    ranges.append(open..<next)
                    start = nil
                    i = next
                } else {
                    i += 1
                }
            }
            guard start == nil else { return nil }
            var envelope = Data()
            envelope.reserveCapacity(count - ranges.reduce(0) { $0 + $1.count })
            var last = 0
            for range in ranges {
                envelope.append(bytes.baseAddress! + last, count: range.lowerBound - last)
                last = range.upperBound
            }
            envelope.append(bytes.baseAddress! + last, count: count - last)
            let base = document.startIndex
            return Split(envelope: envelope, orders: ranges.map { document[(base + $0.lowerBound)..<(base + $0.upperBound)] })
        }
    }

    /// Parses cut-out `<order>` elements, many per parser run; an element that is not well-formed is
    /// reported on its own (its batch is parsed again one by one) and never spoils the others.
    static func parseOrders(_ segments: [Data], batch: Int = 100) -> [Result<SpartooXMLElement, ParseError>] {
        var results: [Result<SpartooXMLElement, ParseError>] = []
        results.reserveCapacity(segments.count)
        var index = 0
        while index < segments.count {
            let chunk = segments[index..<min(index + batch, segments.count)]
            var document = Data("<orders>".utf8)
            document.reserveCapacity(chunk.reduce(17) { $0 + $1.count })
            for segment in chunk { document.append(segment) }
            document.append(contentsOf: Array("</orders>".utf8))
            if let root = try? parsePrepared(document), root.children.count == chunk.count {
                results += root.children.map { .success($0) }
            } else {
                for segment in chunk {
                    results.append(Result { () throws(ParseError) -> SpartooXMLElement in try parsePrepared(segment) })
                }
            }
            index += batch
        }
        return results
    }

    /// The text of the first `<orders_id>` in an order's bytes when it is plain text or one CDATA section
    /// (no other markup, no entity), else nil: enough to name an unchanged order without parsing it.
    static func plainOrderID(_ segment: Data) -> String? {
        segment.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> String? in
            let bytes = buffer.bindMemory(to: UInt8.self)
            guard let open = find(idOpen, in: bytes, from: 0),
                  let close = find(idClose, in: bytes, from: open + idOpen.count) else { return nil }
            var lower = open + idOpen.count, upper = close
            if upper - lower >= cdataStart.count + cdataEnd.count, find(cdataStart, in: bytes, from: lower) == lower,
               bytes[upper - 3] == UInt8(ascii: "]"), bytes[upper - 2] == UInt8(ascii: "]"), bytes[upper - 1] == UInt8(ascii: ">") {
                lower += cdataStart.count
                upper -= cdataEnd.count
            }
            let value = UnsafeBufferPointer(rebasing: bytes[lower..<upper])
            guard !value.contains(UInt8(ascii: "<")), !value.contains(UInt8(ascii: "&")),
                  !value.contains(UInt8(ascii: "]")) else { return nil }
            let text = String(decoding: value, as: UTF8.self).trimmingWhitespaceAndNewlines()
            return text.isEmpty ? nil : text
        }
    }

    /// The first index of `marker` in `bytes` at or after `start`.
    private static func find(_ marker: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let first = marker.first, marker.count <= bytes.count else { return nil }
        var i = start
        let last = bytes.count - marker.count
        outer: while i <= last {
            if bytes[i] == first {
                for k in 1..<marker.count where bytes[i + k] != marker[k] { i += 1; continue outer }
                return i
            }
            i += 1
        }
        return nil
    }

    private static let idOpen = Array("<orders_id>".utf8)
    private static let idClose = Array("</orders_id>".utf8)
    private static let orderOpen = Array("<order".utf8)
    private static let orderClose = Array("</order".utf8)
    private static let commentStart = Array("<!--".utf8)
    private static let commentEnd = Array("-->".utf8)
    private static let cdataStart = Array("<![CDATA[".utf8)
    private static let cdataEnd = Array("]]>".utf8)
    private static let piStart = Array("<?".utf8)
    private static let piEnd = Array("?>".utf8)
}
