import Foundation
import OrderSync

/// The Back Market connector (../shared/api/backmarket.md): `/ws/orders` polling with `page-size=50`,
/// accept / cancel / ship by `POST /ws/orders/{id}`, IMEI and serial numbers by `PATCH /ws/orderlines/{id}`.
/// Every push reads the order first, so a repeated job never repeats an effect.
public struct BackMarketChannel: ChannelConnector {
    public let id: String
    let baseURL: URL
    let token: Secret
    let userAgent: String
    let acceptLanguage: String
    let http: ChannelHTTP
    let mapper: BackMarketMapper
    let resweepDays: Int
    let logger: Logger
    /// Orders already stored, skipped while unchanged (the 24 h overlap re-reads them every poll).
    let unchanged = UnchangedPayloads()

    public var capabilities: ChannelCapabilities { Self.definition.capabilities }

    public init(id: String, baseURL: URL, token: Secret, userAgent: String, acceptLanguage: String,
                imeiPatterns: [String], acceptWithinHours: Int, resweepDays: Int, http: ChannelHTTP, logger: Logger) {
        self.id = id
        self.baseURL = baseURL
        self.token = token
        self.userAgent = userAgent
        self.acceptLanguage = acceptLanguage
        self.http = http.describingErrorBodies(with: Self.errorDetail)
        self.mapper = BackMarketMapper(channelID: id, imeiPatterns: imeiPatterns, acceptWithinHours: acceptWithinHours)
        self.resweepDays = resweepDays
        self.logger = logger
    }

    // MARK: requests

    func request(_ method: String, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil) -> ChannelRequest {
        var components = URLComponents(url: baseURL.appendingPathComponent(path), resolvingAgainstBaseURL: false)!
        if !query.isEmpty {
            components.percentEncodedQuery = query.map { "\(FormEncoding.escape($0.0))=\(FormEncoding.escape($0.1))" }
                .joined(separator: "&")
        }
        return ChannelRequest(method: method, url: components.url!, headers: [
            ("Authorization", "Basic \(token.reveal())"),
            ("Accept", "application/json"),
            ("Content-Type", "application/json"),
            ("Accept-Language", acceptLanguage),
            ("User-Agent", userAgent),
        ], body: body?.data)
    }

    /// Sends and parses a JSON answer. A read's 2xx with a body that is not JSON is retryable (WAF pages answer
    /// 200). A write's 2xx is returned whatever its body (JSON nil when it is empty or not JSON): the write may
    /// have been applied, so the caller reads the order back to judge it.
    /// `known` says a 2xx body is one already stored whole: it is then neither parsed nor returned.
    func send(_ request: ChannelRequest, operation: String,
              known: ((Data) -> Bool)? = nil) async throws -> (ChannelResponse, JSONValue?) {
        let (response, json, _) = try await send(request, operation: operation, known: known, listing: nil)
        return (response, json)
    }

    /// ``send(_:operation:known:)`` that also gives, for a listing (`listing`: the key of the reply's array
    /// of orders), where each element lies in the body, recorded by the one parse (no second pass to skim).
    func send(_ request: ChannelRequest, operation: String, known: ((Data) -> Bool)? = nil,
              listing: String?) async throws -> (ChannelResponse, JSONValue?, [Range<Int>]?) {
        // The document parsed to validate a 2xx is the one returned; `parsed` belongs to the last attempt.
        var parsed: JSONValue?
        var ranges: [Range<Int>]?
        let response = try await http.send(request, operation: operation) { response in
            parsed = nil
            ranges = nil
            guard (200..<300).contains(response.status) else { return nil }
            if let known, known(response.body) { return nil }
            if let listing {
                (parsed, ranges) = (try? JSONValue.parseListing(response.body, elementsOf: listing)) ?? (nil, nil)
            } else {
                parsed = try? JSONValue.parse(response.body)
            }
            if parsed == nil, ChannelHTTP.isIdempotent(request.method) {
                return ChannelError(.retryable(retryAfter: nil), operation: operation, httpStatus: response.status,
                                    message: ChannelHTTP.looksLikeHTML(response.body)
                                        ? "HTML page instead of JSON" : "response is not valid JSON")
            }
            return nil
        }
        if (200..<300).contains(response.status) {
            return (response, parsed, ranges)
        }
        return (response, nil, nil)
    }

