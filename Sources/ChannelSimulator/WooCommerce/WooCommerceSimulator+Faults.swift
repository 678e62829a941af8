import Foundation

extension WooCommerceSimulator {
    /// A misbehaviour of the store or its host. "Before processing" faults answer without touching
    /// anything; "after processing" ones let the request take effect (a note is added, a status set) and
    /// then spoil the reply — the cases that test "exactly once".
    public enum Fault: Sendable, Equatable {
        /// Before processing: 500 (WordPress "critical error" page) or 502/503/504 (nginx page).
        case serverError(status: Int)
        /// After processing: the change IS applied, the client sees `status`.
        case serverErrorAfterApplying(status: Int)
        /// Before processing: 503 maintenance page with `Retry-After` (a host's burst limit, WP updating).
        case serviceUnavailable(retryAfter: Int?)
        /// Before processing: 429 with `Retry-After` when non-nil.
        case tooManyRequests(retryAfter: Int?)
        /// After processing: applied at once, the reply held `seconds` of real time.
        case slow(seconds: TimeInterval)
        /// After processing: `200` with a truncated, unparseable JSON body.
        case malformedJSON
        /// Before processing: `200` with an empty body.
        case emptyBody
        /// Before processing: the host's HTML captcha page (SiteGround answers 202; others 200).
        case captchaPage(status: Int)
        /// Before processing: the connection is closed without any reply.
        case dropConnection
        /// Before processing: `status` with a JSON `body` the store did not make (a caching proxy, a
        /// security plugin answering for WordPress). Nothing applied.
        case replyInstead(status: Int, body: String)

        /// Short name written into the journal.
        public var label: String {
            switch self {
            case .serverError(let status): "server-error-\(status)"
            case .serverErrorAfterApplying(let status): "server-error-after-applying-\(status)"
            case .serviceUnavailable: "service-unavailable"
            case .tooManyRequests: "too-many-requests"
            case .slow(let seconds): "slow-\(seconds)s"
            case .malformedJSON: "malformed-json"
            case .emptyBody: "empty-body"
            case .captchaPage(let status): "captcha-\(status)"
            case .dropConnection: "drop-connection"
            case .replyInstead(let status, _): "reply-instead-\(status)"
            }
        }

        func responseBeforeProcessing() -> HTTPResponse? {
            switch self {
            case .serverError(let status): return WooCommerceSimulator.serverErrorPage(status)
            case .serviceUnavailable(let retryAfter):
                let page = HTTPResponse.html(503, "<!DOCTYPE html><html><head><title>Maintenance</title></head><body><p>Briefly unavailable for scheduled maintenance. Check back in a minute.</p></body></html>")
                return retryAfter.map { page.setting(header: "Retry-After", String($0)) } ?? page
            case .tooManyRequests(let retryAfter):
                let page = HTTPResponse.html(429, "<html><body><h1>429 Too Many Requests</h1></body></html>")
                return retryAfter.map { page.setting(header: "Retry-After", String($0)) } ?? page
            case .emptyBody: return HTTPResponse(status: 200, headers: [("Content-Type", "application/json; charset=UTF-8")])
            case .captchaPage(let status): return HTTPResponse.html(status, WooCommerceSimulator.captchaHTML)
            case .dropConnection: return .dropConnection
            case .replyInstead(let status, let body): return .json(status, Data(body.utf8))
            case .serverErrorAfterApplying, .slow, .malformedJSON: return nil
            }
        }

        func transform(_ response: HTTPResponse) -> HTTPResponse {
            switch self {
            case .serverErrorAfterApplying(let status): return WooCommerceSimulator.serverErrorPage(status)
            case .malformedJSON:
                var text = response.bodyText
                if text.count < 4 { text = "[{\"id\": 1042, \"status\": \"proc" }
                return .json(200, Data((String(text.prefix(max(2, text.count / 2))) + "<br />\n<b>Warning</b>").utf8))
            default: return response
            }
        }
    }

    static func serverErrorPage(_ status: Int) -> HTTPResponse {
        if status == 500 {
            return .html(500, "<!DOCTYPE html><html><head><title>WordPress &rsaquo; Error</title></head><body id=\"error-page\"><p>There has been a critical error on this website.</p></body></html>")
        }
        let title = "\(status) \(HTTPResponse.reasonPhrase(status))"
        return HTTPResponse.html(status, "<html><head><title>\(title)</title></head><body><center><h1>\(title)</h1></center><hr><center>nginx</center></body></html>")
            .setting(header: "Server", "nginx")
    }

