import Foundation
import OrderSync

extension WooCommerceChannel {
    /// Seconds the walk reaches back before the cursor (equal timestamps reorder, clocks drift).
    static let overlap: TimeInterval = 300
    static let pageSize = 100
    /// Walks restarted because `X-WP-Total` changed under them, before the poll gives up for now.
    static let maxRestarts = 3

    /// What one poll has seen so far, across its walks.
    struct WalkState {
        var newest: Date?
        /// Orders already delivered by this poll (restarts, overlapping walks), by ``version(_:)``.
        var delivered: Set<Int> = []
    }

    /// Walks every order modified since the cursor (minus an overlap) up to a bound frozen when the poll
    /// starts, then trashed known orders in the same window, and once a day the whole `resweep_days`
    /// window. Orders in `statuses` are delivered to be created; others only to be followed (`Ingest`
    /// updates them when already stored); drafts never. The cursor (highest `date_modified_gmt` seen, the
    /// last re-sweep) is returned for saving after every walk succeeded. Read-only on the store.
    public func poll(cursor: String?, now: Date, deliver: @Sendable (OrderPage) async throws -> Void) async throws -> String {
        var saved = WooCommerceCursor(decoding: cursor)
        // Frozen for the whole poll, whole seconds: orders modified after it wait for the next poll.
        let until = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let resweepFrom = until.addingTimeInterval(-Double(resweepDays) * 86_400)
        let since = saved.modified.map { $0.addingTimeInterval(-Self.overlap) } ?? resweepFrom
        var state = WalkState()
        unchanged.startPoll()

        try await walk(status: "any", since: since, until: until, onlyKnown: false, state: &state, deliver: deliver)
        // `any` leaves out trash: a known order moved to the bin still has to read `cancelled`.
        try await walk(status: "trash", since: since, until: until, onlyKnown: true, state: &state, deliver: deliver)
        if saved.lastResweep.map({ now.timeIntervalSince($0) >= 86_400 }) ?? true {
            if saved.modified != nil, resweepFrom < since {
                try await walk(status: "any", since: resweepFrom, until: until, onlyKnown: false, state: &state, deliver: deliver)
            }
            saved.lastResweep = now
        }
        // Advance only after every walk succeeded, never past the frozen bound.
        if let newest = state.newest {
            saved.modified = min(max(newest, saved.modified ?? .distantPast), until)
        } else if saved.modified == nil {
            saved.modified = until
        }
        return saved.encoded
    }

    /// Pages through one filtered listing by `X-WP-TotalPages` (or until `[]`). When the listing shifts
    /// under the walk (`X-WP-Total` changed, or an order seen earlier reappears with a new date), the walk
    /// starts again; upserts and the per-poll `delivered` set keep that free of duplicates.
    func walk(status: String, since: Date, until: Date, onlyKnown: Bool, state: inout WalkState,
              deliver: @Sendable (OrderPage) async throws -> Void) async throws {
        let operation = "list orders"
        var page = 1
        var expectedTotal: Int?
        var restarts = 0
        var seenIDs: [Int: Int] = [:]  // id → date_modified_gmt, both as ``key(_:)``/fingerprint (8 bytes each, not two strings)
        while true {
            try Task.checkCancellation()
            let query: [(String, String)] = [
                ("status", status),
                ("modified_after", WooCommerceCursor.naiveUTC(since)),
                ("modified_before", WooCommerceCursor.naiveUTC(until)),
                ("dates_are_gmt", "true"), ("orderby", "modified"), ("order", "asc"),
                ("per_page", String(Self.pageSize)), ("page", String(page)),
            ]
            let (response, json, ranges) = try await send(request("GET", "orders", query: query), operation: operation, listing: true)
            guard let json else { throw failure(response, operation: operation) }
            guard let items = json.array else {
                // Valid JSON that is not a list (a host's JSON error page, a plugin's envelope): never "no orders".
                throw ChannelError(.retryable(retryAfter: nil), operation: operation, httpStatus: response.status,
                                   message: "response is not a list of orders")
            }
            let total = response.header("x-wp-total").flatMap { Int($0.trimmingWhitespace()) }
            let totalPages = response.header("x-wp-totalpages").flatMap { Int($0.trimmingWhitespace()) }
            // An order left the frozen window (edited, binned): later pages shifted by one.
            let totalChanged = expectedTotal.map { expected in total.map { $0 != expected } ?? false } ?? false
            // The same id twice with another date_modified: edited and moved to the end while still inside
            // the window (the store's clock behind ours), so later pages shifted too. The same id with the
            // same date is only a tie reordered between pages: the overlap covers it.
            let pageIDs = items.compactMap { item in
                item["id"]?.text.map { (Self.key($0), UnchangedPayloads.fingerprint(item["date_modified_gmt"]?.text ?? "")) }
            }
            let moved = pageIDs.contains { id, modified in seenIDs[id].map { $0 != modified } ?? false }
            if totalChanged || moved {
                restarts += 1
                guard restarts <= Self.maxRestarts else {
                    throw ChannelError(.retryable(retryAfter: nil), operation: operation,
                                       message: "orders kept changing during the walk; walking again next poll")
                }
                logger.debug("order list changed during the walk; walking again",
                             ["status": .string(status), "page": .int(page), "total": .int(total ?? -1)])
                expectedTotal = nil
                seenIDs.removeAll()
                page = 1
                continue
            }
            if expectedTotal == nil { expectedTotal = total }
            for (id, modified) in pageIDs { seenIDs[id] = modified }
            let delivery = select(items, since: since, onlyKnown: onlyKnown, state: &state,
                                  slices: JSONSkim.elements(of: response.body, recorded: ranges, count: items.count))
            if !delivery.orders.isEmpty || !delivery.quarantined.isEmpty { try await deliver(delivery) }
            if items.isEmpty { break }
            if let totalPages, page >= totalPages { break }
            if totalPages == nil, items.count < Self.pageSize { break }
            page += 1
            if page > 100_000 { break }
        }
    }

