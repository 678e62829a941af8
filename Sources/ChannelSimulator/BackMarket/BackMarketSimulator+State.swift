import Foundation

extension BackMarketSimulator {
    /// Everything mutable, guarded by the simulator's lock.
    struct State {
        var tokens: Set<String>
        var configuration: Configuration { didSet { listing.invalidate() } }
        var port: UInt16 = 0
        var orders: [Int: Order] = [:] { didSet { listing.invalidate() } }
        /// The last listing, valid until `orders` or `configuration` change.
        var listing = ListingCache()
        /// orderline id → order id.
        var lineOwner: [Int: Int] = [:]
        var nextOrderID = 40_012_345
        var nextLineID = 51_234_567
        /// Orders whose live lines are all 3, waiting for `shippedOrderDelay` to turn 9: id → when the last line shipped.
        var shippedAt: [Int: Date] = [:]
        /// Orders with a scheduled `paymentCompletesAt`.
        var pendingPayments: Set<Int> = []
        var journal: [JournalEntry] = []
        var effects: [AppliedEffect] = []
        var faultRules: [FaultRule] = []
        var randomFaults: RandomFaults?
        var drifts: [PaginationDrift] = []
        /// Times of requests inside the current rate window (oldest first).
        var rateHits: [Date] = []
        var blockedUntil: Date?
        /// Customer-care folders (`/ws/sav`).
        var care = CareState()
        var requestCounter = 0
        /// Feeds ``BackMarketSimulator/makeNewOrder()``; seeded for repeatable demos.
        var generator = SeededGenerator(seed: 0x0B4C_4D41_524B_4554)

        init(tokens: Set<String>, configuration: Configuration) {
            self.tokens = tokens
            self.configuration = configuration
        }

        // MARK: Orders

        /// Stores `order` and indexes its lines; assigns ids where they are 0.
        mutating func insert(_ template: Order, now: Date) -> Order {
            var order = template
            if order.orderID == 0 {
                while orders[nextOrderID] != nil { nextOrderID += 1 }
                order.orderID = nextOrderID
                nextOrderID += 1
            } else {
                nextOrderID = max(nextOrderID, order.orderID + 1)
            }
            if let previous = orders[order.orderID] {
                for line in previous.lines { lineOwner[line.id] = nil }
            }
            for index in order.lines.indices where order.lines[index].id == 0 || lineOwner[order.lines[index].id] != nil {
                while lineOwner[nextLineID] != nil || nextLineID == order.orderID { nextLineID += 1 }
                order.lines[index].id = nextLineID
                nextLineID += 1
            }
            if order.dateCreation == Order.unsetDate { order.dateCreation = now }
            if order.dateModification == Order.unsetDate { order.dateModification = max(now, order.dateCreation) }
            if order.datePayment == Order.unsetDate { order.datePayment = order.dateCreation }
            if order.price == nil { order.price = SimMoney.total(order.lines) }
            for line in order.lines { lineOwner[line.id] = order.orderID }
            // An order added with every live line already shipped is a historical one: already 9.
            order.shippedFinal = order.allLiveLinesShipped
            orders[order.orderID] = order
            if order.paymentCompletesAt != nil { pendingPayments.insert(order.orderID) }
            return order
        }

        /// Records that a change happened to `id` at `now`, and schedules order 9 when due.
        mutating func touch(_ id: Int, now: Date) {
            guard var order = orders[id] else { return }
            order.dateModification = max(now, order.dateModification)
            if order.allLiveLinesShipped {
                if !order.shippedFinal && shippedAt[id] == nil { shippedAt[id] = now }
            } else {
                order.shippedFinal = false
                shippedAt[id] = nil
            }
            orders[id] = order
            applyScheduledChanges(now: now)
        }