    /// SiteGround-style bot captcha, answered to cloud IPs with a 2xx (woocommerce#52896).
    static let captchaHTML = """
        <!DOCTYPE html><html><head><meta charset="utf-8"><title>Robot Challenge Screen</title>
        <meta http-equiv="refresh" content="0;/.well-known/sgcaptcha/?r=%2Fwp-json%2Fwc%2Fv3%2Forders"></head>
        <body><noscript>Please enable JavaScript to continue.</noscript></body></html>
        """

    /// A queued fault: answers the next `remaining` requests that match.
    struct FaultRule {
        var fault: Fault
        var remaining: Int
        var method: String?
        var pathPrefix: String?

        func matches(_ request: HTTPRequest) -> Bool {
            (method.map { $0.uppercased() == request.method } ?? true) && (pathPrefix.map { request.path.hasPrefix($0) } ?? true)
        }
    }

    /// Faults drawn at random (seeded) for soak tests.
    struct RandomFaults {
        var probability: Double
        var faults: [Fault]
        var generator: SeededGenerator
        var method: String?
    }

    /// What an order edited while a client pages undergoes.
    public enum DriftChange: Sendable, Equatable {
        /// Only bumps `date_modified` (the order jumps to the end of a modified-ascending walk).
        case touch
        /// Sets the status (with its system note and e-mails), as an admin would.
        case setStatus(String)
        /// Moves the order to the bin (it leaves `status=any`).
        case trash
        /// A new order arrives (`orderID` is ignored).
        case insertNewOrder
    }

    struct PaginationDrift {
        var orderID: Int
        var page: Int
        var change: DriftChange
    }

    // MARK: - Public switches (thread-safe)

    /// Makes the next `count` requests that match `method` (any when nil) and `pathPrefix` (any when nil,
    /// e.g. `"/wp-json/wc/v3/orders/1042/notes"`) answer with `fault`. Rules queue up, oldest first.
    public func injectFault(_ fault: Fault, count: Int = 1, method: String? = nil, pathPrefix: String? = nil) {
        guard count > 0 else { return }
        withState { $0.faultRules.append(FaultRule(fault: fault, remaining: count, method: method, pathPrefix: pathPrefix)) }
    }

    /// A burst of `count` 503 replies (a host's limiter), with `Retry-After` when given.
    public func injectServiceUnavailableBurst(count: Int, retryAfter: Int? = nil) {
        injectFault(.serviceUnavailable(retryAfter: retryAfter), count: count)
    }

    /// From now on each request not given a queued fault gets one of `faults` with `probability`;
    /// the sequence depends only on `seed` and the order of requests.
    public func injectRandomFaults(probability: Double, faults: [Fault] = [.serverError(status: 500), .serverError(status: 503)],
                                   seed: UInt64 = 42, method: String? = nil) {
        withState {
            $0.randomFaults = faults.isEmpty ? nil
                : RandomFaults(probability: probability, faults: faults, generator: SeededGenerator(seed: seed), method: method)
        }
    }

    /// Right after page `page` of any `GET /orders` listing is served, applies `change` to order
    /// `orderID` (bumping its `date_modified`). One shot; several may be queued.
    public func addPaginationDrift(orderID: Int, afterPage page: Int, change: DriftChange = .touch) {
        withState { $0.drifts.append(PaginationDrift(orderID: orderID, page: page, change: change)) }
    }

    /// Removes every queued, random and drift fault. Orders, journal and configuration are untouched.
    public func faultsOff() {
        withState {
            $0.faultRules.removeAll()
            $0.randomFaults = nil
            $0.drifts.removeAll()
        }
    }

    /// Number of queued fault answers still to be given.
    public var pendingFaultCount: Int { withState { $0.faultRules.reduce(0) { $0 + $1.remaining } } }
}

extension WooCommerceSimulator.State {
    /// The fault for this request, if any: the oldest matching queued rule, else a random draw.
    mutating func takeFault(for request: HTTPRequest) -> WooCommerceSimulator.Fault? {
        if let index = faultRules.firstIndex(where: { $0.matches(request) }) {
            let fault = faultRules[index].fault
            faultRules[index].remaining -= 1
            if faultRules[index].remaining <= 0 { faultRules.remove(at: index) }
            return fault
        }
        if var random = randomFaults, random.method.map({ $0.uppercased() == request.method }) ?? true {
            let draw = random.generator.unit()
            let fault = random.generator.pick(random.faults)
            randomFaults = random
            return draw < random.probability ? fault : nil
        }
        return nil
    }
}
