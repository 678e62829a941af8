import Foundation

/// Stores pages of fetched orders: carrier mapping from `shipping_rules`, one transaction per page,
/// unchanged orders skipped by content hash, malformed payloads quarantined, and auto-accept queued
/// in the same transaction that stores a newly acceptable order.
public struct Ingest: Sendable {
    public let store: Store
    public let channelID: String
    public let autoAccept: Bool
    public let rules: [ShippingRule]
    public let logger: Logger

    public init(store: Store, channelID: String, autoAccept: Bool, rules: [ShippingRule], logger: Logger) {
        self.store = store; self.channelID = channelID; self.autoAccept = autoAccept; self.rules = rules; self.logger = logger
    }

    /// Counts of what one page did.
    public struct Summary: Sendable, Equatable {
        public var inserted = 0
        public var updated = 0
        public var unchanged = 0
        public var quarantined = 0
        public var acceptsQueued = 0
    }

    /// The carrier key for an order: the first rule matching its channel and shipping label.
    public static func carrier(for order: Order, rules: [ShippingRule]) -> String? {
        rules.first { $0.matches(channelID: order.ref.channel, shippingMethod: order.shippingMethod ?? "") }?.carrier
    }

    /// Stores one page in one transaction.
    @discardableResult
    public func store(_ page: OrderPage, now: Date = Date()) throws -> Summary {
        var summary = Summary()
        try store.db.inTransaction {
            for item in page.quarantined {
                try store.quarantine(channel: channelID, externalID: item.externalID, reason: item.reason, raw: item.raw, now: now)
                summary.quarantined += 1
            }
            for fetched in page.orders {
                var order = fetched.order
                order.carrier = Ingest.carrier(for: order, rules: rules)
                switch try store.upsert(order, raw: fetched.raw, now: now) {
                case .inserted: summary.inserted += 1
                case .updated: summary.updated += 1
                case .unchanged: summary.unchanged += 1; continue
                }
                if autoAccept, order.status == .awaitingAcceptance {
                    if case .queued = try store.enqueue(order.ref, kind: .accept, dedupeKey: "accept", payload: JobPayload(), now: now) {
                        summary.acceptsQueued += 1
                    }
                }
            }
        }
        for item in page.quarantined {
            logger.error("order quarantined", ["order.id": .string(item.externalID ?? "?"), "reason": .string(item.reason)])
        }
        if summary.inserted + summary.updated > 0 {
            logger.info("orders imported", ["new": .int(summary.inserted), "changed": .int(summary.updated),
                                            "unchanged": .int(summary.unchanged), "accepts_queued": .int(summary.acceptsQueued)])
        }
        return summary
    }
}