        /// Applies what time alone changes: scheduled payments (10 → 1) and order 9 after the delay.
        /// Each such change bumps `date_modification` to the instant it happened.
        mutating func applyScheduledChanges(now: Date) {
            for id in pendingPayments {
                guard var order = orders[id], let due = order.paymentCompletesAt else {
                    pendingPayments.remove(id)
                    continue
                }
                guard due <= now else { continue }
                for index in order.lines.indices where [0, 8].contains(order.lines[index].state) {
                    order.lines[index].state = 1
                }
                if order.datePayment == nil { order.datePayment = due }
                order.paymentCompletesAt = nil
                order.dateModification = max(order.dateModification, due)
                orders[id] = order
                pendingPayments.remove(id)
            }
            let delay = configuration.shippedOrderDelay
            for (id, shipped) in shippedAt {
                guard var order = orders[id], order.allLiveLinesShipped else {
                    shippedAt[id] = nil
                    continue
                }
                let due = shipped.addingTimeInterval(delay)
                guard due <= now else { continue }
                order.shippedFinal = true
                order.dateModification = max(order.dateModification, due)
                orders[id] = order
                shippedAt[id] = nil
            }
        }

        // MARK: Rate limit (Cloudflare: > N requests in a rolling window → blocked for a while)

        /// A 429 when the client is blocked or this request goes over the limit; nil otherwise
        /// (the request is then counted). Requests answered 429 are not counted.
        mutating func rateLimitResponse(now: Date) -> HTTPResponse? {
            if let until = blockedUntil {
                if now < until { return tooManyRequests(retryAfter: until.timeIntervalSince(now)) }
                blockedUntil = nil
            }
            guard let limit = configuration.rateLimit else { return nil }
            let windowStart = now.addingTimeInterval(-configuration.rateWindow)
            if let firstInside = rateHits.firstIndex(where: { $0 > windowStart }) {
                if firstInside > 0 { rateHits.removeFirst(firstInside) }
            } else {
                rateHits.removeAll(keepingCapacity: true)
            }
            if rateHits.count >= limit {
                rateHits.removeAll(keepingCapacity: true)
                blockedUntil = now.addingTimeInterval(configuration.blockSeconds)
                return tooManyRequests(retryAfter: configuration.blockSeconds)
            }
            rateHits.append(now)
            return nil
        }

        func tooManyRequests(retryAfter seconds: TimeInterval?) -> HTTPResponse {
            var response = HTTPResponse.html(429, BackMarketSimulator.cloudflarePage(title: "Access denied", code: 1015, detail: "You are being rate limited"))
            if configuration.sendRetryAfter, let seconds {
                response = response.setting(header: "Retry-After", String(max(1, Int(seconds.rounded(.up)))))
            }
            return response
        }
    }

    // MARK: - Canned bodies

    /// `{"error":{"code","message"},"requestId"}` — one of the error shapes the notes list.
    static func errorBody(code: String, message: String, state: State) -> [String: Any] {
        ["error": ["code": code, "message": message], "requestId": "sim-\(state.requestCounter)"]
    }

    /// The 404 HTML page Back Market serves for unknown paths (including `GET /ws/`).
    static func notFoundPage() -> HTTPResponse {
        .html(404, "<!DOCTYPE html><html><head><title>Page not found | Back Market</title></head><body><h1>Oops, this page does not exist</h1></body></html>")
    }

    static func methodNotAllowed(_ method: String) -> HTTPResponse {
        .json(405, ["detail": "Method \"\(method)\" not allowed."])
    }

    /// The Cloudflare 403 block page (`server: cloudflare`, `cf-ray` are added by the pipeline).
    static func cloudflareBlockPage(reason: String) -> HTTPResponse {
        HTTPResponse.html(403, cloudflarePage(title: "Attention Required!", code: 1020, detail: "Sorry, you have been blocked (\(reason))"))
            .setting(header: "server", "cloudflare")
            .setting(header: "cf-ray", "7f0000000000cafe-CDG")
    }

    static func cloudflarePage(title: String, code: Int, detail: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en-US"><head><title>\(title) | Cloudflare</title><meta charset="UTF-8"></head>
        <body><div id="cf-wrapper"><div class="cf-error-details"><h1>Error \(code)</h1>
        <h2 class="cf-subheadline">\(detail)</h2>
        <p>This website is using a security service to protect itself from online attacks.</p>
        <span class="cf-footer-item">Performance &amp; security by Cloudflare</span></div></div></body></html>
        """
    }
}
