import Foundation

/// A faithful, in-process simulator of Spartoo's partner order webservices (`shared/api/spartoo.md`
/// §2–6), one HTTP server per site on 127.0.0.1 (point the connector's `hosts` at ``baseURL(site:)``),
/// with fault injection, a journal of every request and a list of applied effects.
///
/// What it implements: `/mp/xml_export_orders.php` (`date` in Paris time, or `oID`; optional `statut`),
/// `/mp/xml_maj_orders.php` (`oID`, `statut` 2/3/41, `tracking_number` with 3) with Spartoo's transition
/// rules, `/mp/xml_export_bl.php` (`xml` → base64 PDF); parameters from the query, a urlencoded or a
/// multipart body alike; the codes −1/−2/−428 (partner), −3/−5/−11/−12/−15 (parameters), −6 (unknown order,
/// also an order of another site), −7 (illegal move), −9 (same status), −429 (hourly quota per host),
/// all under HTTP 200; orders keyed by (site, `orders_id`); timed events (new orders, 3 → 45/47,
/// auto-cancel); and the faults in ``Fault``.
///
/// Thread-safe: each request is handled atomically under one lock (only a ``Fault/slow(seconds:)`` delay
/// happens outside it).
public final class SpartooSimulator: @unchecked Sendable {
    /// Settings that change behaviour; read and replaced at runtime through ``configuration``.
    public struct Configuration: Sendable {
        /// Calls allowed per site and clock hour before −429 (nil: no quota; default 2000, unpublished for real).
        public var hourlyQuota: Int? = 2000
        /// Accept the English docs' `partner` / `status` as aliases of `partenaire` / `statut` (default false).
        public var acceptEnglishAliases = false
        /// Whether `xml_maj_orders.php` takes `statut` 45/47 (the page lists the moves, its `statut` row says
        /// 2, 3 or 41 only): false answers −5 "Statut invalide" as a refusal would.
        public var acceptsParcelOutcomes = true
        /// Which date the export's `date` filters on (default: the purchase date).
        public var dateFilter: DateFilter = .purchased
        /// How error codes are written (default: as each script documents them).
        public var errorShape: ErrorShape = .byScript
        /// Body encoding of replies (default UTF-8).
        public var encoding: BodyEncoding = .utf8
        /// Amounts written with a decimal comma (`89,90`).
        public var decimalComma = false
        /// Whether a shipped order's export carries `<tracking_number>` (undocumented; default true).
        public var exportTrackingNumber = true
        /// A new order (status 11) appears every this many seconds, on each site in turn (nil: never).
        public var newOrderEvery: TimeInterval?
        /// Orders at 3 move to `status` (45 lost, 47 returned undelivered, 41 cancelled late) this long after
        /// shipping (nil: never).
        public var shippedOutcome: ShippedOutcome?
        /// Orders left at 11 this long after purchase are cancelled (41) by Spartoo (nil: never, the default).
        public var autoCancelAfter: TimeInterval?
        /// Which product reference a delivery-slip request's `reference_partenaire` must carry (default: the
        /// partner's product-level `products_reference`); any other reference is answered −12.
        public var slipReference: SlipReference = .product
        /// The journal keeps about the latest this many requests.
        public var journalLimit = 100_000

        public init() {}
    }

    /// Which order date the export's `date` parameter compares with.
    public enum DateFilter: Sendable { case purchased, modified }

    /// How error codes are written.
    public enum ErrorShape: Sendable {
        /// Export: `<root><statut><id>N</id><description/></statut></root>`; update and slip: `<root><errors>N</errors></root>`.
        case byScript
        /// `<root><errors><error><id>N</id><description/></error></errors></root>` everywhere.
        case nested
        /// A bare integer body (`-2`).
        case loneInteger
    }

    /// The reference form `xml_export_bl.php` knows products by.
    public enum SlipReference: Sendable {
        /// `products_reference`, the partner's product-level reference (Spartoo's `reference_partenaire`).
        case product
        /// `products_size_reference` only (an account keyed by size references; tests the client's fallback).
        case size
    }

