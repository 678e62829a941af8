import Foundation

/// A faithful, in-process simulator of a WooCommerce store's REST API (`/wp-json/wc/v3/`) and the
/// Shipment Tracking extension (`/wp-json/wc-shipment-tracking/v3/`), served over HTTP on 127.0.0.1,
/// with fault injection, a journal of every request and the list of effects (status changes, notes,
/// trackings, e-mails) it applied.
///
/// What it implements (see `shared/api/woocommerce.md` §2–6): Basic auth (accepted over loopback HTTP,
/// a deliberate deviation: real stores take Basic only over TLS) and `consumer_key`/`consumer_secret`
/// query auth, read/write key permissions and WooCommerce's 401 texts, a switch stripping the
/// `Authorization` header; `GET /orders` with `page`, `per_page` (1–100, else 400 `rest_invalid_param`),
/// `offset`, `order`, `orderby` (date, id, include, title, slug, modified), `after`/`before`,
/// `modified_after`/`modified_before`, `dates_are_gmt`, `status` (default `any`: no trash, no drafts),
/// `include`/`exclude`, `search`, paging headers and `[]` past the end; local and `_gmt` date pairs in a
/// site zone (default Europe/Paris) including the shift of a bound written with `Z`; `GET`/`PUT`/`DELETE
/// /orders/{id}`, `POST /orders/batch` (≤ 100 items, else 413); order notes (`type` filter, `customer_note`);
/// Shipment Tracking entries and providers (switchable to absent: 404 `rest_no_route`); and the faults in
/// ``Fault``.
///
/// Thread-safe: each request is handled atomically under one lock (only an injected slow reply waits
/// outside it).
public final class WooCommerceSimulator: @unchecked Sendable {
    /// Settings that change behaviour; read and replaced at runtime through ``configuration``.
    public struct Configuration: Sendable {
        /// The site's time zone (WordPress → Settings → General); plain dates are written in it.
        public var timeZone = TimeZone(identifier: "Europe/Paris") ?? TimeZone(secondsFromGMT: 3600)!
        /// Whether the Shipment Tracking extension is active (else its routes answer 404 `rest_no_route`).
        public var shipmentTrackingInstalled = true
        /// The host strips `Authorization` before PHP sees it: Basic credentials never arrive.
        public var stripAuthorization = false
        /// List `checkout-draft` / `auto-draft` orders under `status=any` (WooCommerce versions differ; default false).
        public var draftsInAny = false
        /// Statuses registered by plugins (listable, settable by PUT).
        public var pluginStatuses: [String] = ["awaiting-pickup"]
        /// `GET /orders/{id}` bumps `date_modified` (woocommerce#41226: viewing an order can touch it).
        public var getBumpsModified = false
        /// `after`/`before` bounds are inclusive (WP_Date_Query's default is exclusive; uncertain, notes §7).
        public var inclusiveBounds = false
        /// Refuse odd transitions such as `completed` → `processing` with 400 (real stores allow anything).
        public var strictTransitions = false
        /// The site moved: every request is answered `redirectStatus` with a `Location` on this site (same
        /// path and query), as WordPress's canonical redirect does for `shop.com` → `www.shop.com`. Nothing applied.
        public var redirectEverythingTo: URL?
        /// 301 (moved permanently) or 302, 307, 308.
        public var redirectStatus = 301
        /// `per_page` when absent.
        public var defaultPerPage = 10
        /// The journal keeps about the latest this many requests.
        public var journalLimit = 100_000
        public init() {}
    }

    /// A REST API key (WooCommerce → Settings → Advanced → REST API).
    public struct APIKey: Sendable, Equatable {
        public enum Permissions: String, Sendable { case read, write, readWrite = "read_write" }
        public var consumerKey: String
        public var consumerSecret: String
        public var permissions: Permissions
        /// The WordPress user the key belongs to (author of the notes it adds).
        public var user: String

        public init(consumerKey: String, consumerSecret: String, permissions: Permissions = .readWrite, user: String = "shop-manager") {
            self.consumerKey = consumerKey; self.consumerSecret = consumerSecret; self.permissions = permissions; self.user = user
        }
    }

    /// The default key pair (`ck_sim…` / `cs_sim…`), read/write.
    public static let defaultKey = APIKey(consumerKey: "ck_sim0123456789abcdef", consumerSecret: "cs_sim0123456789abcdef")

    let clock: @Sendable () -> Date
    private let lock = NSLock()
    private var state: State
    private let server: HTTPServer
    private let serverBox: WooServerBox

    /// Creates a stopped simulator with no orders.
    /// - Parameters:
    ///   - keys: accepted API keys.
    ///   - clock: the time source for dates (inject ``SimulatorClock/now()`` to move time in tests).
    public init(keys: [APIKey] = [WooCommerceSimulator.defaultKey], configuration: Configuration = Configuration(),
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.clock = clock
        self.state = State(keys: keys, configuration: configuration)
        let box = WooServerBox()
        self.serverBox = box
        self.server = HTTPServer { request in
            guard let simulator = box.simulator else { return .text(503, "simulator gone") }
            return simulator.handle(request)
        }
        box.simulator = self
    }

