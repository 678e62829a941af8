import Foundation

extension BackMarketSimulator {
    /// One request as the simulator saw it, with the status it answered.
    public struct JournalEntry: Sendable {
        /// 1 for the first request the simulator handled, then +1 (not reset by ``clearJournal()``).
        public let sequence: Int
        /// Simulator clock time at arrival.
        /// Simulator clock time of the change.
        public let time: Date
        /// The request as received (method, path, query, headers, body).
        public let request: HTTPRequest
        /// The status sent; 0 when the connection was dropped without a reply.
        public let status: Int
        /// The first ``maxStoredBodyBytes`` bytes of the reply body.
        public let responseBody: Data
        /// How much of each reply body the journal keeps (4 KiB).
        public static let maxStoredBodyBytes = 4096
        /// The injected fault or `rate-limit` that shaped the reply; nil for a normal reply.
        public let fault: String?

        /// The request method.
        public var method: String { request.method }
        /// The decoded request path.
        public var path: String { request.path }
        /// The decoded query parameters (last value wins).
        public var query: [String: String] { request.query }
        /// The request body.
        public var body: Data { request.body }
        /// The request body parsed as a JSON object; nil when it is not one.
        public var jsonBody: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any]
        }
    }

    /// A state change the simulator actually applied (only for replies it processed with 200,
    /// including ``Fault/serverErrorAfterApplying(status:)`` and ``Fault/slow(seconds:)`` ones).
    /// Tests count these to prove "exactly once".
    public struct AppliedEffect: Sendable, Equatable {
        /// What the change was.
        public enum Kind: String, Sendable {
            /// new_state 2.
            case accept
            /// new_state 4.
            case cancel
            /// new_state 5 (before shipping) or 6 (after shipping).
            case refund
            /// new_state 3.
            case ship
            /// PATCH /ws/orderlines/{id}.
            case patchLine
        }

        /// Simulator clock time of the change.
        public let time: Date
        /// The order the change applied to.
        public let orderID: Int
        /// What the change was.
        public let kind: Kind
        /// The lines that changed.
        public let lineIDs: [Int]
        /// The `new_state` written (nil for ``Kind/patchLine``).
        public let newState: Int?
        /// Call details: `sku`, `tracking_number`, `tracking_url`, `shipper`, `date_shipping`,
        /// `imei`, `serial_number` — whichever the call carried.
        public let details: [String: String]
    }

    /// The requests handled so far (the latest ``Configuration/journalLimit``), oldest first.
    public var journal: [JournalEntry] { withState { $0.journal } }

    /// Journal entries with `method` (any when nil) whose path starts with `pathPrefix` (any when nil).
    public func requests(method: String? = nil, pathPrefix: String? = nil) -> [JournalEntry] {
        withState { state in
            state.journal.filter { entry in
                (method.map { $0.uppercased() == entry.method } ?? true) && (pathPrefix.map { entry.path.hasPrefix($0) } ?? true)
            }
        }
    }

    /// Number of requests handled so far (journalled or cleared).
    public var requestCount: Int { withState { $0.requestCounter } }

    /// Every applied effect, oldest first.
    public var appliedEffects: [AppliedEffect] { withState { $0.effects } }

    /// Applied effects on `orderID`, optionally of one kind.
    public func appliedEffects(orderID: Int, kind: AppliedEffect.Kind? = nil) -> [AppliedEffect] {
        withState { state in state.effects.filter { $0.orderID == orderID && (kind == nil || $0.kind == kind) } }
    }

    /// Forgets the journal and the applied effects (orders are kept).
    public func clearJournal() {
        withState {
            $0.journal.removeAll()
            $0.effects.removeAll()
        }
    }
}
