import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads successive HTTP/1.x requests from one socket, keeping bytes that arrive early
/// (pipelining) for the next call. Never traps on malformed input: it reports `.invalid`.
struct RequestReader {
    enum Outcome {
        /// A complete request; `keepAlive` says whether the client allows another on this connection.
        case request(HTTPRequest, keepAlive: Bool)
        /// The peer closed, the socket errored or the idle timeout passed.
        case closed
        /// The bytes are not an acceptable request: answer `status` and close.
        case invalid(status: Int, message: String)
    }

    private let fd: Int32
    private var buffer: [UInt8] = []
    private var peerClosed = false

    init(fd: Int32) {
        self.fd = fd
    }

    mutating func next() -> Outcome {
        // 1. The head: everything up to the first blank line.
        var headEnd: Int?
        var searchFrom = 0
        while headEnd == nil {
            headEnd = Self.find([13, 10, 13, 10], in: buffer, from: searchFrom)
            if headEnd != nil { break }
            if buffer.count > HTTPServer.maxHeadBytes {
                return .invalid(status: 431, message: "request head too large")
            }
            searchFrom = max(0, buffer.count - 3)
            if !fill() {
                return buffer.isEmpty ? .closed : .invalid(status: 400, message: "incomplete request head")
            }
        }
        guard let end = headEnd else { return .closed }
        let headText = String(decoding: buffer[0..<end], as: UTF8.self)
        buffer.removeFirst(end + 4)

        var lines = headText.components(separatedBy: "\r\n")
        // Tolerate stray empty lines before the request line (RFC 9112 §2.2).
        while lines.first == "" { lines.removeFirst() }
        guard let requestLine = lines.first else { return .invalid(status: 400, message: "empty request") }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1."), !parts[0].isEmpty,
            parts[0].allSatisfy({ $0.isLetter || $0 == "-" })
        else {
            return .invalid(status: 400, message: "malformed request line")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else {
                return .invalid(status: 400, message: "malformed header line")
            }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, !name.contains(" ") else { return .invalid(status: 400, message: "malformed header name") }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers.append((name, value))
        }
        let (path, rawQuery) = Self.splitTarget(parts[1])
        var request = HTTPRequest(method: parts[0], path: path, rawQuery: rawQuery, headers: headers, version: parts[2])

        // 2. The body.
        if request.header("Expect")?.lowercased() == "100-continue" {
            _ = HTTPServer.sendAll(Data("HTTP/1.1 100 Continue\r\n\r\n".utf8), to: fd)
        }
        if let encoding = request.header("Transfer-Encoding"), encoding.lowercased().contains("chunked") {
            switch readChunkedBody() {
            case .success(let body): request.body = body
            case .failure(let failure): return failure.outcome
            }
        } else if let lengthText = request.header("Content-Length") {
            guard let length = Int(lengthText), length >= 0 else {
                return .invalid(status: 400, message: "invalid Content-Length")
            }
            guard length <= HTTPServer.maxBodyBytes else { return .invalid(status: 413, message: "body too large") }
            while buffer.count < length {
                if !fill() { return .closed }
            }
            request.body = Data(buffer[0..<length])
            buffer.removeFirst(length)
        }

        // 3. Persistence: HTTP/1.1 keeps the connection unless told otherwise; 1.0 only when asked.
        let connection = request.header("Connection")?.lowercased() ?? ""
        let keepAlive: Bool
        if request.version == "HTTP/1.0" {
            keepAlive = connection.contains("keep-alive")
        } else {
            keepAlive = !connection.contains("close")
        }
        return .request(request, keepAlive: keepAlive)
    }

    // MARK: - Helpers

    private struct Failure: Error {
        let outcome: Outcome
    }

    private mutating func readChunkedBody() -> Result<Data, Failure> {
        var body = Data()
        while true {
            guard let line = readLine() else { return .failure(Failure(outcome: .closed)) }
            let sizeText = line.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size >= 0 else {
                return .failure(Failure(outcome: .invalid(status: 400, message: "malformed chunk size")))
            }
            if size == 0 {
                // Trailer fields, up to the blank line.
                while true {
                    guard let trailer = readLine() else { return .failure(Failure(outcome: .closed)) }
                    if trailer.isEmpty { return .success(body) }
                }
            }
            guard body.count + size <= HTTPServer.maxBodyBytes else {
                return .failure(Failure(outcome: .invalid(status: 413, message: "body too large")))
            }
            while buffer.count < size + 2 {
                if !fill() { return .failure(Failure(outcome: .closed)) }
            }
            body.append(contentsOf: buffer[0..<size])
            guard buffer[size] == 13, buffer[size + 1] == 10 else {
                return .failure(Failure(outcome: .invalid(status: 400, message: "malformed chunk")))
            }
            buffer.removeFirst(size + 2)
        }
    }

    /// One CRLF-terminated line (without the CRLF); nil when the peer closed first.
    private mutating func readLine() -> String? {
        var from = 0
        while true {
            if let end = Self.find([13, 10], in: buffer, from: from) {
                let line = String(decoding: buffer[0..<end], as: UTF8.self)
                buffer.removeFirst(end + 2)
                return line
            }
            if buffer.count > HTTPServer.maxHeadBytes { return nil }
            from = max(0, buffer.count - 1)
            if !fill() { return nil }
        }
    }

    /// Appends whatever the socket has; false on EOF, error or idle timeout.
    private mutating func fill() -> Bool {
        if peerClosed { return false }
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                buffer.append(contentsOf: chunk[0..<count])
                return true
            }
            if count < 0 && errno == EINTR { continue }
            peerClosed = true
            return false
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == needle[0] {
                var matched = true
                for offset in 1..<needle.count where haystack[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }

    /// Splits a request target into a decoded path and the raw query. Accepts origin-form
    /// (`/a?b`) and absolute-form (`http://host/a?b`).
    static func splitTarget(_ target: String) -> (String, String) {
        var rest = Substring(target)
        if let scheme = rest.range(of: "://") {
            rest = rest[scheme.upperBound...]
            rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? "/"
        }
        let pathPart: Substring
        let queryPart: Substring
        if let mark = rest.firstIndex(of: "?") {
            pathPart = rest[..<mark]
            queryPart = rest[rest.index(after: mark)...]
        } else {
            pathPart = rest
            queryPart = ""
        }
        let rawPath = String(pathPart.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        let query = String(queryPart.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        let path = rawPath.removingPercentEncoding ?? rawPath
        return (path.isEmpty ? "/" : path, query)
    }
}
