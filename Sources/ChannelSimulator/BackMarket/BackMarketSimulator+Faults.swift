import Foundation

extension BackMarketSimulator {
    /// A misbehaviour the simulator can answer with instead of (or on top of) the normal reply.
    ///
    /// "Before processing" faults answer without touching orders; "after processing" faults let
    /// the request take effect (an accept is applied, a ship recorded) and then spoil the reply —
    /// the cases that test "exactly once".
    public enum Fault: Sendable, Equatable {
        /// Before processing: `status` (500 Django-style HTML; 502/503/504 Cloudflare HTML).
        case serverError(status: Int)
        /// After processing: the change IS applied, but the client sees `status` (a gateway
        /// timing out on a request the origin completed).
        case serverErrorAfterApplying(status: Int)
        /// Before processing: one 429 (Cloudflare HTML), with `Retry-After` when non-nil.
        /// Does not start a block; use ``BackMarketSimulator/blockClient(for:)`` for that.
        case tooManyRequests(retryAfter: Int?)
        /// After processing: the change is applied at once, the reply is held for `seconds` of
        /// real time (a client with a shorter timeout gives up on a request that did succeed).
        /// Other requests are served meanwhile; ``BackMarketSimulator/stop()`` cuts the wait short.
        case slow(seconds: TimeInterval)
        /// After processing: the reply becomes `200` with a truncated, unparseable JSON body.
        case malformedJSON
        /// Before processing: Cloudflare's 403 HTML block page (`server: cloudflare`, `cf-ray`).
        case cloudflareForbidden
        /// Before processing: 403 `{"errors":[{"code":"bot-need-challenge",…}]}`.
        case botChallenge
        /// Before processing: the connection is closed without any reply.
        case dropConnection
        /// Before processing: the API's own 403, `{"error":{"code":"forbidden","message":…}}` (not the WAF:
        /// JSON, no challenge; the pipeline still adds `cf-ray` as the edge does to every reply).
        case forbidden(message: String)
        /// After processing: the change IS applied, but the reply is `200` with an empty body.
        case emptySuccessAfterApplying

        /// Short name written into the journal.
        public var label: String {
            switch self {
            case .serverError(let status): return "server-error-\(status)"
            case .serverErrorAfterApplying(let status): return "server-error-after-applying-\(status)"
            case .tooManyRequests: return "too-many-requests"
            case .slow(let seconds): return "slow-\(seconds)s"
            case .malformedJSON: return "malformed-json"
            case .cloudflareForbidden: return "cloudflare-403"
            case .botChallenge: return "bot-challenge"
            case .dropConnection: return "drop-connection"
            case .forbidden: return "forbidden-403"
            case .emptySuccessAfterApplying: return "empty-200-after-applying"
            }
        }

        /// The reply for before-processing faults; nil when the request is to be processed.
        func responseBeforeProcessing(state: State) -> HTTPResponse? {
            switch self {
            case .serverError(let status):
                return BackMarketSimulator.serverErrorResponse(status)
            case .tooManyRequests(let retryAfter):
                var response = HTTPResponse.html(429, BackMarketSimulator.cloudflarePage(title: "Access denied", code: 1015, detail: "You are being rate limited"))
                if let retryAfter { response = response.setting(header: "Retry-After", String(retryAfter)) }
                return response
            case .cloudflareForbidden:
                return BackMarketSimulator.cloudflareBlockPage(reason: "security rule")
            case .botChallenge:
                return .json(403, ["errors": [["code": "bot-need-challenge", "message": "Please complete the challenge to continue."]]])
            case .dropConnection:
                return .dropConnection
            case .forbidden(let message):
                return .json(403, BackMarketSimulator.errorBody(code: "forbidden", message: message, state: state))
            case .serverErrorAfterApplying, .slow, .malformedJSON, .emptySuccessAfterApplying:
                return nil
            }
        }

        /// Spoils a processed reply for after-processing faults.
        func transform(_ response: HTTPResponse) -> HTTPResponse {
            switch self {
            case .serverErrorAfterApplying(let status):
                return BackMarketSimulator.serverErrorResponse(status)
            case .malformedJSON:
                var text = response.bodyText
                if text.count < 4 { text = "{\"count\": 1, \"results\": [" }
                let cut = String(text.prefix(max(2, text.count / 2)))
                return .json(200, Data((cut + "\u{0}<!--").utf8))
            case .emptySuccessAfterApplying:
                return .json(200, Data())
            default:
                return response
            }
        }
    }

