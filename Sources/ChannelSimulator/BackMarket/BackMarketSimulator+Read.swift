import Foundation

extension BackMarketSimulator {
    /// `GET /ws/orders`: filters, Django REST framework page-number pagination, absolute links.
    ///
    /// - `state`: one integer; 0 and 8 are never listed (so they yield an empty page).
    /// - `date_creation` / `date_modification`: orders created / modified at or after the instant
    ///   (RFC 3339 with `Z` or an offset — `+` must be sent as `%2B` — or `YYYY-MM-DD HH:MM:SS` UTC);
    ///   an unparseable value → 400.
    /// - `country_code`: the order's OAS `CountryCode` (`fr-fr`…), case-insensitive.
    /// - `page`: 1-based, `last` allowed; a page past the end or not a number → 404 `{"detail":"Invalid page."}`
    ///   (page 1 of an empty result is a normal empty page).
    /// - `page-size`: default 10, clamped to 50; `page_size`, `limit`, `status` are ignored.
    func listOrders(_ request: HTTPRequest, now: Date, state: inout State) -> HTTPResponse {
        let query = request.query
        var stateFilter: Int?
        if let text = query["state"], !text.isEmpty {
            guard let value = Int(text) else {
                return .json(400, ["state": ["A valid integer is required."]])
            }
            stateFilter = value
        }
        var since: [String: Date] = [:]
        for name in ["date_creation", "date_modification"] {
            guard let text = query[name], !text.isEmpty else { continue }
            guard let date = SimDate.parse(text) else {
                return .json(400, [name: ["Enter a valid date/time."]])
            }
            since[name] = date
        }
        let createdSince = since["date_creation"]
        let modifiedSince = since["date_modification"]
        let country = query["country_code"].flatMap { $0.isEmpty ? nil : $0.lowercased() }

        let key = "\(stateFilter ?? -1)|\(createdSince?.timeIntervalSince1970 ?? -1)|\(modifiedSince?.timeIntervalSince1970 ?? -1)|"
            + "\(country ?? "")|\(state.configuration.listOrdering)"
        let orders = state.orders, ordering = state.configuration.listOrdering
        let matchingIDs = state.listing.ids(for: key) {
            var matches = orders.values.filter { order in
                let orderState = order.state
                // Back Market never lists orders in 0 (check pending) or 8 (payment failed).
                guard !order.archived, orderState != 0, orderState != 8 else { return false }
                if let stateFilter, orderState != stateFilter { return false }
                if let createdSince, order.dateCreation < createdSince { return false }
                if let modifiedSince, order.dateModification < modifiedSince { return false }
                if let country, order.countryCode != country { return false }
                return true
            }
            switch ordering {
            case .orderID:
                matches.sort { $0.orderID < $1.orderID }
            case .dateModification:
                matches.sort { ($0.dateModification, $0.orderID) < ($1.dateModification, $1.orderID) }
            }
            return matches.map(\.orderID)
        }

        var pageSize = state.configuration.defaultPageSize
        if let text = query["page-size"], let value = Int(text), value > 0 {
            pageSize = min(value, state.configuration.maxPageSize)
        }
        let pageCount = max(1, (matchingIDs.count + pageSize - 1) / pageSize)
        let page: Int
        switch query["page"] {
        case nil, "": page = 1
        case "last": page = pageCount
        case let text?:
            guard let value = Int(text), value >= 1, value <= pageCount else {
                return .json(404, ["detail": "Invalid page."])
            }
            page = value
        }
        let slice = matchingIDs.dropFirst((page - 1) * pageSize).prefix(pageSize).compactMap { orders[$0] }
        let body: [String: Any] = [
            "count": matchingIDs.count,
            "next": page < pageCount ? pageLink(request, page: page + 1, state: state) : NSNull(),
            "previous": page > 1 ? pageLink(request, page: page - 1, state: state) : NSNull(),
            "results": slice.map { $0.json() },
        ]
        let response = HTTPResponse.json(200, body)
        applyDrifts(afterPage: page, now: now, state: &state)
        return response
    }

    /// An absolute link to `page` of the same query (Django REST framework drops `page` for page 1).
    func pageLink(_ request: HTTPRequest, page: Int, state: State) -> String {
        let base = state.configuration.linkBase ?? "http://127.0.0.1:\(state.port)/ws/orders"
        var items = request.queryItems.filter { $0.name != "page" }
        if page > 1 { items.append(("page", String(page))) }
        guard !items.isEmpty else { return base }
        let query = items.map { Self.queryEscape($0.name) + "=" + Self.queryEscape($0.value) }.joined(separator: "&")
        return base + "?" + query
    }

    static func queryEscape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// Applies the one-shot drifts registered for `page` (see ``addPaginationDrift(orderID:afterPage:change:)``).
    private func applyDrifts(afterPage page: Int, now: Date, state: inout State) {
        let due = state.drifts.filter { $0.page == page }
        guard !due.isEmpty else { return }
        state.drifts.removeAll { $0.page == page }
        for drift in due {
            switch drift.change {
            case .insertNewOrder:
                _ = makeNewOrder(now: now, state: &state)
            case .touch:
                state.touch(drift.orderID, now: now)
            case .archive:
                state.orders[drift.orderID]?.archived = true
                state.touch(drift.orderID, now: now)
            case .setLineStates(let lineState):
                if var order = state.orders[drift.orderID] {
                    for index in order.lines.indices { order.lines[index].state = lineState }
                    state.orders[drift.orderID] = order
                    state.touch(drift.orderID, now: now)
                }
            }
        }
    }

    /// `GET /ws/orders/{id}`: the order, or 404 when unknown or archived.
    func getOrder(_ id: Int, state: State) -> HTTPResponse {
        guard let order = state.orders[id], !order.archived else {
            return .json(404, Self.errorBody(code: "not_found", message: "Order \(id) not found", state: state))
        }
        return .json(200, order.json())
    }
}
