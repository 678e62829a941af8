import Foundation

/// One parsed HTTP/1.1 request as handed to an ``HTTPServer`` handler.
///
/// Values only: a request never refers back to its connection, so handlers may keep it (the
/// simulators journal them).
public struct HTTPRequest: Sendable {
    /// The method exactly as sent (`GET`, `POST`, `PATCH`…); methods are case-sensitive in HTTP.
    public var method: String
    /// The percent-decoded path without the query (`/ws/orders/40012345`).
    public var path: String
    /// The raw query string as sent, without the `?` (empty when there was none).
    public var rawQuery: String
    /// Query parameters in the order they were sent, percent-decoded, `+` read as a space
    /// (form encoding, as Django does). A name without `=` has an empty value.
    public var queryItems: [(name: String, value: String)]
    /// Header fields in the order they were sent, names as sent. Use ``header(_:)`` to look one up.
    public var headers: [(name: String, value: String)]
    /// The request body (de-chunked when it came with `Transfer-Encoding: chunked`).
    public var body: Data
    /// `HTTP/1.1` or `HTTP/1.0`.
    public var version: String

    /// Builds a request by hand (tests; the server uses the same initializer).
    public init(
        method: String, path: String, rawQuery: String = "", headers: [(name: String, value: String)] = [],
        body: Data = Data(), version: String = "HTTP/1.1"
    ) {
        self.method = method
        self.path = path
        self.rawQuery = rawQuery
        self.queryItems = HTTPRequest.parseQuery(rawQuery)
        self.headers = headers
        self.body = body
        self.version = version
    }

    /// Query parameters as a dictionary; when a name repeats, the last value wins (as Django's `QueryDict.get`).
    public var query: [String: String] {
        var result: [String: String] = [:]
        for item in queryItems { result[item.name] = item.value }
        return result
    }

    /// The value of the first header field named `name`, compared case-insensitively; nil when absent.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// Splits a raw query string into decoded name/value pairs. Never fails: undecodable
    /// percent sequences are kept verbatim.
    public static func parseQuery(_ raw: String) -> [(name: String, value: String)] {
        guard !raw.isEmpty else { return [] }
        return raw.split(separator: "&", omittingEmptySubsequences: true).map { part in
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = formDecode(String(pieces[0]))
            let value = pieces.count > 1 ? formDecode(String(pieces[1])) : ""
            return (name, value)
        }
    }

    /// Form-decodes one query component: `+` becomes a space, then percent escapes are resolved.
    static func formDecode(_ text: String) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}

/// An HTTP response produced by a handler. The server adds `Content-Length`, `Date` and
/// `Connection` itself; any `Content-Length` or `Connection` given here is replaced.
public struct HTTPResponse: Sendable {
    /// The status code (`200`, `404`, `429`…).
    public var status: Int
    /// Header fields in the order they are to be sent.
    public var headers: [(name: String, value: String)]
    /// The body, sent as is (not sent for `HEAD` requests).
    public var body: Data
    /// When true the server closes the connection after writing this response.
    public var closeConnection: Bool
    /// When true the server writes nothing and drops the connection (simulates a reset mid-request).
    public var abortConnection: Bool

    /// A response with the given parts; the connection stays open for the next request.
    public init(status: Int, headers: [(name: String, value: String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
        self.closeConnection = false
        self.abortConnection = false
    }

    /// A JSON response whose body is `data`, sent verbatim (it need not be valid JSON).
    public static func json(_ status: Int, _ data: Data) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: data)
    }

    /// A JSON response serializing `object` (dictionaries, arrays, strings, numbers, `NSNull`)
    /// with sorted keys. An object that cannot be serialized yields a 500 with a plain-text body
    /// instead of crashing.
    public static func json(_ status: Int, _ object: Any) -> HTTPResponse {
        if let data = SimJSON.data(object) { return json(status, data) }
        guard JSONSerialization.isValidJSONObject(object),
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else {
            return .text(500, "simulator could not serialize its JSON reply")
        }
        return json(status, data)
    }

    /// A `text/plain; charset=utf-8` response.
    public static func text(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Data(text.utf8))
    }

    /// A `text/html; charset=utf-8` response.
    public static func html(_ status: Int, _ html: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "text/html; charset=utf-8")], body: Data(html.utf8))
    }

    /// A marker response: the server drops the connection without writing anything.
    public static var dropConnection: HTTPResponse {
        var response = HTTPResponse(status: 0)
        response.abortConnection = true
        return response
    }

    /// The value of the first header named `name` (case-insensitive); nil when absent.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// Returns a copy with `name` set to `value`, replacing any earlier field of that name.
    public func setting(header name: String, _ value: String) -> HTTPResponse {
        var copy = self
        let wanted = name.lowercased()
        copy.headers.removeAll { $0.name.lowercased() == wanted }
        copy.headers.append((name, value))
        return copy
    }

    /// The body as UTF-8 text (lossy), for tests and logs.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The standard reason phrase for a status code (`Unknown` for unlisted ones).
    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 200: return "OK"
        case 201: return "Created"
        case 204: return "No Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 304: return "Not Modified"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 411: return "Length Required"
        case 413: return "Payload Too Large"
        case 422: return "Unprocessable Entity"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return "Unknown"
        }
    }
}
