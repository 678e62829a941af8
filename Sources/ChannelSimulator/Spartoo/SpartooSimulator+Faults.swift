import Foundation

extension SpartooSimulator {
    /// A misbehaviour the simulator can answer with instead of (or on top of) the normal reply.
    ///
    /// "Before processing" faults answer without touching orders; "after processing" faults let the request
    /// take effect (a status change is applied) and then spoil the reply — the cases that test "exactly once".
    public enum Fault: Sendable, Equatable {
        /// Before processing: HTTP `status` with an HTML page (500 Apache-style, 502/503/504 gateway).
        case serverError(status: Int)
        /// After processing: the change IS applied, the client sees HTTP `status`.
        case serverErrorAfterApplying(status: Int)
        /// After processing: applied at once, the reply held `seconds` of real time (past a client's timeout).
        case slow(seconds: TimeInterval)
        /// After processing: HTTP 200 with XML that is not well-formed (a mismatched end tag).
        case malformedXML
        /// After processing: HTTP 200 with the body cut in half.
        case truncatedBody
        /// Before processing: HTTP 200 with an HTML maintenance page instead of XML.
        case htmlPage
        /// Before processing: the connection is closed without a reply.
        case dropConnection
        /// Before processing: one −429 reply (HTTP 200), as when the hourly quota is spent.
        case quotaExceeded
        /// The reply is written in ISO-8859-1 (declared), whatever ``Configuration/encoding`` says.
        case latin1Body
        /// After processing: the change IS applied, the client sees HTTP 200 with well-formed XML that carries
        /// no result code (`<root><result>OK</result></root>`): a reply shape the client does not know.
        case unrecognisedReply

        /// Short name written into the journal.
        public var label: String {
            switch self {
            case .serverError(let status): "server-error-\(status)"
            case .serverErrorAfterApplying(let status): "server-error-after-applying-\(status)"
            case .slow(let seconds): "slow-\(seconds)s"
            case .malformedXML: "malformed-xml"
            case .truncatedBody: "truncated-body"
            case .htmlPage: "html-page"
            case .dropConnection: "drop-connection"
            case .quotaExceeded: "quota-exceeded"
            case .latin1Body: "latin1-body"
            case .unrecognisedReply: "unrecognised-reply"
            }
        }

        func responseBeforeProcessing() -> HTTPResponse? {
            switch self {
            case .serverError(let status): return SpartooSimulator.serverErrorPage(status)
            case .htmlPage:
                return .html(200, "<!DOCTYPE html><html><head><title>Spartoo - Maintenance</title></head><body><h1>Site en maintenance</h1><p>Merci de réessayer plus tard.</p></body></html>")
            case .dropConnection: return .dropConnection
            case .quotaExceeded:
                let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<root><errors>-429</errors></root>"
                return HTTPResponse(status: 200, headers: [("Content-Type", "text/xml; charset=UTF-8")], body: Data(xml.utf8))
            case .serverErrorAfterApplying, .slow, .malformedXML, .truncatedBody, .latin1Body, .unrecognisedReply: return nil
            }
        }

        func transform(_ response: HTTPResponse) -> HTTPResponse {
            switch self {
            case .serverErrorAfterApplying(let status):
                return SpartooSimulator.serverErrorPage(status)
            case .malformedXML:
                var text = response.bodyText
                if let range = text.range(of: "</root>", options: .backwards) {
                    text.replaceSubrange(range, with: "</rot>")
                } else {
                    text += "<unclosed>"
                }
                return HTTPResponse(status: 200, headers: response.headers, body: Data(text.utf8))
            case .truncatedBody:
                return HTTPResponse(status: 200, headers: response.headers, body: response.body.prefix(max(1, response.body.count / 2)))
            case .unrecognisedReply:
                let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<root><result>OK</result></root>"
                return HTTPResponse(status: 200, headers: [("Content-Type", "text/xml; charset=UTF-8")], body: Data(xml.utf8))
            default:
                return response
            }
        }
    }

    static func serverErrorPage(_ status: Int) -> HTTPResponse {
        let title = "\(status) \(HTTPResponse.reasonPhrase(status))"
        return .html(status, "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\"><html><head><title>\(title)</title></head><body><h1>\(title)</h1><hr><address>nginx</address></body></html>")
    }

    /// A queued fault: answers the next `remaining` matching requests.
    struct FaultRule {
        var fault: Fault
        var remaining: Int
        var script: String?
        var site: String?

        func matches(_ request: HTTPRequest, site requestSite: String) -> Bool {
            (script.map { request.path.hasSuffix("/" + $0) } ?? true) && (site.map { $0 == requestSite } ?? true)
        }
    }

    /// Faults drawn at random (seeded) for soak tests.
    struct RandomFaults {
        var probability: Double
        var faults: [Fault]
        var generator: SeededGenerator
        var script: String?
    }

    // MARK: - Public switches (thread-safe)

    /// Makes the next `count` requests to `script` (any when nil, e.g. `"xml_maj_orders.php"`) on `site`
    /// (any when nil) answer with `fault`. Rules queue up: the oldest matching rule is used first.
    public func injectFault(_ fault: Fault, count: Int = 1, script: String? = nil, site: String? = nil) {
        guard count > 0 else { return }
        withState { $0.faultRules.append(FaultRule(fault: fault, remaining: count, script: script, site: site)) }
    }

    /// From now on each matching request (without a queued fault) gets one of `faults` with `probability`;
    /// the draws depend only on `seed` and the order of requests.
    public func injectRandomFaults(probability: Double,
                                   faults: [Fault] = [.serverError(status: 500), .serverError(status: 503), .truncatedBody],
                                   seed: UInt64 = 42, script: String? = nil) {
        withState {
            $0.randomFaults = faults.isEmpty ? nil
                : RandomFaults(probability: probability, faults: faults, generator: SeededGenerator(seed: seed), script: script)
        }
    }

    /// Removes every queued and random fault (orders, journal and configuration are untouched).
    public func faultsOff() {
        withState {
            $0.faultRules.removeAll()
            $0.randomFaults = nil
        }
    }

    /// Number of queued fault answers still to be given.
    public var pendingFaultCount: Int { withState { $0.faultRules.reduce(0) { $0 + $1.remaining } } }
}

extension SpartooSimulator.State {
    /// Picks the fault for this request, if any, consuming one use of a queued rule.
    mutating func takeFault(for request: HTTPRequest, site: String) -> SpartooSimulator.Fault? {
        if let index = faultRules.firstIndex(where: { $0.matches(request, site: site) }) {
            let fault = faultRules[index].fault
            faultRules[index].remaining -= 1
            if faultRules[index].remaining <= 0 { faultRules.remove(at: index) }
            return fault
        }
        guard var random = randomFaults, random.script.map({ request.path.hasSuffix("/" + $0) }) ?? true else { return nil }
        let roll = random.generator.unit()
        let pick = random.generator.pick(random.faults)
        randomFaults = random
        return roll < random.probability ? pick : nil
    }
}
