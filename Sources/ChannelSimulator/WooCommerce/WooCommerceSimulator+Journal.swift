import Foundation

extension WooCommerceSimulator {
    /// One request as the simulator saw it, with the status it answered.
    public struct JournalEntry: Sendable {
        /// 1 for the first request handled, then +1 (not reset by ``clearJournal()``).
        public let sequence: Int
        /// Simulator clock time at arrival.
        public let time: Date
        /// The request as received (method, path, query, headers, body).
        public let request: HTTPRequest
        /// The status sent; 0 when the connection was dropped without a reply.
        public let status: Int
        /// The first ``maxStoredBodyBytes`` bytes of the reply body.
        public let responseBody: Data
        /// How much of each reply body the journal keeps.
        public static let maxStoredBodyBytes = 4096
        /// The injected fault that shaped the reply; nil for a normal reply.
        public let fault: String?

        public var method: String { request.method }
        public var path: String { request.path }
        /// The decoded query parameters (last value wins).
        public var query: [String: String] { request.query }
        /// The request body parsed as a JSON object; nil when it is not one.
        public var jsonBody: [String: Any]? { (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any] }
    }

    /// A change the simulator applied through the API (faulty replies included when the change happened).
    /// Tests count these to prove "exactly once".
    public struct AppliedEffect: Sendable, Equatable {
        public enum Kind: String, Sendable {
            /// `details`: `from`, `to`.
            case statusChange
            /// A note with `customer_note: true` (e-mailed). `details`: `note`, `note_id`.
            case customerNote
            /// A private note. `details`: `note`, `note_id`.
            case internalNote
            /// A Shipment Tracking entry. `details`: `tracking_id`, `tracking_number`, `tracking_provider`,
            /// `custom_tracking_provider`, `tracking_link`, `date_shipped`.
            case tracking
            /// An order created by `POST /orders`. `details`: `status` (as posted).
            case created
            /// `meta_data` or `customer_note` written. `details`: `meta.<key>`, `customer_note`.
            case metaUpdate
            /// Line items, addresses, shipping, fee or coupon lines written: WooCommerce recalculates totals.
            case totalsRecalculated
            case noteDeleted, trackingDeleted, trashed, deleted
            /// A refund created. `details`: `refund_id`, `amount`, `reason`, `api_refund`, `key` (the
            /// `ordersync_refund_key` meta), `refunded_payment`.
            case refund
            /// A refund deleted (`DELETE …/refunds/{id}?force=true`). `details`: `refund_id`.
            case refundDeleted
        }

        public let time: Date
        public let orderID: Int
        public let kind: Kind
        public let details: [String: String]
    }

    /// An e-mail WooCommerce would have sent (`customer_note`, `customer_completed_order`, …).
    public struct Email: Sendable, Equatable {
        public let time: Date
        public let orderID: Int
        /// The WooCommerce e-mail id.
        public let template: String
        /// The buyer's address, or `admin`.
        public let recipient: String
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

    /// `GET /wp-json/wc/v3/orders` listings, oldest first.
    public func listRequests() -> [JournalEntry] {
        requests(method: "GET").filter { $0.path == "/wp-json/wc/v3/orders" }
    }

    /// Every applied effect, oldest first.
    public var appliedEffects: [AppliedEffect] { withState { $0.effects } }

    /// Applied effects on `orderID`, optionally of one kind.
    public func appliedEffects(orderID: Int, kind: AppliedEffect.Kind? = nil) -> [AppliedEffect] {
        withState { state in state.effects.filter { $0.orderID == orderID && (kind == nil || $0.kind == kind) } }
    }

    /// E-mails "sent" for `orderID` (every order when nil), oldest first.
    public func emails(orderID: Int? = nil) -> [Email] {
        withState { state in state.emails.filter { orderID == nil || $0.orderID == orderID } }
    }

    /// Forgets the journal, the applied effects and the e-mails (orders are kept).
    public func clearJournal() {
        withState {
            $0.journal.removeAll()
            $0.effects.removeAll()
            $0.emails.removeAll()
        }
    }
}
