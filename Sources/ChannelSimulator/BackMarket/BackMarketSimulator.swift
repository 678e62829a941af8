import Foundation

/// A faithful, in-process simulator of Back Market's seller orders API (`/ws/`), served over
/// HTTP on 127.0.0.1, with fault injection and a journal of every request and applied effect.
///
/// What it implements (see `shared/api/backmarket.md` §2–6): `Authorization: Basic <token>`
/// (401 otherwise), mandatory `User-Agent` (403 Cloudflare HTML otherwise, switchable),
/// `GET /ws/orders` with `state`, `date_creation`, `date_modification`, `country_code`, `page`,
/// `page-size` filters and absolute `next`/`previous`, `GET`/`POST /ws/orders/{id}` with the line
/// state machine, `PATCH /ws/orderlines/{id}`, a Cloudflare-style rate limit, and the faults in
/// ``Fault``.
///
/// Thread-safe: every method may be called from any thread while the server runs; each HTTP
/// request is handled atomically under one lock (only an injected ``Fault/slow(seconds:)``
/// delay happens outside it). One instance stands for one platform and environment
/// (e.g. EU production): run several instances for several regions.
public final class BackMarketSimulator: @unchecked Sendable {
    /// Settings that change behaviour; read and replaced at runtime through ``configuration``.
    public struct Configuration: Sendable {
        /// A request without `User-Agent` gets the Cloudflare 403 HTML page (default true).
        public var requireUserAgent = true
        /// More than this many requests inside ``rateWindow`` → 429 and a block (nil disables; default 200).
        public var rateLimit: Int? = 200
        /// The rolling window of the rate limit, seconds (default 10).
        public var rateWindow: TimeInterval = 10
        /// How long a client that went over the limit gets only 429s, seconds (default 10).
        public var blockSeconds: TimeInterval = 10
        /// Whether 429 replies carry `Retry-After` (Back Market documents none; default false).
        public var sendRetryAfter = false
        /// Seconds between all live lines reaching 3 and the order turning 9 (default 0: at once).
        public var shippedOrderDelay: TimeInterval = 0
        /// `page-size` when absent or not a positive integer (default 10).
        public var defaultPageSize = 10
        /// Larger `page-size` values are clamped to this (Django REST framework's `max_page_size`
        /// behaviour; default 50). No 400 is sent for a large page size.
        public var maxPageSize = 50
        /// The order of list results; ``ListOrdering/dateModification`` makes modified orders move
        /// to the end, so a walk that is under way skips one (default ``ListOrdering/orderID``).
        public var listOrdering: ListOrdering = .orderID
        /// Base for `next`/`previous` links, e.g. `https://www.backmarket.fr/bm/merchants/orders`
        /// to check that clients take only `page` from them. Nil: `http://127.0.0.1:PORT/ws/orders`.
        public var linkBase: String?
        /// When non-nil, a ship call whose `shipper` is not in this set gets 400 (default nil: any name, as the
        /// spec types `UpdateOrder.shipper` as a free string). `Set(specShippers)` refuses names outside the OAS list.
        public var knownShippers: Set<String>?
        /// Whether replies carry `server: cloudflare` and `cf-ray` like the real edge (default true).
        public var cloudflareHeaders = true
        /// The journal keeps about the latest this many requests (default 100 000; up to 10 % more
        /// before it is trimmed), so soak runs stay bounded.
        public var journalLimit = 100_000
        /// `GET /ws/sav` requests allowed per rolling minute before 429 (OAS: 520; nil disables).
        public var careListPerMinute: Int? = 520
        /// Base for the care list's `next`/`previous` links; nil: `http://127.0.0.1:PORT/ws/sav/`.
        public var careLinkBase: String?

        /// Default settings, matching the real API as far as the notes know it.
        public init() {}
    }

    /// Sort order of `GET /ws/orders` results (both ascending, ties broken by order id).
    public enum ListOrdering: Sendable {
        case orderID
        case dateModification
    }