    /// Reply body encoding.
    public enum BodyEncoding: Sendable { case utf8, isoLatin1 }

    /// A timed move of shipped orders to 45 or 47.
    public struct ShippedOutcome: Sendable {
        public var status: Int
        public var after: TimeInterval
        public init(status: Int, after: TimeInterval) { self.status = status; self.after = after }
    }

    /// The scripts served under `/mp/`.
    public static let scripts = ["xml_export_orders.php", "xml_maj_orders.php", "xml_export_bl.php",
                                 "xml_export_returns.php", "xml_maj_returns.php"]

    /// Every result code the simulator answers: Spartoo's documented table for the order and slip scripts
    /// (`Tests/Fixtures/specs/spartoo/codes.json` without the return-label codes −22…−25).
    public static let codes = [1, -1, -2, -3, -5, -6, -7, -9, -11, -12, -15, -428, -429]

    let clock: @Sendable () -> Date
    public let sites: [String]
    private let lock = NSLock()
    private var state: State
    private var servers: [String: HTTPServer] = [:]
    private let box = SpartooServerBox()

    /// Creates a stopped simulator with no orders.
    /// - Parameters:
    ///   - partnerIDs: accepted `partenaire` values (16 uppercase hex in real life).
    ///   - sites: one server per site (`fr`, `es`…); orders belong to one site each.
    ///   - clock: time source for dates, the quota hour and timed events (``SimulatorClock/now()`` in tests).
    public init(partnerIDs: [String] = ["0A1B2C3D4E5F6789"], sites: [String] = ["fr"],
                configuration: Configuration = Configuration(), clock: @escaping @Sendable () -> Date = { Date() }) {
        self.clock = clock
        self.sites = sites.isEmpty ? ["fr"] : sites
        self.state = State(partners: Set(partnerIDs), configuration: configuration, start: clock())
        for site in self.sites {
            let box = self.box
            servers[site] = HTTPServer { request in
                guard let simulator = box.simulator else { return .text(503, "simulator gone") }
                return simulator.handle(request, site: site)
            }
        }
        box.simulator = self
    }

    deinit { stop() }

    /// Starts one server per site on 127.0.0.1 (ephemeral ports). Throws ``HTTPServerError``.
    public func start() throws {
        for site in sites { try servers[site]?.start() }
    }

    /// Stops every server; orders, journal and faults are kept. Idempotent.
    public func stop() {
        for server in servers.values { server.stop() }
    }

    /// `http://127.0.0.1:PORT` of `site` (scripts are under `/mp/`).
    public func baseURL(site: String) -> URL {
        URL(string: "http://127.0.0.1:\(servers[site]?.port ?? 0)") ?? URL(fileURLWithPath: "/")
    }

    /// The `hosts` map for a channel config: site → base URL string.
    public var hosts: [String: String] {
        Dictionary(uniqueKeysWithValues: sites.map { ($0, baseURL(site: $0).absoluteString) })
    }

    /// The current settings; assigning replaces them for the following requests.
    public var configuration: Configuration {
        get { withState { $0.configuration } }
        set { withState { $0.configuration = newValue } }
    }

    /// Changes the settings atomically.
    public func updateConfiguration(_ change: (inout Configuration) -> Void) {
        withState { change(&$0.configuration) }
    }

    /// Replaces the accepted partner ids (e.g. to simulate a revoked id → −2).
    public func setPartnerIDs(_ ids: [String]) { withState { $0.partners = Set(ids) } }

    /// Marks partner ids as deactivated (→ −428) or active again.
    public func setDeactivated(_ ids: [String]) { withState { $0.deactivated = Set(ids) } }

    func withState<T>(_ body: (inout State) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }

    // MARK: - Request pipeline

