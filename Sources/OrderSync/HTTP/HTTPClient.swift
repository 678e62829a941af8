import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An outgoing HTTP request.
public struct ChannelRequest: Sendable {
    public var method: String
    public var url: URL
    public var headers: [(String, String)]
    public var body: Data?

    public init(method: String, url: URL, headers: [(String, String)] = [], body: Data? = nil) {
        self.method = method; self.url = url; self.headers = headers; self.body = body
    }
}

/// A received HTTP response. Header names are lower-cased.
public struct ChannelResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String], body: Data) {
        self.status = status; self.headers = headers; self.body = body
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// Sends one request; throws `TransportError` for anything that produced no HTTP response.
public protocol HTTPTransport: Sendable {
    func send(_ request: ChannelRequest, timeout: TimeInterval) async throws -> ChannelResponse
}

/// A failure below HTTP: connection refused, DNS, TLS, timeout. Always retryable.
public struct TransportError: Error, CustomStringConvertible, Sendable {
    public let timedOut: Bool
    public let message: String
    public var description: String { timedOut ? "request timed out" : "connection failed: \(message)" }
}

/// `HTTPTransport` over Foundation's URLSession (libcurl on Linux). No cookies, no cache, no credential store.
public final class URLSessionTransport: HTTPTransport {
    private let session: URLSession

    public init() {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieAcceptPolicy = .never
        configuration.httpShouldSetCookies = false
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpMaximumConnectionsPerHost = 2
        session = URLSession(configuration: configuration)
    }

    deinit { session.invalidateAndCancel() }

    public func send(_ request: ChannelRequest, timeout: TimeInterval) async throws -> ChannelResponse {
        var urlRequest = URLRequest(url: request.url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        // swift-corelibs-foundation ignores a timeout given only to the initializer and falls back to the
        // session's 60 s; assigning the property marks it as set. Whole seconds only there: at least 1.
        urlRequest.timeoutInterval = max(1, timeout)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        urlRequest.httpBody = request.body
        do {
            let (data, response) = try await session.data(for: urlRequest)
            guard let http = response as? HTTPURLResponse else {
                throw TransportError(timedOut: false, message: "not an HTTP response")
            }
            var headers: [String: String] = [:]
            for (key, value) in http.allHeaderFields {
                if let k = key as? String, let v = value as? String { headers[k.lowercased()] = v }
            }
            return ChannelResponse(status: http.statusCode, headers: headers, body: data)
        } catch let error as URLError {
            // The URL may carry query-string credentials (WooCommerce auth=query): never include it.
            throw TransportError(timedOut: error.code == .timedOut, message: "URLError \(error.code.rawValue)")
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as TransportError {
            throw error
        } catch {
            throw TransportError(timedOut: false, message: String(describing: type(of: error)))
        }
    }
}