    /// Back Market's shipper names: the OAS `Shipper` enum, verbatim (tests check it equals
    /// `Tests/Fixtures/specs/backmarket/Shipper.json`). For ``Configuration/knownShippers``.
    public static let specShippers: [String] = [
        "Allied Express", "Aramex Australia", "Australia Post", "Australia Post Express", "Austrian Post", "BPost",
        "BRT", "Chronopost", "Chronopost Express", "ColisPrivé", "Colissimo", "Correos", "Correos Express",
        "Couriers Please", "CTT", "Cubyn", "Cubyn Express", "DB Schenker", "Deutsche Post", "DHL", "DHL DE",
        "DHL Express", "DHL  EXPRESS", "DHL NL", "DHL Parcel Spain", "DHL SP", "DPD", "DPD Benelux", "DPD DE",
        "DPD FR", "DPD International", "DPD UK", "DPD UK Express", "DTDC Australia", "FedEx", "FedEx - 2Days",
        "FedEx Express", "FedEx International", "FedEx - Overnight", "Geodis",
        "Girard Agediss - Livraison dans la pièce de votre choix sur RDV", "GLS", "GLS - DE", "GLS - FR",
        "GLS International", "GLS - IT", "GLS-SPAIN", "GLS Spain Express", "Hermes - DE", "Hermes - UK",
        "Japan Post", "Livraison au pied du camion", "Livraison dans la pièce de votre choix", "Logoix", "MRW",
        "Murfy transporteur", "NACEX", "ParcelForce Express", "Parcelforce (Worldwide)", "Parcelpoint Pty Ltd",
        "Poste Italiane", "Post NL", "Private Transporter", "Royal Mail", "Royal Mail Express", "Sagawa", "Seino",
        "Sendle", "Seur", "Socolissimo", "Star Track Express", "TIPSA", "TIPSA Express", "TNT", "TNT Australia",
        "TNT Express", "Tourline", "UPS", "UPS 2 days", "UPS 2nd Day Air", "UPS Express", "UPS express save",
        "UPS Ground", "UPS next day", "UPS Overnight", "UPS standard", "USPS", "USPS Express", "USPS - First Class",
        "USPS - Priority Mail", "USPS - Priority Mail Express", "VIR", "Yamato", "Zeleris", "Other",
    ]

    let clock: @Sendable () -> Date
    private let lock = NSLock()
    /// All mutable simulator state; touch only through ``withState(_:)``.
    private var state: State
    private let server: HTTPServer
    private let serverBox: ServerBox

    /// Creates a stopped simulator with no orders.
    /// - Parameters:
    ///   - tokens: accepted values of `Authorization: Basic <token>` (verbatim comparison).
    ///   - configuration: behaviour settings; see ``Configuration``.
    ///   - clock: the time source for dates, delays, scheduled payments and the rate limit
    ///     (inject ``SimulatorClock/now()`` to move time in tests).
    public init(
        tokens: [String] = ["sim-token"], configuration: Configuration = Configuration(),
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.clock = clock
        self.state = State(tokens: Set(tokens), configuration: configuration)
        let box = ServerBox()
        self.serverBox = box
        self.server = HTTPServer { request in
            guard let simulator = box.simulator else { return .text(503, "simulator gone") }
            return simulator.handle(request)
        }
        box.simulator = self
    }

    deinit {
        server.stop()
    }

    /// Starts serving on 127.0.0.1 (port 0 = ephemeral). Throws ``HTTPServerError`` when binding fails.
    public func start(port: UInt16 = 0) throws {
        try server.start(port: port)
        let bound = server.port
        withState { $0.port = bound }
    }

    /// Stops the server and closes all connections; orders, journal and faults are kept. Idempotent.
    public func stop() {
        server.stop()
    }

    /// The bound port (0 when stopped).
    public var port: UInt16 { server.port }

    /// `http://127.0.0.1:PORT` — the connector's base URL (paths are under `/ws/`).
    public var baseURL: URL {
        URL(string: "http://127.0.0.1:\(server.port)") ?? URL(fileURLWithPath: "/")
    }

    /// The current settings; assigning replaces them for the following requests.
    public var configuration: Configuration {
        get { withState { $0.configuration } }
        set { withState { $0.configuration = newValue } }
    }

    /// Changes the settings atomically (no request sees a half-applied change).
    public func updateConfiguration(_ change: (inout Configuration) -> Void) {
        withState { change(&$0.configuration) }
    }

    /// Replaces the accepted tokens (e.g. to simulate a revoked token → 401).
    public func setTokens(_ tokens: [String]) {
        withState { $0.tokens = Set(tokens) }
    }

    /// Runs `body` with exclusive access to the state. Not re-entrant.
    func withState<T>(_ body: (inout State) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }

    // MARK: - Request pipeline

