import Foundation
import XCTest

@testable import ChannelSimulator

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A reply as the tests see it.
struct Reply {
    let status: Int
    let headers: [String: String]
    let body: Data

    var text: String { String(decoding: body, as: UTF8.self) }
    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
    func header(_ name: String) -> String? {
        headers.first { $0.key.lowercased() == name.lowercased() }?.value
    }
}

/// A URLSession client the way a connector would call Back Market.
struct TestClient {
    let session: URLSession
    let base: URL
    var token = "sim-token"
    var userAgent: String? = "BM-Acme-ordersync;ops@example.com"

    init(base: URL, timeout: TimeInterval = 10) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        self.session = URLSession(configuration: configuration)
        self.base = base
    }

    func send(_ method: String, _ pathAndQuery: String, json: Any? = nil) async throws -> Reply {
        guard let url = URL(string: pathAndQuery.hasPrefix("http") ? pathAndQuery : base.absoluteString + pathAndQuery) else {
            throw URLError(.badURL)
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.setValue("Basic \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let userAgent { request.setValue(userAgent, forHTTPHeaderField: "User-Agent") }
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await session.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            headers["\(key)"] = "\(value)"
        }
        return Reply(status: http.statusCode, headers: headers, body: data)
    }
}

/// A blocking TCP client for byte-level tests (garbage, chunked bodies, pipelining, hang-ups).
final class RawClient {
    let fd: Int32

    init(port: UInt16) throws {
        #if canImport(Glibc)
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw URLError(.cannotConnectToHost)
        }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func write(_ text: String) {
        _ = HTTPServer.sendAll(Data(text.utf8), to: fd)
    }

    /// Reads until the peer closes or `until` appears in what was read (or 5 s pass).
    func read(until marker: String? = nil) -> String {
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
            if let marker, String(decoding: received, as: UTF8.self).components(separatedBy: marker).count > 1 { break }
        }
        return String(decoding: received, as: UTF8.self)
    }
}

/// Builds an in-process request (no socket) the way the HTTP server would hand it over.
func makeRequest(
    _ method: String, _ path: String, query: String = "", json: Any? = nil, token: String? = "sim-token",
    userAgent: String? = "BM-Acme-ordersync;ops@example.com"
) -> HTTPRequest {
    var headers: [(name: String, value: String)] = []
    if let token { headers.append(("Authorization", "Basic \(token)")) }
    if let userAgent { headers.append(("User-Agent", userAgent)) }
    let body = json.flatMap { try? JSONSerialization.data(withJSONObject: $0) } ?? Data()
    return HTTPRequest(method: method, path: path, rawQuery: query, headers: headers, body: body)
}

extension HTTPResponse {
    var jsonObject: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
}
