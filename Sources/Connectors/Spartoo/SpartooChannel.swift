import Foundation
import OrderSync

/// One Spartoo site as the connector reaches it: the site code (`fr`, `es`) and its API base
/// (`https://sws.spartoo.com`, or a `hosts` override). Scripts live under `<base>/mp/`.
public struct SpartooEndpoint: Sendable, Equatable {
    public let site: String
    public let baseURL: URL

    public init(site: String, baseURL: URL) {
        self.site = site
        self.baseURL = baseURL
    }
}

/// The Spartoo connector (../shared/api/spartoo.md): one partner id, one or more sites each on its own
/// host. Imports with `xml_export_orders.php` by date window (10 days back, Paris time) per site, updates
/// with `xml_maj_orders.php` (`statut` 2, 3 + `tracking_number`, 41) on the order's own site, and fetches
/// delivery slips with `xml_export_bl.php`. Every call is a urlencoded UTF-8 POST whose `partenaire` is in
/// the body, never in a URL; success is the code inside the XML, not the HTTP status. Every push reads the
/// order first, so a repeated job never repeats an effect. Safe to call from any task.
public struct SpartooChannel: ChannelConnector, FollowsShippedOrders, FollowsOpenReturns {
    public let id: String
    let endpoints: [SpartooEndpoint]
    let clients: [String: SiteClient]
    let partnerID: Secret
    let mapper: SpartooMapper
    /// Attempts per read call for retryable failures (writes are never retried blindly: the Pusher retries
    /// them after reading the order again).
    let readAttempts: Int
    /// `state_dir/slips` when `fetch_slips` is on: slips of newly accepted orders are written there.
    let slipsDirectory: URL?
    /// Where export replies are streamed to while they arrive (`state_dir/replies`); nil keeps them in memory.
    let replyDirectory: URL?
    /// Days the import window reaches back (the notes' clients use 10).
    let windowDays: Int
    let logger: Logger
    let clock: @Sendable () -> Date
    /// Whether each poll also walks the returns (`xml_export_returns.php`).
    let followsReturns: Bool
    /// Orders already stored, skipped while unchanged (every poll exports the whole 10-day window).
    let unchanged = UnchangedPayloads()
    /// Per site, the last window stored whole: its fingerprint and the ids it listed.
    let windows = SpartooWindows()
    /// Per site, the order ids the last successful poll's windows listed.
    let listed = SpartooListed()
    /// Per site, the return ids the last successful poll listed.
    let listedReturns = SpartooListed()
    /// Per site, the slip reference form Spartoo accepted.
    let slipForms = SpartooSlipForms()

    public var capabilities: ChannelCapabilities { Self.definition.capabilities }

    /// Follow-up reads of shipped orders per clock hour (`aftersale_days`): two a minute, on top of the
    /// polls. Spartoo's quota is unpublished (API notes §4); a −429 pauses the host until the next hour.
    public var followReadsPerHour: Int { 120 }

    /// Whether the last successful poll's windows listed the order (`ID` on any site, `SITE/ID` on that site).
    public func listedByLastWalk(_ externalID: String) -> Bool {
        let (site, orderID) = Self.split(externalID)
        return listed.contains(orderID, site: site)
    }

    /// - Parameters:
    ///   - endpoints: the configured sites in order, each with its base URL.
    ///   - minimumSpacing: pause between request starts, per host.
    ///   - rateLimitPause: wait after an HTTP 429 without `Retry-After`.
    ///   - clock: the time source for the import window, the quota pause and the cursor.
    public init(id: String, endpoints: [SpartooEndpoint], partnerID: Secret, transport: any HTTPTransport,
                minimumSpacing: TimeInterval, timeout: TimeInterval = 30, readAttempts: Int = 3,
                rateLimitPause: TimeInterval = 10, slipsDirectory: URL? = nil, replyDirectory: URL? = nil, windowDays: Int = 10,
                logger: Logger, clock: @escaping @Sendable () -> Date = { Date() }, followsReturns: Bool = false) {
        self.id = id
        self.followsReturns = followsReturns
        self.endpoints = endpoints
        var clients: [String: SiteClient] = [:]
        for endpoint in endpoints where clients[endpoint.site] == nil {
            // One gate per host: Spartoo counts calls per host and hour (API notes §4).
            let http = ChannelHTTP(transport: transport, minimumSpacing: minimumSpacing, burst: Self.requestBurst,
                                   timeout: timeout, attempts: 1,
                                   rateLimitPause: rateLimitPause, logger: logger)
            clients[endpoint.site] = SiteClient(site: endpoint.site, baseURL: endpoint.baseURL, http: http, quota: SpartooQuota())
        }
        self.clients = clients
        self.partnerID = partnerID
        self.mapper = SpartooMapper(channelID: id)
        self.readAttempts = max(1, readAttempts)
        self.slipsDirectory = slipsDirectory
        self.replyDirectory = replyDirectory
        self.windowDays = max(1, windowDays)
        self.logger = logger
        self.clock = clock
    }

