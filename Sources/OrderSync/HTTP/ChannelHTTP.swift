import Foundation

/// The HTTP side of one channel: the transport, pacing through a `RequestGate`, a request timeout,
/// a small number of in-call retries for retryable outcomes (with `Retry-After` honoured), and the
/// classification of every response. Connectors build requests; this sends them.
public struct ChannelHTTP: Sendable {
    public let transport: any HTTPTransport
    public let gate: RequestGate
    public let timeout: TimeInterval
    /// Attempts per call for retryable outcomes (1 = no in-call retry).
    public let attempts: Int
    /// Wait after a 429 that carries no `Retry-After`.
    public let rateLimitPause: TimeInterval
    public let logger: Logger
    /// What the channel's error bodies add to their message (e.g. the offending fields), appended to
    /// ``summary(_:detail:)`` of every error this client reports; nil: nothing. Set by the connector.
    public var errorDetail: ErrorDetail?

    /// Reads a channel's extra error detail from a parsed JSON error body (nil: none in this body).
    public typealias ErrorDetail = @Sendable (JSONValue) -> String?

    public init(transport: any HTTPTransport, minimumSpacing: TimeInterval, burst: Int = 1, timeout: TimeInterval = 30,
                attempts: Int = 3, rateLimitPause: TimeInterval = 10, logger: Logger) {
        self.transport = transport
        self.gate = RequestGate(minimumSpacing: minimumSpacing, burst: burst)
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.rateLimitPause = rateLimitPause
        self.logger = logger
    }

    /// This client, reporting `detail` from error bodies too.
    public func describingErrorBodies(with detail: @escaping ErrorDetail) -> ChannelHTTP {
        var copy = self
        copy.errorDetail = detail
        return copy
    }

    /// Sends `request`; returns the response for any status the caller should interpret itself
    /// (2xx, 4xx other than 429). Throws `ChannelError.retryable` after the last attempt for connection
    /// errors, timeouts, 429, 5xx and WAF pages; `classify` lets the connector mark a 2xx as bad (non-JSON).
    /// Writes (POST, PATCH…) are retried here only after a 429 or a WAF block; other retryable failures
    /// are thrown at once, since the channel may have applied them.
    /// With `bodyDirectory`, a 2xx body is streamed to a new file there (see ``ReplyFiles``), handed back as
    /// the response's `bodyFile`: the caller removes it. A file whose response is not returned is removed here.
    public func send(_ request: ChannelRequest, operation: String, bodyDirectory: URL? = nil,
                     validate: (ChannelResponse) -> ChannelError? = { _ in nil }) async throws -> ChannelResponse {
        var lastError: ChannelError?
        for attempt in 1...attempts {
            try Task.checkCancellation()
            try await gate.acquire()
            let result: Result<ChannelResponse, Error>
            var file: URL?
            do {
                if let bodyDirectory {
                    file = try ReplyFiles.create(in: bodyDirectory)
                    result = .success(try await transport.download(request, to: file!, timeout: timeout))
                } else {
                    result = .success(try await transport.send(request, timeout: timeout))
                }
            } catch let error as CocoaError {
                result = .failure(TransportError(timedOut: false, message: "cannot create a reply file in the state directory (\(error.code.rawValue))"))
            } catch {
                result = .failure(error)
            }
            await gate.release()
            var returned = false
            defer { if !returned, let file { ReplyFiles.remove(file) } }
            let failure: ChannelError
            switch result {
            case .failure(let error as TransportError):
                failure = ChannelError(.retryable(retryAfter: nil), operation: operation, message: error.description)
            case .failure(let error):
                throw error  // cancellation
            case .success(let response):
                if let refused = ChannelHTTP.redirectRefusal(response, request: request, operation: operation) { throw refused }
                if let problem = ChannelHTTP.classify(response, operation: operation, rateLimitPause: rateLimitPause,
                                                      detail: errorDetail) ?? validate(response) {
                    failure = problem
                } else {
                    returned = true
                    return response
                }
            }
            lastError = failure
            guard case .retryable(let retryAfter) = failure.kind else { throw failure }
            if failure.httpStatus == 429 {
                await gate.block(until: Date().addingTimeInterval(retryAfter ?? rateLimitPause))
            }
            // A write that may have reached the channel (5xx, timeout, lost connection, unreadable 2xx) is
            // not sent again here: the caller reads the channel before any re-push. Only a 429 or a WAF
            // block, answered at the edge, is certain not to have been applied.
            let refusedAtEdge = failure.httpStatus == 429 || failure.httpStatus == 403
            guard attempt < attempts, refusedAtEdge || ChannelHTTP.isIdempotent(request.method) else { break }
            let pause = failure.httpStatus == 429 ? 0 : min(4.0, 0.25 * pow(2.0, Double(attempt - 1))) * Double.random(in: 0.8...1.2)
            logger.debug("request retried", ["operation": .string(operation), "attempt": .int(attempt),
                                             "error": .string(failure.description)])
            try await Task.sleep(nanoseconds: UInt64(pause * 1_000_000_000))
        }
        throw lastError!
    }