    /// An order id as a number (WooCommerce's ids are integers; anything else is fingerprinted).
    static func key(_ id: String) -> Int { Int(id) ?? UnchangedPayloads.fingerprint(id, scope: "id") }

    /// One version of an order (`id` and `date_modified_gmt`) as a number: a walk remembers which it delivered
    /// (in the 100k backlog the strings took 1.8 MB).
    static func version(_ item: JSONValue) -> Int {
        UnchangedPayloads.fingerprint([item["id"]?.text ?? "?", item["date_modified_gmt"]?.text ?? ""], scope: "version")
    }

    /// Chooses what to deliver from one page: no drafts; orders in `statuses` to be created, the others
    /// (and everything in the bin) only to be followed; each version once per poll. Unmappable payloads
    /// are quarantined, never dropped silently.
    /// `slices`: each item's own bytes in the reply (its raw payload and fingerprint); nil writes the subtree out.
    func select(_ items: [JSONValue], since: Date, onlyKnown: Bool, state: inout WalkState, slices: [Data]? = nil) -> OrderPage {
        var orders: [FetchedOrder] = []
        var quarantined: [QuarantinedPayload] = []
        var fingerprints: [Int] = []
        for (index, item) in items.enumerated() {
            let slice = slices?[index]
            let status = WooCommerceStatuses.canonical(item["status"]?.text ?? "")
            if WooCommerceStatuses.drafts.contains(status) { continue }
            // A mirror of a marketplace order is not a store sale: linked through the mirrors table, never imported.
            if Self.mirrorRef(of: item) != nil { continue }
            let createIfNew = !onlyKnown && statuses.contains(status)
            guard state.delivered.insert(Self.version(item)).inserted else { continue }
            // Stored before and unchanged since (the overlap re-reads it): nothing to map or store.
            let fingerprint = slice.map { UnchangedPayloads.fingerprint(bytes: $0) } ?? UnchangedPayloads.fingerprint(item)
            if unchanged.contains(fingerprint) { continue }
            do {
                let order = try mapper.order(from: item)
                if !WooCommerceStatuses.isKnown(status) {
                    logger.warning("unknown order status mapped to on_hold",
                                   ["order.id": .string(order.ref.externalID), "channel_status": .string(status)])
                }
                if let modified = order.updatedAt {
                    state.newest = max(state.newest ?? modified, modified)
                    // Stores before WC 5.4 ignore modified_after: say so once, the walk still works.
                    if modified < since.addingTimeInterval(-1), alerts.raise("filter-ignored") {
                        logger.warning("store ignores modified_after (WooCommerce older than 5.4?): every poll reads every order",
                                       ["order.id": .string(order.ref.externalID)])
                    }
                }
                orders.append(FetchedOrder(order: order, raw: slice.map { Data($0) } ?? item.data, createIfNew: createIfNew))
                fingerprints.append(fingerprint)
            } catch {
                quarantined.append(QuarantinedPayload(externalID: item["id"]?.text, reason: "\(error)", raw: slice.map { Data($0) } ?? item.data,
                                                      createIfNew: createIfNew))
            }
        }
        return OrderPage(orders: orders, quarantined: quarantined, onCommit: unchanged.onCommit(remembering: fingerprints))
    }
}