    /// The HTTP side of one site.
    struct SiteClient: Sendable {
        let site: String
        let baseURL: URL
        let http: ChannelHTTP
        let quota: SpartooQuota
    }

    // MARK: ids and sites

    /// `es/3FF7…` → (`es`, `3FF7…`); a plain id has no site. Valid `orders_id` values never contain `/`.
    static func split(_ externalID: String) -> (site: String?, id: String) {
        guard let slash = externalID.firstIndex(of: "/") else { return (nil, externalID) }
        return (String(externalID[..<slash]), String(externalID[externalID.index(after: slash)...]))
    }

    /// The client for `site`, or a permanent error naming the site.
    func client(_ site: String, operation: String) throws -> SiteClient {
        guard let client = clients[site] else {
            throw ChannelError(.permanent, operation: operation,
                               message: "site \"\(site)\" is not in this channel's sites (\(endpoints.map(\.site).joined(separator: ", ")))")
        }
        return client
    }

    // MARK: calls

    /// One POST to `<base>/mp/<script>` with `partenaire` first, every value form-escaped as UTF-8.
    /// Returns the reply whatever its code, except: −429 pauses the host until the next full hour and throws
    /// retryable; −1/−2/−428 throw unauthorized. Transport failures, non-2xx, HTML and XML that is not
    /// well-formed (truncated) throw retryable. Sent once: no in-call retry.
    /// `known` says a 2xx body was stored whole before: it is then returned unparsed (`knownWhole`).
    func call(_ script: String, _ parameters: [(String, String)], on client: SiteClient, operation: String,
              known: ((ChannelResponse) -> Bool)? = nil, streamed: Bool = false) async throws -> SpartooReply {
        if let wait = await client.quota.admit(now: clock()) {
            throw ChannelError(.retryable(retryAfter: wait), operation: operation,
                               message: "Spartoo hourly call quota reached on site \(client.site); waiting for the next hour")
        }
        let fields = [("partenaire", partnerID.reveal())] + parameters
        let body = fields.map { FormEncoding.escape($0.0) + "=" + FormEncoding.escape($0.1) }.joined(separator: "&")
        let url = client.baseURL.appendingPathComponent("mp").appendingPathComponent(script)
        let request = ChannelRequest(method: "POST", url: url, headers: [
            ("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8"),
            ("Accept", "application/xml, text/xml"),
            ("User-Agent", "ordersync"),
        ], body: Data(body.utf8))
        var parsed: SpartooReply?
        let directory = streamed ? replyDirectory : nil
        let response = try await client.http.send(request, operation: operation, bodyDirectory: directory) { response in
            guard (200..<300).contains(response.status) else { return nil }
            if let known, known(response) {
                parsed = SpartooReply(root: nil, code: nil, body: response.body, knownWhole: true, file: response.bodyFile)
                return nil
            }
            do {
                if let file = response.bodyFile {
                    parsed = try Self.parseReply(file: file)
                } else {
                    parsed = try Self.parseReply(response.body)
                }
                return nil
            } catch {
                return ChannelError(.retryable(retryAfter: nil), operation: operation, httpStatus: response.status,
                                    message: "Spartoo site \(client.site): \(error)")
            }
        }
        // The reply's file is the caller's once the reply is returned; removed on every other way out.
        var handedOver = false
        defer { if !handedOver, let file = response.bodyFile { ReplyFiles.remove(file) } }
        guard (200..<300).contains(response.status), let reply = parsed else {
            // API notes §4: HTTP ≠ 200 is retried with backoff. The body is not quoted (it may echo the request).
            throw ChannelError(.retryable(retryAfter: nil), operation: operation, httpStatus: response.status,
                               message: "Spartoo site \(client.site) answered HTTP \(response.status)")
        }
        if let code = reply.code {
            switch code.value {
            case -429:
                let now = clock()
                let until = SpartooTime.nextFullHour(after: now).addingTimeInterval(Double.random(in: 5...60))
                await client.quota.pause(until: until)
                logger.warning("spartoo quota reached", ["site": .string(client.site),
                                                         "calls_this_hour": .int(await client.quota.callsThisHour),
                                                         "paused_seconds": .int(Int(until.timeIntervalSince(now)))])
                throw code.error(operation: operation, site: client.site, retryAfter: until.timeIntervalSince(now))
            case -1, -2, -428:
                throw code.error(operation: operation, site: client.site)
            default:
                break
            }
        }
        handedOver = true
        return reply
    }

