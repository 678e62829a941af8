import Foundation

/// Stores pages of fetched orders: carrier mapping from `shipping_rules`, one transaction per page,
/// unchanged orders skipped by content hash, malformed payloads quarantined, and auto-accept queued
/// in the same transaction that stores a newly acceptable order.
public struct Ingest: Sendable {
    public let store: Store
    public let channelID: String
    public let autoAccept: Bool
    public let rules: [ShippingRule]
    /// Hours from first sight to `accept_by` for orders whose channel gives no deadline.
    public let acceptWithinHours: Int
    /// Hours from acceptance to `ship_by` for orders whose channel gives no date (nil: no deadline).
    public let shipWithinHours: Int?
    public let logger: Logger
    /// Told about quarantined payloads.
    public var alerts: Alerts = .disabled
    /// Counts orders imported, for `metrics_file`.
    public var metrics: Metrics?

    public init(store: Store, channelID: String, autoAccept: Bool, rules: [ShippingRule], acceptWithinHours: Int = 24,
                shipWithinHours: Int? = nil, logger: Logger) {
        self.store = store; self.channelID = channelID; self.autoAccept = autoAccept; self.rules = rules
        self.acceptWithinHours = acceptWithinHours; self.shipWithinHours = shipWithinHours; self.logger = logger
    }

    /// Counts of what one page did.
    public struct Summary: Sendable, Equatable {
        public var inserted = 0
        public var updated = 0
        public var unchanged = 0
        public var quarantined = 0
        public var acceptsQueued = 0
        public var conflicts = 0
        /// Orders listed only to be followed (`createIfNew` false) that ordersync does not store.
        public var notFollowed = 0
    }

    /// The carrier key for an order: the first rule matching its channel and shipping label.
    public static func carrier(for order: Order, rules: [ShippingRule]) -> String? {
        rules.first { $0.matches(channelID: order.ref.channel, shippingMethod: order.shippingMethod ?? "") }?.carrier
    }

    /// Readies a fetched order for storage: its carrier from the rules; a second site's copy of a known
    /// id moved to `SITE/ID` (the conflict logged, never merged); an acceptance deadline that does not
    /// move once set (from the channel, else `accept_within_hours` from first sight); the acceptance time
    /// (first stored in `awaiting_shipment`) and a shipping deadline that does not move once set (from the
    /// channel, else `ship_within_hours` after acceptance). Returns whether there was a site conflict.
    public func prepare(_ fetched: Order, now: Date = Date()) throws -> (Order, Bool) {
        let (order, conflict, _) = try prepared(fetched, now: now)
        return (order, conflict)
    }

    /// ``prepare(_:now:)`` and the stored row it read (nil for a new order), for the upsert that follows.
    /// `looked`: the stored row of `fetched.ref` when the caller has read it already.
    func prepared(_ fetched: Order, now: Date, looked: Store.KnownOrder?? = nil) throws -> (Order, Bool, Store.KnownOrder?) {
        var order = fetched
        var conflict = false
        var known = try looked ?? store.known(order.ref)
        if let site = order.site, let knownSite = known?.site, site != knownSite {
            logger.warning("order id conflict between sites", ["order.id": .string(order.ref.externalID),
                                                               "site": .string(site), "first_site": .string(knownSite)])
            order.ref = OrderRef(channel: order.ref.channel, externalID: "\(site)/\(order.ref.externalID)")
            known = try store.known(order.ref)
            conflict = true
        }
        return (applying(known, to: order, now: now), conflict, known)
    }

    /// The carrier and the deadlines, given what is stored of the order (`known`, nil for a new one). Reads
    /// nothing: the same inputs give the same order.
    func applying(_ known: Store.KnownOrder?, to fetched: Order, now: Date) -> Order {
        var order = fetched
        order.carrier = Ingest.carrier(for: order, rules: rules)
        if let kept = known?.acceptBy {
            order.acceptBy = kept
        } else if order.status == .awaitingAcceptance, order.acceptBy == nil {
            order.acceptBy = now.addingTimeInterval(Double(acceptWithinHours) * 3600)
        }
        order.acceptedAt = ShippingDeadline.acceptedAt(known: known?.acceptedAt, status: order.status, now: now)
        order.shipBy = ShippingDeadline.shipBy(known: known?.shipBy, channelDate: order.shipBy,
                                               acceptedAt: order.acceptedAt, withinHours: shipWithinHours)
        return order
    }

    /// A page's orders as they would be stored if new: prepared and encoded before the page's transaction,
    /// outside the database's lock, so that channels encode in parallel while one of them writes (the
    /// encoding inside the transaction kept the other channels waiting; issue 17). An order found stored
    /// is prepared and encoded again inside, with what is stored.
    struct Encoded {
        let order: Order
        let json: Data
        let hash: String
    }

    func encodedAsNew(_ page: OrderPage, now: Date) -> [Encoded?] {
        page.orders.map { fetched in
            // An order only followed (never created) is stored already, or skipped.
            guard fetched.createIfNew else { return nil }
            let order = applying(nil, to: fetched.order, now: now)
            guard let json = try? OrderCoding.storedJSON(order) else { return nil }
            return Encoded(order: order, json: json, hash: ContentHash.hex(json))
        }
    }