    /// Maps a non-2xx answer to a classified error. WAF 403s, 429 and 5xx never get here (``ChannelHTTP``
    /// retries them); any other 403 is the API's refusal: permanent, with its text.
    func failure(_ response: ChannelResponse, operation: String) -> ChannelError {
        let message = ChannelHTTP.summary(response, detail: http.errorDetail)
        switch response.status {
        case 401:
            return ChannelError(.unauthorized, operation: operation, httpStatus: 401,
                                message: "token refused (bad or expired; Back Market forces reissue every 60 days): \(message)")
        default:
            return ChannelError(.permanent, operation: operation, httpStatus: response.status, message: message)
        }
    }

    // MARK: reading

    public func fetchOrder(externalID: String) async throws -> FetchedOrder? {
        let (response, json) = try await send(request("GET", "ws/orders/\(externalID)"), operation: "get order")
        if response.status == 404 { return nil }
        guard let json else { throw failure(response, operation: "get order") }
        do {
            return FetchedOrder(order: try mapper.order(from: json), raw: response.body)
        } catch {
            throw ChannelError(.permanent, operation: "get order", httpStatus: response.status,
                               message: "order payload not understood: \(error)")
        }
    }

    struct Cursor: Codable {
        var modified: Date?
        var lastResweep: Date?
        /// The customer-care walk (``CarePosition``).
        var care: CarePosition?
    }