    static func serverErrorResponse(_ status: Int) -> HTTPResponse {
        if status == 500 {
            return .html(500, "<!doctype html><html lang=\"en\"><head><title>Server Error (500)</title></head><body><h1>Server Error (500)</h1><p></p></body></html>")
        }
        let title = HTTPResponse.reasonPhrase(status)
        return HTTPResponse.html(status, cloudflarePage(title: title, code: status, detail: title))
    }

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
        var pathPrefix: String?
    }

    /// What a pagination drift does to its order.
    public enum DriftChange: Sendable {
        /// Only bumps `date_modification` (moves the order under ``ListOrdering/dateModification``).
        case touch
        /// Sets every line to `state` (e.g. 1 → the order leaves a `state=1` walk).
        case setLineStates(Int)
        /// Archives the order (it disappears from lists; GET by id answers 404).
        case archive
        /// Adds a new order (``BackMarketSimulator/makeNewOrder()``); `orderID` is ignored.
        case insertNewOrder
    }

    /// "Change order X right after page K of a list walk is served" (one shot).
    struct PaginationDrift {
        var orderID: Int
        var page: Int
        var change: DriftChange
    }

    // MARK: - Public switches (thread-safe)

    /// Makes the next `count` requests that match `method` (any when nil) and `pathPrefix`
    /// (any when nil, e.g. `"/ws/orders/"`) answer with `fault`. Rules queue up: the oldest
    /// matching rule is used first.
    public func injectFault(_ fault: Fault, count: Int = 1, method: String? = nil, pathPrefix: String? = nil) {
        guard count > 0 else { return }
        withState { $0.faultRules.append(FaultRule(fault: fault, remaining: count, method: method, pathPrefix: pathPrefix)) }
    }

    /// From now on each matching request (not already given a queued fault) gets one of `faults`,
    /// chosen at random, with `probability` (0…1). The draw sequence depends only on `seed`
    /// and the order of requests. Replaces earlier random settings.
    public func injectRandomFaults(
        probability: Double, faults: [Fault] = [.serverError(status: 500), .serverError(status: 502), .serverError(status: 503)],
        seed: UInt64 = 42, method: String? = nil, pathPrefix: String? = nil
    ) {
        withState {
            $0.randomFaults = faults.isEmpty ? nil :
                RandomFaults(probability: probability, faults: faults, generator: SeededGenerator(seed: seed), method: method, pathPrefix: pathPrefix)
        }
    }

    /// Right after page `page` of any `GET /ws/orders` walk is served, applies `change` to
    /// order `orderID` (bumping its `date_modification`). One shot; several may be queued.
    public func addPaginationDrift(orderID: Int, afterPage page: Int, change: DriftChange = .touch) {
        withState { $0.drifts.append(PaginationDrift(orderID: orderID, page: page, change: change)) }
    }

    /// Starts a rate-limit block now: every request gets 429 for `seconds` (default
    /// ``Configuration/blockSeconds``), with `Retry-After` only when ``Configuration/sendRetryAfter``.
    public func blockClient(for seconds: TimeInterval? = nil) {
        let now = clock()
        withState { $0.blockedUntil = now.addingTimeInterval(seconds ?? $0.configuration.blockSeconds) }
    }

    /// Removes every queued, random and drift fault and lifts a rate-limit block. Orders
    /// (including archived flags), the journal and the configuration are untouched.
    public func faultsOff() {
        withState {
            $0.faultRules.removeAll()
            $0.randomFaults = nil
            $0.drifts.removeAll()
            $0.blockedUntil = nil
            $0.rateHits.removeAll()
        }
    }

    /// Number of queued fault answers still to be given.
    public var pendingFaultCount: Int {
        withState { $0.faultRules.reduce(0) { $0 + $1.remaining } }
    }
}

extension BackMarketSimulator.State {
    /// Picks the fault for this request, if any, consuming one use of a queued rule.
    mutating func takeFault(for request: HTTPRequest) -> BackMarketSimulator.Fault? {
        if let index = faultRules.firstIndex(where: { $0.matches(request) }) {
            let fault = faultRules[index].fault
            faultRules[index].remaining -= 1
            if faultRules[index].remaining <= 0 { faultRules.remove(at: index) }
            return fault
        }
        guard var random = randomFaults else { return nil }
        let matches = (random.method.map { $0.uppercased() == request.method } ?? true)
            && (random.pathPrefix.map { request.path.hasPrefix($0) } ?? true)
        guard matches else { return nil }
        let roll = random.generator.unit()
        let pick = random.generator.pick(random.faults)
        randomFaults = random
        return roll < random.probability ? pick : nil
    }
}