    /// Stores one page in one transaction.
    @discardableResult
    public func store(_ page: OrderPage, now: Date = Date()) throws -> Summary {
        var summary = Summary()
        var newlyQuarantined: [QuarantinedPayload] = []
        let encoded = encodedAsNew(page, now: now)
        try store.transaction {
            for item in page.quarantined {
                if !item.createIfNew {
                    guard let id = item.externalID,
                          try store.known(OrderRef(channel: channelID, externalID: id)) != nil else {
                        summary.notFollowed += 1
                        continue
                    }
                }
                if try store.quarantine(channel: channelID, externalID: item.externalID, reason: item.reason, raw: item.raw, now: now) {
                    newlyQuarantined.append(item)
                }
                summary.quarantined += 1
            }
            // The page's stored rows in one lookup. An order listed twice on a page is looked up again the
            // second time, so it sees what its first listing just stored.
            let prefetched = try store.known(page.orders.map(\.order.ref))
            var seen = Set<OrderRef>()
            for (index, fetched) in page.orders.enumerated() {
                // Create only what the channel's import takes; follow every order already stored.
                let ref = fetched.order.ref
                let looked = seen.insert(ref).inserted ? prefetched[ref] : try store.known(ref)
                if !fetched.createIfNew, looked == nil {
                    summary.notFollowed += 1
                    continue
                }
                try record(fetched, looked: looked, now: now, queueAccept: autoAccept, encodedAsNew: encoded[index], into: &summary)
            }
            for item in page.returns {
                var externalID = item.orderExternalID
                if let line = item.orderLineID {
                    guard let owner = try store.externalID(channel: channelID, lineID: line) else {
                        logger.debug("return skipped: no stored order has its line", ["return": .string(item.value.returnRef), "line.id": .string(line)])
                        continue
                    }
                    externalID = owner
                }
                try store.recordReturns([item.value], of: OrderRef(channel: channelID, externalID: externalID), now: now)
            }
        }
        if !page.returns.isEmpty { try warnAboutWaitingReturns(now: now) }
        // Committed: the connector may skip these payloads while they stay unchanged.
        page.onCommit?()
        for item in newlyQuarantined {
            logger.error("order quarantined", ["order.id": .string(item.externalID ?? "?"), "reason": .string(item.reason)])
            alerts.raise(.orderQuarantined, channel: channelID,
                         orderRef: item.externalID.map { OrderRef(channel: channelID, externalID: $0) },
                         subject: item.externalID ?? item.reason,
                         message: "an order could not be read and was set aside: \(item.reason)")
        }
        metrics?.ordersImported(channel: channelID, count: summary.inserted)
        if summary.inserted + summary.updated > 0 {
            logger.info("orders imported", ["new": .int(summary.inserted), "changed": .int(summary.updated),
                                            "unchanged": .int(summary.unchanged), "accepts_queued": .int(summary.acceptsQueued)])
        }
        return summary
    }

    /// Stores an order read again by id (a stale open order, a shipped order followed) under `ref`, the ref
    /// it is stored as (a site conflict may have prefixed it): one page of one order, with everything a page
    /// gets (carrier, deadlines, history, auto-accept).
    @discardableResult
    public func storeReread(_ fetched: FetchedOrder, as ref: OrderRef, now: Date = Date()) throws -> Summary {
        var order = fetched.order
        order.ref = ref
        return try store(OrderPage(orders: [FetchedOrder(order: order, raw: fetched.raw)]), now: now)
    }

    /// Stores the order as a push left it on the channel (if the connector read it back) under `ref`, the
    /// stored ref, in the one transaction that also runs `alongside` (the job's completion): both land or
    /// neither. Carrier and deadlines are applied and history kept as for a page; nothing is queued, since
    /// the push itself is the queue's work.
    public func storePushResult(_ refreshed: FetchedOrder?, as ref: OrderRef, now: Date = Date(),
                                alongside: () throws -> Void) throws {
        try store.transaction {
            if var fetched = refreshed {
                fetched.order.ref = ref
                var ignored = Summary()
                try record(fetched, looked: try store.known(fetched.order.ref), now: now, queueAccept: false, into: &ignored)
            }
            try alongside()
        }
    }

    /// Stores one fetched order inside the caller's transaction; queues its acceptance when asked and newly acceptable.
    /// `looked`: the stored row of `fetched`'s ref (``Store/known(_:)``), read once by the caller.
    private func record(_ fetched: FetchedOrder, looked: Store.KnownOrder?, now: Date, queueAccept: Bool,
                        encodedAsNew: Encoded? = nil, into summary: inout Summary) throws {
        let order: Order, conflict: Bool, known: Store.KnownOrder?, encoded: (json: Data, hash: String)?
        if looked == nil, let ready = encodedAsNew {
            // New, under its own ref: exactly the order prepared and encoded before the transaction (its
            // carrier and deadlines are not worked out a second time).
            (order, conflict, known, encoded) = (ready.order, false, nil, (ready.json, ready.hash))
        } else {
            (order, conflict, known) = try prepared(fetched.order, now: now, looked: .some(looked))
            encoded = nil
        }
        if conflict { summary.conflicts += 1 }
        switch try store.upsert(order, raw: fetched.raw, now: now, stored: known, encoded: encoded) {
        case .inserted: summary.inserted += 1
        case .updated: summary.updated += 1
        case .unchanged: summary.unchanged += 1; return
        }
        try store.recordReturns(of: order, now: now)
        if queueAccept, order.status == .awaitingAcceptance {
            if case .queued = try store.enqueue(order.ref, kind: .accept, dedupeKey: "accept", payload: JobPayload(), now: now) {
                summary.acceptsQueued += 1
            }
        }
    }
}