    /// `call` for read-only scripts, retried in-call (with a short backoff) for retryable failures other than
    /// a quota or rate-limit pause. A reply `expected` rejects (well-formed XML that is not the answer
    /// asked for) counts as retryable too.
    func read(_ script: String, _ parameters: [(String, String)], on client: SiteClient, operation: String,
              expected: (SpartooReply) -> Bool = { _ in true }, known: ((ChannelResponse) -> Bool)? = nil,
              streamed: Bool = false) async throws -> SpartooReply {
        var attempt = 1
        while true {
            do {
                let reply = try await call(script, parameters, on: client, operation: operation, known: known, streamed: streamed)
                guard reply.knownWhole || expected(reply) else {
                    reply.discard()
                    throw ChannelError(.retryable(retryAfter: nil), operation: operation,
                                       message: "Spartoo site \(client.site): the reply is not the answer to \(script)")
                }
                return reply
            } catch let error as ChannelError {
                guard error.kind == .retryable(retryAfter: nil), attempt < readAttempts else { throw error }
                logger.debug("request retried", ["operation": .string(operation), "attempt": .int(attempt),
                                                 "error": .string(error.description)])
                let pause = min(4.0, 0.25 * pow(2.0, Double(attempt - 1))) * Double.random(in: 0.8...1.2)
                try await Task.sleep(nanoseconds: UInt64(pause * 1_000_000_000))
                attempt += 1
            }
        }
    }

    /// Reads a body: a lone integer code, or an XML document (whatever its declared encoding) and its code.
    static func parseReply(_ body: Data) throws(SpartooXML.ParseError) -> SpartooReply {
        if body.isEmpty { throw SpartooXML.ParseError(reason: "empty body", line: 0, column: 0) }
        if let value = SpartooCode.loneInteger(body) { return SpartooReply(root: nil, code: SpartooCode(value), body: body) }
        if ChannelHTTP.looksLikeHTML(body) { throw SpartooXML.ParseError(reason: "an HTML page instead of XML", line: 0, column: 0) }
        let prepared = try SpartooXML.prepare(body)
        if let split = SpartooXML.splitOrders(prepared) {
            let root = try SpartooXML.parsePrepared(split.envelope)
            return SpartooReply(root: root, code: SpartooCode.find(in: root), body: body, orderSegments: split.orders)
        }
        let root = try SpartooXML.parsePrepared(prepared)
        return SpartooReply(root: root, code: SpartooCode.find(in: root), body: body)
    }

    /// ``parseReply(_:)`` for a body streamed to `file`, read from it in chunks: only the envelope is parsed
    /// here, the orders stay in the file (``SpartooReply/fileOrders``). A file that cannot be cut that way
    /// (UTF-16, truncated, nested orders) is read whole, as before, up to ``wholeReadLimit``: a larger one
    /// is refused without being read (memory must not grow with a reply, issue 17), and the poll retries.
    static func parseReply(file: URL, wholeReadLimit: Int = wholeReadLimit) throws(SpartooXML.ParseError) -> SpartooReply {
        let size = ((try? FileManager.default.attributesOfItem(atPath: file.path)[.size]) as? NSNumber)?.intValue ?? 0
        func readWhole() throws(SpartooXML.ParseError) -> SpartooReply {
            guard let body = try? Data(contentsOf: file) else {
                throw SpartooXML.ParseError(reason: "the reply file cannot be read", line: 0, column: 0)
            }
            var reply = try parseReply(body)
            reply.file = file
            return reply
        }
        if size < 32 { return try readWhole() }  // empty, or perhaps a lone integer code
        let head: Data
        do {
            let handle = try FileHandle(forReadingFrom: file)
            head = try handle.read(upToCount: 512) ?? Data()
            try? handle.close()
        } catch {
            throw SpartooXML.ParseError(reason: "the reply file cannot be read", line: 0, column: 0)
        }
        if ChannelHTTP.looksLikeHTML(head) { throw SpartooXML.ParseError(reason: "an HTML page instead of XML", line: 0, column: 0) }
        let split: (envelope: Data, orders: SpartooXML.FileOrders)?
        do {
            split = try SpartooXML.splitFile(file)
        } catch let error as SpartooXML.ParseError {
            throw error
        } catch {
            throw SpartooXML.ParseError(reason: "the reply file cannot be read", line: 0, column: 0)
        }
        guard let split else {
            guard size <= wholeReadLimit else {
                throw SpartooXML.ParseError(reason: "a reply of \(size) bytes that cannot be cut into orders (truncated, an "
                                            + "<order> inside another, or UTF-16); not read whole", line: 0, column: 0)
            }
            return try readWhole()
        }
        let root = try SpartooXML.parsePrepared(try SpartooXML.prepare(split.envelope))
        return SpartooReply(root: root, code: SpartooCode.find(in: root), body: Data(), file: file, fileOrders: split.orders)
    }