    /// Answers one request to `site`'s server: timed events, faults, then the script; journals it.
    /// Also callable without sockets from unit tests.
    public func handle(_ request: HTTPRequest, site: String) -> HTTPResponse {
        let now = clock()
        var delay: TimeInterval = 0
        let response: HTTPResponse = withState { state in
            state.applyTimedEvents(now: now, sites: sites)
            state.requestCounter += 1
            let parameters = Self.parameters(of: request)
            var label: String?
            var code: Int?
            var response: HTTPResponse
            if let fault = state.takeFault(for: request, site: site) {
                label = fault.label
                if let early = fault.responseBeforeProcessing() {
                    response = early
                    if fault == .quotaExceeded { code = -429 }
                } else {
                    let latin1 = fault == .latin1Body
                    (response, code) = route(request, site: site, parameters: parameters.values, now: now, latin1: latin1, state: &state)
                    response = fault.transform(response)
                    if case .slow(let seconds) = fault { delay = seconds }
                }
            } else {
                (response, code) = route(request, site: site, parameters: parameters.values, now: now, latin1: false, state: &state)
            }
            state.journal.append(JournalEntry(
                sequence: state.requestCounter, time: now, site: site, request: request, parameters: parameters.values,
                bodyKind: parameters.kind, status: response.abortConnection ? 0 : response.status, code: code,
                responseBody: response.body.prefix(JournalEntry.maxStoredBodyBytes), fault: label))
            let limit = max(1, state.configuration.journalLimit)
            if state.journal.count > limit + limit / 10 { state.journal.removeFirst(state.journal.count - limit) }
            return response
        }
        if delay > 0 {
            let server = servers[site]
            let wasServing = server?.isRunning ?? false
            let deadline = Date().addingTimeInterval(delay)
            while deadline.timeIntervalSinceNow > 0 {
                Thread.sleep(forTimeInterval: min(deadline.timeIntervalSinceNow, 0.05))
                if wasServing && server?.isRunning == false { return .dropConnection }
            }
        }
        return response
    }

    /// Method and path, then partner and quota, then the script. Returns the reply and its XML code.
    private func route(_ request: HTTPRequest, site: String, parameters: [String: String], now: Date, latin1: Bool,
                       state: inout State) -> (HTTPResponse, Int?) {
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.count == 2, parts[0] == "mp", Self.scripts.contains(parts[1]) else {
            return (.html(404, "<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>"), nil)
        }
        guard request.method == "GET" || request.method == "POST" else {
            return (.html(405, "<html><body><h1>405 Method Not Allowed</h1></body></html>"), nil)
        }
        let script = parts[1]
        let render = Renderer(configuration: state.configuration, latin1: latin1 || state.configuration.encoding == .isoLatin1, site: site)
        let partner = parameters["partenaire"] ?? (state.configuration.acceptEnglishAliases ? parameters["partner"] : nil)
        guard let partner, !partner.isEmpty else { return (render.error(-1, "Le parametre partenaire est obligatoire", script: script), -1) }
        guard state.partners.contains(partner) else { return (render.error(-2, "Partenaire inconnu", script: script), -2) }
        if state.deactivated.contains(partner) { return (render.error(-428, "Compte desactive", script: script), -428) }
        if state.overQuota(site: site, now: now) {
            return (render.error(-429, "Trop d'appels sur l'heure en cours", script: script), -429)
        }
        switch script {
        case "xml_export_orders.php": return exportOrders(parameters, site: site, render: render, state: state)
        case "xml_maj_orders.php": return updateOrder(parameters, site: site, now: now, render: render, state: &state)
        case "xml_export_returns.php": return exportReturns(parameters, site: site, render: render, state: state)
        case "xml_maj_returns.php":
            return updateReturn(parameters, method: request.method, site: site, now: now, render: render, state: &state)
        default: return deliverySlip(parameters, site: site, render: render, state: state)
        }
    }
}

/// Breaks the reference cycle simulator → servers → handlers → simulator.
final class SpartooServerBox: @unchecked Sendable {
    private let lock = NSLock()
    private weak var stored: SpartooSimulator?

    var simulator: SpartooSimulator? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