    /// Methods safe to repeat within one call (RFC 9110 §9.2.2, minus PUT/DELETE: no channel needs them here).
    public static func isIdempotent(_ method: String) -> Bool {
        ["GET", "HEAD", "OPTIONS"].contains(method.uppercased())
    }

    /// Classifies statuses every channel shares: 429, 5xx, WAF/captcha 403s (``isFirewallBlock(_:)``). Others
    /// pass, including any other 403, for the connector to report with its text.
    public static func classify(_ response: ChannelResponse, operation: String, rateLimitPause: TimeInterval,
                                detail: ErrorDetail? = nil) -> ChannelError? {
        let status = response.status
        if status == 429 {
            let after = response.header("retry-after").flatMap { TimeInterval($0.trimmingWhitespace()) }
            return ChannelError(.retryable(retryAfter: after ?? rateLimitPause), operation: operation, httpStatus: 429,
                                message: "rate limited")
        }
        if status >= 500 {
            return ChannelError(.retryable(retryAfter: nil), operation: operation, httpStatus: status,
                                message: ChannelHTTP.summary(response, detail: detail))
        }
        if status == 403, isFirewallBlock(response) {
            return ChannelError(.retryable(retryAfter: nil), operation: operation, httpStatus: 403,
                                message: "blocked by the channel's firewall (check user_agent)")
        }
        return nil
    }

    /// A 403 from a WAF in front of the API (Cloudflare): an HTML page, a `bot-need-challenge` error,
    /// or a `cf-ray` header on a body that is not JSON. Every reply through Cloudflare carries `cf-ray`, so a
    /// JSON 403 without `bot-need-challenge` is the API's own refusal: permanent, with its text kept.
    static func isFirewallBlock(_ response: ChannelResponse) -> Bool {
        if looksLikeHTML(response.body) { return true }
        if String(decoding: response.body.prefix(2000), as: UTF8.self).contains("bot-need-challenge") { return true }
        return response.header("cf-ray") != nil && jsonBody(response.body) == nil
    }

    /// True when a body starts like an HTML page (captcha, WAF, error page).
    public static func looksLikeHTML(_ body: Data) -> Bool {
        let head = String(decoding: body.prefix(512), as: UTF8.self).trimmingWhitespaceAndNewlines().lowercased()
        return head.hasPrefix("<!doctype html") || head.hasPrefix("<html") || head.hasPrefix("<head") || head.hasPrefix("<body")
    }

    /// A JSON object or array body (as a JSON error body is); nil for anything else. Strict, as
    /// Foundation's reader is: a leading zero or an unpaired surrogate makes a body text, not JSON.
    static func jsonBody(_ body: Data) -> JSONValue? {
        let options = JSONReadOptions(maxDepth: 512, maxNumberLength: .max, strict: true, keepRepeatedKeys: false)
        guard let value = try? JSONValue.parse(body, options: options) else { return nil }
        switch value {
        case .object, .array: return value
        default: return nil
        }
    }

    /// A short, secret-free summary of an error body: the channel's message if it is JSON (plus what
    /// `detail` reads from it), else the first line of text.
    public static func summary(_ response: ChannelResponse, detail: ErrorDetail? = nil) -> String {
        if looksLikeHTML(response.body) { return "HTML page instead of an API response" }
        if let object = jsonBody(response.body), var text = findMessage(object) {
            if let extra = detail?(object) { text += " " + extra }
            return String(text.prefix(300))
        }
        let text = String(decoding: response.body.prefix(300), as: UTF8.self)
            .split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return text.isEmpty ? "empty body" : text
    }

    private static func findMessage(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): return text
        case .object:
            for key in ["message", "detail", "error_description"] { if case .string(let text)? = value[key] { return text } }
            if let error = value["error"] {
                if case .string(let text) = error { return text }
                if let message = findMessage(error) { return message }
            }
            if let first = value["errors"]?.array?.first { return findMessage(first) }
            if case .string(let code)? = value["code"] { return code }
            return nil
        default: return nil
        }
    }
}