    deinit { server.stop() }

    /// Starts serving on 127.0.0.1 (port 0 = ephemeral).
    public func start(port: UInt16 = 0) throws {
        try server.start(port: port)
        let bound = server.port
        withState { $0.port = bound }
    }

    /// Stops the server; orders, journal and faults are kept. Idempotent.
    public func stop() { server.stop() }

    /// The bound port (0 when stopped).
    public var port: UInt16 { server.port }

    /// `http://127.0.0.1:PORT` — the store's site URL (the connector's `base_url`).
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(server.port)") ?? URL(fileURLWithPath: "/") }

    /// The current settings; assigning replaces them for the following requests.
    public var configuration: Configuration {
        get { withState { $0.configuration } }
        set { withState { $0.configuration = newValue } }
    }

    /// Changes the settings atomically.
    public func updateConfiguration(_ change: (inout Configuration) -> Void) { withState { change(&$0.configuration) } }

    /// Replaces the accepted keys (a revoked key → 401 "Consumer key is invalid.").
    public func setKeys(_ keys: [APIKey]) { withState { $0.keys = keys } }

    /// Runs `body` with exclusive access to the state. Not re-entrant.
    func withState<T>(_ body: (inout State) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }

    // MARK: - Request pipeline

    /// Answers one request: injected faults, auth, routing; then journals it. Callable without sockets.
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let now = Date(timeIntervalSince1970: clock().timeIntervalSince1970.rounded(.down))
        var delay: TimeInterval = 0
        let response: HTTPResponse = withState { state in
            state.requestCounter += 1
            var label: String?
            var response: HTTPResponse
            if let target = state.configuration.redirectEverythingTo {
                label = "redirect"
                response = Self.redirect(request, to: target, status: state.configuration.redirectStatus)
            } else if let fault = state.takeFault(for: request) {
                label = fault.label
                if let early = fault.responseBeforeProcessing() {
                    response = early
                } else {
                    response = fault.transform(route(request, now: now, state: &state))
                    if case .slow(let seconds) = fault { delay = seconds }
                }
            } else {
                response = route(request, now: now, state: &state)
            }
            state.journal.append(JournalEntry(sequence: state.requestCounter, time: now, request: request,
                                              status: response.abortConnection ? 0 : response.status,
                                              responseBody: response.body.prefix(JournalEntry.maxStoredBodyBytes), fault: label))
            let limit = max(1, state.configuration.journalLimit)
            if state.journal.count > limit + limit / 10 { state.journal.removeFirst(state.journal.count - limit) }
            return response
        }
        if delay > 0 {
            let wasServing = server.isRunning
            let deadline = Date().addingTimeInterval(delay)
            while deadline.timeIntervalSinceNow > 0 {
                Thread.sleep(forTimeInterval: min(deadline.timeIntervalSinceNow, 0.05))
                if wasServing && !server.isRunning { return .dropConnection }
            }
        }
        return response
    }

    /// Dispatches on the REST namespace, authenticates, then routes on method and path.
    private func route(_ request: HTTPRequest, now: Date, state: inout State) -> HTTPResponse {
        let segments = request.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard segments.first == "wp-json" else { return Self.themeNotFoundPage() }
        let namespace = segments.dropFirst().prefix(2).joined(separator: "/")
        let rest = Array(segments.dropFirst(3))
        let trackingRoute = namespace == "wc-shipment-tracking/v3"
        guard namespace == "wc/v3" || (trackingRoute && state.configuration.shipmentTrackingInstalled) else {
            return Self.noRoute()
        }
        let key: APIKey
        switch authenticate(request, state: state) {
        case .success(let found): key = found
        case .failure(let denied): return denied.response
        }
        let writes = !["GET", "HEAD", "OPTIONS"].contains(request.method)
        if writes && key.permissions == .read {
            return Self.error(401, "woocommerce_rest_authentication_error", "The API key provided does not have write permissions.")
        }
        if !writes && key.permissions == .write {
            return Self.error(401, "woocommerce_rest_authentication_error", "The API key provided does not have read permissions.")
        }
        if trackingRoute { return routeTracking(request, rest: rest, key: key, now: now, state: &state) }
        switch (request.method, rest.count) {
        case ("GET", 1) where rest[0] == "orders": return listOrders(request, now: now, state: &state)
        case ("POST", 1) where rest[0] == "orders": return createOrder(request, key: key, now: now, state: &state)
        case ("GET", 1) where rest[0] == "products": return listProducts(request, state: state)
        case ("POST", 2) where rest[0] == "orders" && rest[1] == "batch": return batch(request, key: key, now: now, state: &state)
        case (_, 2) where rest[0] == "orders":
            guard let id = Int(rest[1]) else { return Self.noRoute() }
            switch request.method {
            case "GET": return getOrder(id, now: now, state: &state)
            case "PUT", "POST", "PATCH": return updateOrder(id, request: request, key: key, now: now, state: &state)
            case "DELETE": return deleteOrder(id, request: request, now: now, state: &state)
            default: return Self.noRoute()
            }
        case (_, 3) where rest[0] == "orders" && rest[2] == "notes":
            guard let id = Int(rest[1]) else { return Self.noRoute() }
            switch request.method {
            case "GET": return listNotes(id, request: request, state: state)
            case "POST": return addNote(id, request: request, key: key, now: now, state: &state)
            default: return Self.noRoute()
            }
        case (_, 3) where rest[0] == "orders" && rest[2] == "refunds":
            guard let id = Int(rest[1]) else { return Self.noRoute() }
            return routeRefunds(request, orderID: id, refundID: nil, now: now, state: &state)
        case (_, 4) where rest[0] == "orders" && rest[2] == "refunds":
            guard let id = Int(rest[1]), let refundID = Int(rest[3]) else { return Self.noRoute() }
            return routeRefunds(request, orderID: id, refundID: refundID, now: now, state: &state)
        case (_, 4) where rest[0] == "orders" && rest[2] == "notes":
            guard let id = Int(rest[1]), let noteID = Int(rest[3]) else { return Self.noRoute() }
            switch request.method {
            case "GET": return getNote(id, noteID: noteID, state: state)
            case "DELETE": return deleteNote(id, noteID: noteID, request: request, now: now, state: &state)
            default: return Self.noRoute()
            }
        default:
            return Self.noRoute()
        }
    }

    struct Denied: Error { let response: HTTPResponse }

    /// WooCommerce's REST authentication: query parameters first, then Basic; unknown key or wrong
    /// secret → 401 `woocommerce_rest_authentication_error`; no credentials → 401 `…_cannot_view`.
    private func authenticate(_ request: HTTPRequest, state: State) -> Result<APIKey, Denied> {
        var pair: (String, String)?
        let query = request.query
        if let key = query["consumer_key"], let secret = query["consumer_secret"], !key.isEmpty, !secret.isEmpty {
            pair = (key, secret)
        } else if !state.configuration.stripAuthorization, let header = request.header("Authorization") {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "basic",
               let decoded = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
               let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":") {
                pair = (String(text[..<colon]), String(text[text.index(after: colon)...]))
            }
        }
        guard let (consumerKey, consumerSecret) = pair else {
            if state.configuration.stripAuthorization && request.header("Authorization") != nil {
                return .failure(Denied(response: Self.error(401, "woocommerce_rest_authentication_error", "Consumer key is missing.")))
            }
            let verb = request.method == "GET" ? (request.path.hasSuffix("/orders") ? "list resources" : "view this resource")
                : request.method == "POST" ? "create resources" : request.method == "DELETE" ? "delete this resource" : "edit this resource"
            let code = request.method == "GET" ? "woocommerce_rest_cannot_view"
                : request.method == "POST" ? "woocommerce_rest_cannot_create" : "woocommerce_rest_cannot_edit"
            return .failure(Denied(response: Self.error(401, code, "Sorry, you cannot \(verb).")))
        }
        guard let key = state.keys.first(where: { $0.consumerKey == consumerKey }) else {
            return .failure(Denied(response: Self.error(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.")))
        }
        guard key.consumerSecret == consumerSecret else {
            return .failure(Denied(response: Self.error(401, "woocommerce_rest_authentication_error", "Consumer secret is invalid.")))
        }
        return .success(key)
    }

    // MARK: - Canned replies

    /// `{"code","message","data":{"status"}}`, WordPress's REST error shape.
    static func error(_ status: Int, _ code: String, _ message: String, data: [String: Any] = [:]) -> HTTPResponse {
        var payload: [String: Any] = ["status": status]
        for (key, value) in data { payload[key] = value }
        return .json(status, ["code": code, "message": message, "data": payload] as [String: Any])
    }

    static func noRoute() -> HTTPResponse {
        error(404, "rest_no_route", "No route was found matching the URL and request method.")
    }

    static func invalidParam(_ name: String, _ reason: String) -> HTTPResponse {
        error(400, "rest_invalid_param", "Invalid parameter(s): \(name)", data: ["params": [name: reason]])
    }

    static func invalidOrderID() -> HTTPResponse {
        error(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
    }

    /// `status` with `Location` = `target`'s origin and path prefix + the request's path and query.
    static func redirect(_ request: HTTPRequest, to target: URL, status: Int) -> HTTPResponse {
        let base = target.absoluteString.hasSuffix("/") ? String(target.absoluteString.dropLast()) : target.absoluteString
        let location = base + request.path + (request.rawQuery.isEmpty ? "" : "?" + request.rawQuery)
        return HTTPResponse(status: status, headers: [("Location", location), ("Content-Type", "text/html; charset=UTF-8")])
    }

    /// The theme's 404 page for paths outside `/wp-json/`.
    static func themeNotFoundPage() -> HTTPResponse {
        .html(404, "<!DOCTYPE html><html lang=\"fr-FR\"><head><title>Page non trouvée – Boutique</title></head><body class=\"error404\"><h1>Oups ! Cette page est introuvable.</h1></body></html>")
    }
}

/// Breaks the reference cycle simulator → server → handler → simulator.
private final class WooServerBox: @unchecked Sendable {
    private let lock = NSLock()
    private weak var stored: WooCommerceSimulator?

    var simulator: WooCommerceSimulator? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
