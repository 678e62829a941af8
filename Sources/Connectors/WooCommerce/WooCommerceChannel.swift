import Foundation
import OrderSync

/// The WooCommerce connector (../shared/api/woocommerce.md): `GET /wp-json/wc/v3/orders` walked by
/// modification date with a frozen upper bound, cancel and complete by `PUT /orders/{id}` (status only),
/// shipments as a customer note or a Shipment Tracking entry. Every push reads the order and its
/// notes/trackings first, so a repeated job never repeats an effect (no duplicate notes, ever).
///
/// Credentials go in `Authorization: Basic` or, with `auth: query`, in the query string; in that case
/// URLs are secrets too, so no error message or log line is ever built from a URL.
public struct WooCommerceChannel: ChannelConnector {
    public let id: String
    let baseURL: URL
    let consumerKey: Secret
    let consumerSecret: Secret
    let statuses: Set<String>
    let tracking: WooCommerceSettings.Tracking
    let completeOnShip: Bool
    let auth: WooCommerceSettings.Auth
    let carriers: [String: CarrierConfig]
    let resweepDays: Int
    let http: ChannelHTTP
    let mapper: WooCommerceMapper
    let logger: Logger
    let alerts = AlertLatch()
    /// Orders already stored, skipped while unchanged (the 5 min overlap re-reads them every poll).
    let unchanged = UnchangedPayloads()
    /// The Shipment Tracking extension's provider names, read once per run.
    let providers = TrackingProviderCache()
    /// Store product ids by SKU, for mirrors (read once per run).
    let products = ProductIDCache()

    public var capabilities: ChannelCapabilities { Self.definition.capabilities }

    /// - Parameters:
    ///   - statuses: statuses whose new orders are imported (known orders are updated whatever their status).
    ///   - carriers: the config's carriers, for the Shipment Tracking link template.
    public init(id: String, baseURL: URL, consumerKey: Secret, consumerSecret: Secret,
                statuses: [String] = WooCommerceSettings.defaultStatuses, tracking: WooCommerceSettings.Tracking = .note,
                completeOnShip: Bool = true, auth: WooCommerceSettings.Auth = .basic,
                carriers: [String: CarrierConfig] = [:], resweepDays: Int, http: ChannelHTTP, logger: Logger) {
        self.id = id
        self.baseURL = baseURL
        self.consumerKey = consumerKey
        self.consumerSecret = consumerSecret
        self.statuses = Set(statuses.map(WooCommerceStatuses.canonical))
        self.tracking = tracking
        self.completeOnShip = completeOnShip
        self.auth = auth
        self.carriers = carriers
        self.resweepDays = resweepDays
        self.http = http
        self.mapper = WooCommerceMapper(channelID: id)
        self.logger = logger
    }

    // MARK: requests

    /// Which REST namespace a path is under.
    enum Namespace: String {
        case core = "wp-json/wc/v3/"
        case shipmentTracking = "wp-json/wc-shipment-tracking/v3/"
    }

    func request(_ method: String, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil,
                 namespace: Namespace = .core) -> ChannelRequest {
        var components = URLComponents(url: baseURL.appendingPathComponent(namespace.rawValue + path),
                                       resolvingAgainstBaseURL: false)!
        var items = query
        var headers: [(String, String)] = [("Accept", "application/json"), ("User-Agent", "ordersync")]
        switch auth {
        case .basic:
            let pair = Data("\(consumerKey.reveal()):\(consumerSecret.reveal())".utf8).base64EncodedString()
            headers.append(("Authorization", "Basic \(pair)"))
        case .query:
            // For hosts that strip the Authorization header. The URL now holds the secret: never log it.
            items += [("consumer_key", consumerKey.reveal()), ("consumer_secret", consumerSecret.reveal())]
        }
        if !items.isEmpty {
            components.percentEncodedQuery = items.map { "\(FormEncoding.escape($0.0))=\(FormEncoding.escape($0.1))" }
                .joined(separator: "&")
        }
        if body != nil { headers.append(("Content-Type", "application/json")) }
        return ChannelRequest(method: method, url: components.url!, headers: headers, body: body?.data)
    }

