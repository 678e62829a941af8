import Foundation

extension SpartooSimulator {
    /// Where a request's parameters came from (Spartoo takes GET, urlencoded or multipart alike, API notes §2).
    public enum BodyKind: String, Sendable {
        case query, urlencoded, multipart
    }

    /// The request's parameters: the query string, then the body (urlencoded or multipart/form-data) on top.
    /// Values are UTF-8; `+` is a space in urlencoded forms.
    static func parameters(of request: HTTPRequest) -> (values: [String: String], kind: BodyKind) {
        var values = request.query
        var kind = BodyKind.query
        let contentType = request.header("Content-Type")?.lowercased() ?? ""
        if !request.body.isEmpty {
            if contentType.hasPrefix("multipart/form-data"), let boundary = boundary(request.header("Content-Type") ?? "") {
                for (name, value) in multipart(request.body, boundary: boundary) { values[name] = value }
                kind = .multipart
            } else if contentType.isEmpty || contentType.hasPrefix("application/x-www-form-urlencoded") {
                for item in HTTPRequest.parseQuery(String(decoding: request.body, as: UTF8.self)) { values[item.name] = item.value }
                kind = .urlencoded
            }
        }
        return (values, kind)
    }

    /// The `boundary` of a multipart Content-Type (quoted or not).
    static func boundary(_ contentType: String) -> String? {
        for part in contentType.split(separator: ";") {
            let pair = part.trimmingCharacters(in: .whitespaces)
            guard pair.lowercased().hasPrefix("boundary=") else { continue }
            var value = String(pair.dropFirst("boundary=".count))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// The named fields of a multipart/form-data body (files are read as text too).
    static func multipart(_ body: Data, boundary: String) -> [(String, String)] {
        let bytes = [UInt8](body)
        let delimiter = Array("--\(boundary)".utf8)
        var fields: [(String, String)] = []
        var starts: [Int] = []
        var i = 0
        while i + delimiter.count <= bytes.count {
            if bytes[i] == delimiter[0], Array(bytes[i..<(i + delimiter.count)]) == delimiter {
                starts.append(i)
                i += delimiter.count
            } else {
                i += 1
            }
        }
        for (index, start) in starts.enumerated() where index + 1 < starts.count {
            var partStart = start + delimiter.count
            // Skip the CRLF after the delimiter.
            if partStart + 1 < bytes.count, bytes[partStart] == 13, bytes[partStart + 1] == 10 { partStart += 2 }
            var partEnd = starts[index + 1]
            if partEnd >= 2, bytes[partEnd - 2] == 13, bytes[partEnd - 1] == 10 { partEnd -= 2 }
            guard partStart < partEnd else { continue }
            let part = Array(bytes[partStart..<partEnd])
            guard let split = headerEnd(part) else { continue }
            let head = String(decoding: part[..<split], as: UTF8.self)
            let value = String(decoding: part[(split + 4)...], as: UTF8.self)
            guard let name = dispositionName(head) else { continue }
            fields.append((name, value))
        }
        return fields
    }

    private static func headerEnd(_ part: [UInt8]) -> Int? {
        guard part.count >= 4 else { return nil }
        for k in 0...(part.count - 4) where part[k] == 13 && part[k + 1] == 10 && part[k + 2] == 13 && part[k + 3] == 10 {
            return k
        }
        return nil
    }

    /// `name="…"` of the Content-Disposition header.
    private static func dispositionName(_ head: String) -> String? {
        for line in head.components(separatedBy: "\r\n") where line.lowercased().hasPrefix("content-disposition") {
            guard let range = line.range(of: "; name=\"") ?? line.range(of: ";name=\"") else { continue }
            let rest = line[range.upperBound...]
            return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
        }
        return nil
    }
}