    /// The largest reply file read whole when it cannot be cut into orders (a 3,000-order window).
    static let wholeReadLimit = 8 << 20

    /// Every `<order>` of a reply that parses: the cut-out ones, then any left in the tree.
    static func orderElements(_ reply: SpartooReply) -> [SpartooXMLElement] {
        items(of: reply, site: "").compactMap { try? $0.element.get() }
    }

    // MARK: reading orders

    /// The `<order>` elements of an export reply (under `<orders>`, or directly under the root).
    static func orderElements(_ root: SpartooXMLElement?) -> [SpartooXMLElement] {
        guard let root else { return [] }
        if let orders = root.child("orders") { return orders.children(named: "order") }
        return root.children(named: "order")
    }

    /// Whether a reply is an export answer at all: it has an orders list or a result code.
    static func isExport(_ reply: SpartooReply) -> Bool {
        reply.code != nil || reply.orderCount > 0 || reply.root?.child("orders") != nil || !(reply.root?.children(named: "order").isEmpty ?? true)
    }

    public func fetchOrder(externalID: String) async throws -> FetchedOrder? {
        let (site, orderID) = Self.split(externalID)
        if let site {
            return try await fetch(orderID, on: try client(site, operation: "get order"), as: externalID)
        }
        for endpoint in endpoints {
            if let found = try await fetch(orderID, on: try client(endpoint.site, operation: "get order"), as: externalID) {
                return found
            }
        }
        return nil
    }

    /// Reads one order by `oID` on one site; nil when Spartoo answers −6 or lists no such order.
    /// The order's ref carries `externalID` (e.g. `es/ID` for a second site's copy).
    func fetch(_ orderID: String, on client: SiteClient, as externalID: String) async throws -> FetchedOrder? {
        let operation = "get order \(externalID)"
        let reply = try await read("xml_export_orders.php", [("oID", orderID)], on: client, operation: operation,
                                   expected: Self.isExport)
        if let code = reply.code, !code.isOK {
            if code.value == -6 { return nil }
            throw code.error(operation: operation, site: client.site)
        }
        guard let item = Self.items(of: reply, site: client.site).first(where: { $0.orderID == orderID }) else { return nil }
        do {
            let mapped = try mapper.order(from: try item.element.get(), site: client.site, externalID: externalID)
            warnIfUnknown(mapped)
            return FetchedOrder(order: mapped.order, raw: item.raw)
        } catch {
            throw ChannelError(.permanent, operation: operation, message: "order payload not understood: \(error)")
        }
    }

    func warnIfUnknown(_ mapped: SpartooMapper.Mapped) {
        if let code = mapped.unknownStatus {
            logger.warning("unknown spartoo status", ["order.ref": .string(mapped.order.ref.description),
                                                      "status": .int(code)])
        }
    }
}

/// Spartoo's hourly quota as seen from one host: calls counted per clock hour, and a pause after −429
/// until the next full hour. Thread-safe.
actor SpartooQuota {
    private var pausedUntil: Date?
    private var hour: Double = -1
    private(set) var callsThisHour = 0

    /// Counts a call and returns nil, or returns the seconds left of a pause (the call is not made).
    func admit(now: Date) -> TimeInterval? {
        if let until = pausedUntil {
            if until > now { return until.timeIntervalSince(now) }
            pausedUntil = nil
        }
        let current = (now.timeIntervalSince1970 / 3600).rounded(.down)
        if current != hour {
            hour = current
            callsThisHour = 0
        }
        callsThisHour += 1
        return nil
    }

    func pause(until date: Date) {
        pausedUntil = max(pausedUntil ?? .distantPast, date)
    }
}

/// Per site, the ids of the orders the last successful poll listed. Thread-safe.
final class SpartooListed: @unchecked Sendable {
    private let lock = NSLock()
    private var ids: [String: Set<String>] = [:]

    func set(_ seen: [String: Set<String>]) { lock.withLock { ids = seen } }

    /// Listed on `site`, or on any site when nil.
    func contains(_ orderID: String, site: String?) -> Bool {
        lock.withLock {
            if let site { return ids[site]?.contains(orderID) ?? false }
            return ids.values.contains { $0.contains(orderID) }
        }
    }
}