    /// Sends a request and parses its JSON. A 2xx whose body is not JSON (an HTML captcha page answered
    /// with 200 or 202, an empty body) is a retryable failure, logged loudly once per episode.
    /// - Parameter once: one attempt only, for requests that are not idempotent (a note, a tracking
    ///   entry): a timed-out POST may have succeeded, so it is never re-sent blindly; the job is retried
    ///   later, after reading the order's notes again.
    func send(_ request: ChannelRequest, operation: String, once: Bool = false) async throws -> (ChannelResponse, JSONValue?) {
        let (response, json, _) = try await send(request, operation: operation, once: once, listing: false)
        return (response, json)
    }

    /// ``send(_:operation:once:)`` that also gives, for a listing (`listing`: the reply is an array of
    /// orders), where each element lies in the body. A 2xx body is parsed once, by the check that it is
    /// JSON, and that parse is the one returned (it was parsed a second time: 5 % of a backlog import's
    /// instructions, issue 17).
    func send(_ request: ChannelRequest, operation: String, once: Bool = false,
              listing: Bool) async throws -> (ChannelResponse, JSONValue?, [Range<Int>]?) {
        // The document parsed to validate a 2xx is the one returned; `parsed` belongs to the last attempt.
        var parsed: (JSONValue, [Range<Int>]?)?
        let validate: (ChannelResponse) -> ChannelError? = { response in
            parsed = nil
            guard (200..<300).contains(response.status) else { return nil }
            parsed = listing ? try? JSONValue.parseListing(response.body, elementsOf: nil)
                : (try? JSONValue.parse(response.body)).map { ($0, nil) }
            guard parsed == nil else { return nil }
            let message = ChannelHTTP.looksLikeHTML(response.body)
                ? Self.htmlMessage : response.body.isEmpty ? "empty response instead of JSON" : "response is not valid JSON"
            return ChannelError(.retryable(retryAfter: nil), operation: operation, httpStatus: response.status, message: message)
        }
        let response: ChannelResponse
        do {
            response = once ? try await sendOnce(request, operation: operation, validate: validate)
                : try await http.send(request, operation: operation, validate: validate)
        } catch var error as ChannelError {
            if error.httpStatus == 403, error.isRetryable {
                // ChannelHTTP's firewall wording speaks of a user agent; on a shop it is the host's WAF.
                error.message = "blocked by the host's firewall (403 page): ask the host to allow this server's IP"
            }
            if error.message == Self.htmlMessage || error.httpStatus == 403, alerts.raise("html") {
                logger.error("channel answered an HTML page instead of JSON: the host's firewall or captcha blocks this server",
                             ["http_status": .int(error.httpStatus ?? 0), "operation": .string(redact(operation))])
            }
            throw scrubbed(error)
        }
        guard (200..<300).contains(response.status) else { return (response, nil, nil) }
        alerts.clear("html")
        return (response, parsed?.0, parsed?.1)
    }

    static let htmlMessage = "HTML page instead of JSON (a captcha or firewall page from the host?)"

    /// One attempt through the channel's gate (one request at a time per store), classified like
    /// `ChannelHTTP.send` but never repeated.
    private func sendOnce(_ request: ChannelRequest, operation: String,
                          validate: (ChannelResponse) -> ChannelError?) async throws -> ChannelResponse {
        try Task.checkCancellation()
        try await http.gate.acquire()
        let result: Result<ChannelResponse, Error>
        do {
            result = .success(try await http.transport.send(request, timeout: http.timeout))
        } catch {
            result = .failure(error)
        }
        await http.gate.release()
        switch result {
        case .failure(let error as TransportError):
            throw ChannelError(.retryable(retryAfter: nil), operation: operation, message: error.description)
        case .failure(let error):
            throw error
        case .success(let response):
            if let refused = ChannelHTTP.redirectRefusal(response, request: request, operation: operation) { throw refused }
            if let problem = ChannelHTTP.classify(response, operation: operation, rateLimitPause: http.rateLimitPause)
                ?? validate(response) {
                if case .retryable(let after) = problem.kind, problem.httpStatus == 429 {
                    await http.gate.block(until: Date().addingTimeInterval(after ?? http.rateLimitPause))
                }
                throw problem
            }
            return response
        }
    }

