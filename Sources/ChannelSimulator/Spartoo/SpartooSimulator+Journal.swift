import Foundation

extension SpartooSimulator {
    /// One request as the simulator saw it, with what it answered.
    public struct JournalEntry: Sendable {
        /// 1 for the first request, then +1.
        public let sequence: Int
        /// Simulator clock time at arrival.
        public let time: Date
        /// The site whose server received it.
        public let site: String
        /// The request as received.
        public let request: HTTPRequest
        /// Its parameters, decoded, from the query and the body (the body wins).
        public let parameters: [String: String]
        /// Where the parameters came from.
        public let bodyKind: BodyKind
        /// HTTP status sent; 0 when the connection was dropped.
        public let status: Int
        /// The Spartoo code in the reply (1 OK, negative for errors); nil when the reply carried none.
        public let code: Int?
        /// The first ``maxStoredBodyBytes`` of the reply body.
        public let responseBody: Data
        /// The injected fault that shaped the reply; nil for a normal one.
        public let fault: String?

        public static let maxStoredBodyBytes = 4096

        /// The script called (`xml_maj_orders.php`).
        public var script: String { request.path.split(separator: "/").last.map(String.init) ?? "" }
        /// The HTTP method.
        public var method: String { request.method }
    }

    /// A status change the simulator applied for a client (code 1), including changes whose reply was then
    /// spoiled by ``Fault/serverErrorAfterApplying(status:)`` or ``Fault/slow(seconds:)``. Tests count these
    /// to prove "exactly once". Timed events and ``setStatus(site:id:status:)`` are not effects.
    public struct AppliedEffect: Sendable, Equatable {
        public enum Kind: String, Sendable {
            /// statut 2.
            case accept
            /// statut 3.
            case ship
            /// statut 41.
            case cancel
            /// statut 45 (lost) or 47 (returned undelivered), from 3.
            case parcelOutcome
            /// A return accepted (4) or refused (3) through `xml_maj_returns.php`. `details`: `rID`, `label_link`.
            case returnAccepted, returnRefused
        }

        public let time: Date
        public let site: String
        public let orderID: String
        public let kind: Kind
        public let fromStatus: Int
        public let toStatus: Int
        /// `tracking_number` for a ship.
        public let details: [String: String]
    }

    /// The requests handled so far (the latest ``Configuration/journalLimit``), oldest first.
    public var journal: [JournalEntry] { withState { $0.journal } }

    /// Journal entries for `script` (any when nil) on `site` (any when nil).
    public func requests(script: String? = nil, site: String? = nil) -> [JournalEntry] {
        withState { state in
            state.journal.filter { entry in
                (script.map { $0 == entry.script } ?? true) && (site.map { $0 == entry.site } ?? true)
            }
        }
    }

    /// Every applied effect, oldest first.
    public var appliedEffects: [AppliedEffect] { withState { $0.effects } }

    /// Applied effects on one order (any site when nil), optionally of one kind.
    public func appliedEffects(orderID: String, site: String? = nil, kind: AppliedEffect.Kind? = nil) -> [AppliedEffect] {
        withState { state in
            state.effects.filter { $0.orderID == orderID && (site == nil || $0.site == site) && (kind == nil || $0.kind == kind) }
        }
    }

    /// Number of requests handled so far.
    public var requestCount: Int { withState { $0.requestCounter } }

    /// Forgets the journal and the applied effects (orders are kept).
    public func clearJournal() {
        withState {
            $0.journal.removeAll()
            $0.effects.removeAll()
        }
    }
}