    /// Answers one HTTP request: rate limit, injected faults, `User-Agent`, auth, routing;
    /// then journals it. Also callable directly (without sockets) from unit tests.
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let now = clock()
        var delay: TimeInterval = 0
        let response: HTTPResponse = withState { state in
            state.applyScheduledChanges(now: now)
            state.requestCounter += 1
            var label: String?
            var response: HTTPResponse
            if let limited = state.rateLimitResponse(now: now) {
                response = limited
                label = "rate-limit"
            } else if let fault = state.takeFault(for: request) {
                label = fault.label
                if let early = fault.responseBeforeProcessing(state: state) {
                    response = early
                } else {
                    let processed = route(request, now: now, state: &state)
                    response = fault.transform(processed)
                    if case .slow(let seconds) = fault { delay = seconds }
                }
            } else {
                response = route(request, now: now, state: &state)
            }
            if state.configuration.cloudflareHeaders && !response.abortConnection {
                response = response.setting(header: "server", "cloudflare")
                    .setting(header: "cf-ray", String(format: "%016llx-CDG", UInt64(state.requestCounter) &* 0x9E37_79B9))
            }
            state.journal.append(
                JournalEntry(
                    sequence: state.requestCounter, time: now, request: request,
                    status: response.abortConnection ? 0 : response.status,
                    responseBody: response.body.prefix(JournalEntry.maxStoredBodyBytes), fault: label))
            // Trimmed in batches so a full journal does not shift the whole array on every request.
            let limit = max(1, state.configuration.journalLimit)
            if state.journal.count > limit + limit / 10 {
                state.journal.removeFirst(state.journal.count - limit)
            }
            return response
        }
        // Outside the lock: other requests go on while this reply is held back. Real time, not
        // the simulator clock: the point is to outlast a client's timeout.
        if delay > 0 {
            let wasServing = server.isRunning
            let deadline = Date().addingTimeInterval(delay)
            while true {
                let remaining = deadline.timeIntervalSinceNow
                if remaining <= 0 { break }
                Thread.sleep(forTimeInterval: min(remaining, 0.05))
                // `stop()` frees held threads at once; their connections are gone anyway.
                if wasServing && !server.isRunning { return .dropConnection }
            }
        }
        return response
    }

    /// Checks the `User-Agent` and token, then dispatches on method and path.
    private func route(_ request: HTTPRequest, now: Date, state: inout State) -> HTTPResponse {
        let userAgent = request.header("User-Agent") ?? ""
        if state.configuration.requireUserAgent && userAgent.trimmingCharacters(in: .whitespaces).isEmpty {
            return Self.cloudflareBlockPage(reason: "missing User-Agent")
        }
        guard Self.isAuthorized(request, tokens: state.tokens) else {
            return .json(401, Self.errorBody(code: "unauthorized", message: "Authentication credentials were not provided or are invalid.", state: state))
        }
        let segments = request.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        switch (request.method, segments.count) {
        case (_, 2) where segments == ["ws", "sav"]:
            guard request.method == "GET" else { return Self.methodNotAllowed(request.method) }
            return listCareFolders(request, now: now, state: &state)
        case (_, 2) where segments == ["ws", "orders"]:
            guard request.method == "GET" else { return Self.methodNotAllowed(request.method) }
            return listOrders(request, now: now, state: &state)
        case (_, 3) where segments[0] == "ws" && segments[1] == "orders":
            guard let id = Int(segments[2]) else { return Self.notFoundPage() }
            switch request.method {
            case "GET": return getOrder(id, state: state)
            case "POST": return updateOrder(id, request: request, now: now, state: &state)
            default: return Self.methodNotAllowed(request.method)
            }
        case (_, 3) where segments[0] == "ws" && segments[1] == "orderlines":
            guard let id = Int(segments[2]) else { return Self.notFoundPage() }
            guard request.method == "PATCH" else { return Self.methodNotAllowed(request.method) }
            return patchOrderLine(id, request: request, now: now, state: &state)
        default:
            // Back Market: `GET /ws/` and unknown paths are a 404 HTML page, not JSON.
            return Self.notFoundPage()
        }
    }

    static func isAuthorized(_ request: HTTPRequest, tokens: Set<String>) -> Bool {
        guard let value = request.header("Authorization") else { return false }
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "basic" else { return false }
        return tokens.contains(parts[1].trimmingCharacters(in: .whitespaces))
    }
}

/// Breaks the reference cycle simulator → server → handler → simulator.
private final class ServerBox: @unchecked Sendable {
    private let lock = NSLock()
    private weak var stored: BackMarketSimulator?

    var simulator: BackMarketSimulator? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
