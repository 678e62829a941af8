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
    /// Where a streamed 2xx body was written (``HTTPTransport/download(_:to:timeout:)``); `body` is then empty.
    public var bodyFile: URL?

    public init(status: Int, headers: [String: String], body: Data, bodyFile: URL? = nil) {
        self.status = status; self.headers = headers; self.body = body; self.bodyFile = bodyFile
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// Sends one request; throws `TransportError` for anything that produced no HTTP response.
public protocol HTTPTransport: Sendable {
    func send(_ request: ChannelRequest, timeout: TimeInterval) async throws -> ChannelResponse
    /// Like `send`, but a 2xx body is written to `file` (which exists, empty) as it arrives and never held
    /// whole in memory: the response's `bodyFile` is `file` and its `body` is empty. Any other status comes
    /// back with its body in memory, as from `send`, and `file` left empty.
    func download(_ request: ChannelRequest, to file: URL, timeout: TimeInterval) async throws -> ChannelResponse
}

extension HTTPTransport {
    /// For transports that cannot stream (test doubles): the body is received whole, then written out.
    public func download(_ request: ChannelRequest, to file: URL, timeout: TimeInterval) async throws -> ChannelResponse {
        var response = try await send(request, timeout: timeout)
        guard (200..<300).contains(response.status) else { return response }
        try response.body.write(to: file)
        response.body = Data()
        response.bodyFile = file
        return response
    }
}

/// A failure below HTTP: connection refused, DNS, TLS, timeout. Always retryable.
public struct TransportError: Error, CustomStringConvertible, Sendable {
    public let timedOut: Bool
    public let message: String
    public var description: String { timedOut ? "request timed out" : "connection failed: \(message)" }
}

/// `HTTPTransport` over Foundation's URLSession (libcurl on Linux). No cookies, no cache, no credential store.
public final class URLSessionTransport: HTTPTransport {
    let session: URLSession
    /// The session for streamed replies, made on first use (most channels never stream).
    let streaming = StreamingSession()

    /// Both sessions' configuration: no cookies, no cache, two connections per host.
    static func configuration() -> URLSessionConfiguration {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieAcceptPolicy = .never
        configuration.httpShouldSetCookies = false
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpMaximumConnectionsPerHost = 2
        return configuration
    }

    public init() {
        // Completion handlers on a thread of their own, not the busy default pool (see `StreamingSession`).
        session = URLSession(configuration: Self.configuration(), delegate: nil,
                             delegateQueue: StreamingSession.delegateQueue(label: "ordersync.http"))
    }

    deinit {
        session.invalidateAndCancel()
        streaming.invalidate()
    }

    public func send(_ request: ChannelRequest, timeout: TimeInterval) async throws -> ChannelResponse {
        let urlRequest = Self.urlRequest(request, timeout: timeout)
        // Not `session.data(for:)`: cancelling the awaiting task while libcurl is mid-transfer can deadlock
        // swift-corelibs-foundation (#5412, fixed upstream by #5417). A data task whose `cancel()` is called
        // from another queue is safe, so SIGHUP and SIGTERM never wedge the daemon.
        let handle = TaskHandle()
        let (data, response): (Data, URLResponse) = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(Data, URLResponse), Error>) in
                let task = session.dataTask(with: urlRequest) { data, response, error in
                    if let error = error as? URLError {
                        if error.code == .cancelled {
                            continuation.resume(throwing: CancellationError())
                        } else {
                            // The URL may carry query-string credentials (query authentication): never include it.
                            continuation.resume(throwing: TransportError(timedOut: error.code == .timedOut,
                                                                         message: "URLError \(error.code.rawValue)"))
                        }
                    } else if let error {
                        continuation.resume(throwing: TransportError(timedOut: false, message: String(describing: type(of: error))))
                    } else if let response {
                        continuation.resume(returning: (data ?? Data(), response))
                    } else {
                        continuation.resume(throwing: TransportError(timedOut: false, message: "no response"))
                    }
                }
                // A write is never re-sent to a redirect's target (URLSession would replay a POST as a
                // GET there); its 3xx is answered to the caller as it came.
                if !ChannelHTTP.isIdempotent(request.method) { task.delegate = WriteRedirectRefusal.shared }
                handle.start(task)
            }
        } onCancel: {
            DispatchQueue.global().async { handle.cancel() }
        }
        return try Self.channelResponse(response, body: data)
    }

    static func urlRequest(_ request: ChannelRequest, timeout: TimeInterval) -> URLRequest {
        var urlRequest = URLRequest(url: request.url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        // swift-corelibs-foundation ignores a timeout given only to the initializer and falls back to the
        // session's 60 s; assigning the property marks it as set. Whole seconds only there: at least 1.
        urlRequest.timeoutInterval = max(1, timeout)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        urlRequest.httpBody = request.body
        return urlRequest
    }

    static func channelResponse(_ response: URLResponse, body: Data, bodyFile: URL? = nil) throws -> ChannelResponse {
        guard let http = response as? HTTPURLResponse else {
            throw TransportError(timedOut: false, message: "not an HTTP response")
        }
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let k = key as? String, let v = value as? String { headers[k.lowercased()] = v }
        }
        return ChannelResponse(status: http.statusCode, headers: headers, body: body, bodyFile: bodyFile)
    }

    /// The transport error for a failed task (never quoting the URL: it may carry credentials).
    static func transportError(_ error: Error) -> Error {
        if let error = error as? URLError {
            if error.code == .cancelled { return CancellationError() }
            return TransportError(timedOut: error.code == .timedOut, message: "URLError \(error.code.rawValue)")
        }
        return TransportError(timedOut: false, message: String(describing: type(of: error)))
    }
}

/// Refuses every redirect of the task it is set on: the 3xx becomes the task's response.
private final class WriteRedirectRefusal: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    static let shared = WriteRedirectRefusal()

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}

/// The data task of one request, cancellable from any thread, even before it has started.
final class TaskHandle: @unchecked Sendable {
    private let lock = NSLock()
    private var task: URLSessionTask?
    private var cancelled = false

    func start(_ task: URLSessionTask) {
        let cancelNow = lock.withLock { () -> Bool in
            self.task = task
            return cancelled
        }
        task.resume()
        if cancelNow { task.cancel() }
    }

    func cancel() {
        let task = lock.withLock { () -> URLSessionTask? in
            cancelled = true
            return self.task
        }
        task?.cancel()
    }
}