    public func poll(cursor: String?, now: Date, deliver: @Sendable (OrderPage) async throws -> Void) async throws -> String {
        // Decoded the way it is encoded below (ISO 8601 dates); a default decoder would fail and restart from scratch.
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        var state = cursor.flatMap { try? decoder.decode(Cursor.self, from: Data($0.utf8)) } ?? Cursor()
        unchanged.startPoll()
        let walkStart = now
        // (a) the safety net: every order waiting for the merchant; on the first run also every order
        // waiting to be shipped, however old (the modification walk only reaches back resweep_days).
        _ = try await walk(query: [("state", "1")], deliver: deliver)
        if state.modified == nil {
            _ = try await walk(query: [("state", "3")], deliver: deliver)
        }
        // (b) changes since the cursor, with a 24 h overlap ([UC]: date_modification semantics are uncertain).
        let resweepFrom = now.addingTimeInterval(-Double(resweepDays) * 86_400)
        let since = state.modified.map { $0.addingTimeInterval(-86_400) } ?? resweepFrom
        var newest = try await walk(query: [("date_modification", Timestamp.format(since))], deliver: deliver)
        // (c) once a day, the whole re-sweep window.
        if state.lastResweep.map({ now.timeIntervalSince($0) >= 86_400 }) ?? true {
            if state.modified != nil {
                let swept = try await walk(query: [("date_modification", Timestamp.format(resweepFrom))], deliver: deliver)
                newest = max(newest ?? .distantPast, swept ?? .distantPast)
            }
            state.lastResweep = now
        }
        // (d) customer-care folders, as cases on the orders stored by now.
        try await walkCare(&state.care, now: now, deliver: deliver)
        // Advance only after every walk succeeded, never past the frozen walk start.
        if let newest { state.modified = min(max(newest, state.modified ?? .distantPast), walkStart) }
        else if state.modified == nil { state.modified = walkStart }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(state), as: UTF8.self)
    }

    /// Follows `next` page by page. Only `page` is taken from `next`: the URL is rebuilt on the configured
    /// base (the API may name another host or the back-office path). Returns the newest modification seen.
    ///
    /// Performance: the next page is requested as soon as this one is parsed, while this one is mapped and
    /// stored, so a long walk costs about max(fetch, store) per page instead of their sum. The requests and
    /// their order are unchanged and there is still one in flight per channel (the gate paces them as
    /// before); a page fetched ahead is dropped when storing the current one fails or the walk is cancelled.
    func walk(query: [(String, String)], deliver: @Sendable (OrderPage) async throws -> Void) async throws -> Date? {
        var newest: Date?
        var seenPages: Set<Int> = [1]
        var fetch = fetchPage(query: query, page: 1)
        defer { fetch.cancel() }
        while true {
            try Task.checkCancellation()
            let current = fetch
            let (response, parsed, pageFingerprint) = try await withTaskCancellationHandler {
                try await current.value
            } onCancel: {
                current.cancel()
            }
            // The very bytes of a page already stored in full: every order on it is unchanged. The listing
            // goes on where it went then (the 24 h overlap re-reads such pages every poll).
            if parsed == nil, let known = unchanged.value(for: pageFingerprint), (200..<300).contains(response.status) {
                guard known > 0, !seenPages.contains(known), seenPages.count < 100_000 else { break }
                seenPages.insert(known)
                fetch = fetchPage(query: query, page: known)
                continue
            }
            guard let (json, ranges) = parsed else { throw failure(response, operation: "list orders") }
            guard let results = json["results"]?.array else {
                throw ChannelError(.retryable(retryAfter: nil), operation: "list orders", httpStatus: response.status,
                                   message: "response has no results list")
            }
            var nextPage: Int?
            if let next = json["next"]?.text, !next.isEmpty,
               let page = URLComponents(string: next)?.queryItems?.first(where: { $0.name == "page" })?.value.flatMap(Int.init),
               !seenPages.contains(page), seenPages.count < 100_000 {
                nextPage = page
                seenPages.insert(page)
                fetch = fetchPage(query: query, page: page)
            }
            var orders: [FetchedOrder] = []
            var quarantined: [QuarantinedPayload] = []
            var fingerprints: [Int] = []
            var members: [Int] = []
            // Each order's own bytes in the reply (its raw payload and fingerprint), else its subtree written out.
            let slices = JSONSkim.elements(of: response.body, recorded: ranges, key: "results", count: results.count)
            for (index, item) in results.enumerated() {
                // Stored before and unchanged since: nothing to map or store. (Its date is not counted in
                // `newest`, which only holds the cursor back: never a reason to read less.)
                let slice = slices?[index]
                let fingerprint = slice.map { UnchangedPayloads.fingerprint(bytes: $0) } ?? UnchangedPayloads.fingerprint(item)
                members.append(fingerprint)
                if unchanged.contains(fingerprint) { continue }
                do {
                    let order = try mapper.order(from: item)
                    if let modified = order.updatedAt { newest = max(newest ?? modified, modified) }
                    orders.append(FetchedOrder(order: order, raw: slice.map { Data($0) } ?? item.data))
                    fingerprints.append(fingerprint)
                } catch {
                    quarantined.append(QuarantinedPayload(externalID: item["order_id"]?.text, reason: "\(error)",
                                                          raw: slice.map { Data($0) } ?? item.data))
                }
            }
            // A page with nothing to quarantine is remembered whole once its orders are stored.
            let mark = quarantined.isEmpty ? (fingerprint: pageFingerprint, value: nextPage ?? 0, members: members) : nil
            if !orders.isEmpty || !quarantined.isEmpty {
                try await deliver(OrderPage(orders: orders, quarantined: quarantined,
                                            onCommit: unchanged.onCommit(remembering: fingerprints, page: mark)))
            } else if let mark {
                unchanged.remember(mark.fingerprint, value: mark.value, members: mark.members)  // all stored before
            }
            if nextPage == nil { break }
        }
        return newest
    }

    /// Starts fetching one page of a walk: the response, its JSON (nil when the page is one already stored
    /// whole, see ``walk(query:deliver:)``, or on failure) and the page's fingerprint.
    private func fetchPage(query: [(String, String)], page: Int) -> Task<(ChannelResponse, (JSONValue, [Range<Int>]?)?, Int), Error> {
        let req = request("GET", "ws/orders", query: query + [("page", String(page)), ("page-size", "50")])
        let memo = unchanged
        return Task {
            var fingerprint = 0
            let (response, json, ranges) = try await send(req, operation: "list orders", known: { body in
                fingerprint = UnchangedPayloads.fingerprint(bytes: body, scope: "page")
                return memo.contains(fingerprint)
            }, listing: "results")
            return (response, json.map { ($0, ranges) }, fingerprint)
        }
    }
}