    /// Maps a non-2xx answer (`{"code","message","data":{"status"}}`) to a classified error.
    func failure(_ response: ChannelResponse, operation: String) -> ChannelError {
        let json = try? JSONValue.parse(response.body)
        let code = json?["code"]?.text
        var message = ChannelHTTP.summary(response)
        if let code, let text = json?["message"]?.text { message = "\(code): \(text)" }
        let status = response.status
        switch status {
        case 401, 403:
            var hint = ""
            let lower = message.lowercased()
            if lower.contains("consumer key is missing") || code == "woocommerce_rest_cannot_view" {
                hint = auth == .basic ? " (no credentials reached WooCommerce: the host may strip the Authorization header, or hide TLS from WordPress; try \"auth\": \"query\")" : ""
            } else if lower.contains("write permission") {
                hint = " (the REST key is read-only: create a Read/Write key)"
            }
            return scrubbed(ChannelError(.unauthorized, operation: operation, httpStatus: status, message: message + hint))
        case 404 where code == "rest_no_route" || json == nil:
            return scrubbed(ChannelError(.permanent, operation: operation, httpStatus: 404,
                                         message: message + " (is base_url the WordPress site root, with the WooCommerce REST API enabled?)"))
        case 408:
            return scrubbed(ChannelError(.retryable(retryAfter: nil), operation: operation, httpStatus: status, message: message))
        default:
            return scrubbed(ChannelError(.permanent, operation: operation, httpStatus: status, message: message))
        }
    }

    /// The error with the key and secret removed from its text (a host may echo a query string back).
    func scrubbed(_ error: ChannelError) -> ChannelError {
        var copy = error
        copy.message = redact(error.message)
        copy.operation = redact(error.operation)
        return copy
    }

    func redact(_ text: String) -> String {
        var text = text
        for secret in [consumerKey.reveal(), consumerSecret.reveal()] where secret.count >= 4 {
            text = text.replacingOccurrences(of: secret, with: "<redacted>")
        }
        return text
    }

    // MARK: reading

    /// Reads one order (trashed ones too, mapped to `cancelled`); nil when WooCommerce answers
    /// `woocommerce_rest_shop_order_invalid_id` (404). Read-only.
    public func fetchOrder(externalID: String) async throws -> FetchedOrder? {
        let operation = "get order \(externalID)"
        guard !externalID.isEmpty, externalID.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let (response, json) = try await send(request("GET", "orders/\(externalID)"), operation: operation)
        guard let json else {
            if response.status == 404, let code = (try? JSONValue.parse(response.body))?["code"]?.text, code != "rest_no_route" {
                return nil
            }
            throw failure(response, operation: operation)
        }
        return try fetched(json, response: response, operation: operation)
    }

    /// Maps an order answered by a GET or PUT; a payload that cannot be mapped is a permanent error.
    func fetched(_ json: JSONValue, response: ChannelResponse, operation: String) throws -> FetchedOrder {
        do {
            return FetchedOrder(order: try mapper.order(from: json), raw: json.data)
        } catch {
            throw ChannelError(.permanent, operation: operation, httpStatus: response.status,
                               message: "order payload not understood: \(error)")
        }
    }
}

/// Remembers which alerts were logged, so a repeating condition (a captcha page on every poll) is
/// logged loudly once, and again only after it cleared. Thread-safe.
final class AlertLatch: @unchecked Sendable {
    private let lock = NSLock()
    private var raised: Set<String> = []

    /// True the first time `key` is raised since it was last cleared.
    func raise(_ key: String) -> Bool { lock.withLock { raised.insert(key).inserted } }

    func clear(_ key: String) { _ = lock.withLock { raised.remove(key) } }
}
