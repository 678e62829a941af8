import Foundation

extension WooCommerceSimulator {
    /// `GET /wp-json/wc/v3/orders`, validated like WordPress's REST schema (400 `rest_invalid_param`).
    ///
    /// - Dates: `after`/`before` filter `date_created`, `modified_after`/`modified_before` `date_modified`;
    ///   with `dates_are_gmt=true` against the `_gmt` columns, else the site-local ones. A zone-less bound
    ///   is compared as written; a bound with `Z` or an offset is first converted into the site zone (as
    ///   WP_Date_Query does), which shifts the window by the site's offset under `dates_are_gmt=true`.
    ///   Bounds are exclusive unless ``Configuration/inclusiveBounds``.
    /// - `status`: `any` (default: every status but trash and drafts), one status, a comma list or `status[]`.
    /// - Sorting: `orderby` (default `date`) and `order` (default `desc`), ties broken by id.
    /// - Paging: `X-WP-Total`, `X-WP-TotalPages`, `Link` (prev/next); a page past the end is `[]`.
    func listOrders(_ request: HTTPRequest, now: Date, state: inout State) -> HTTPResponse {
        let query = request.query
        func integer(_ name: String, default value: Int, range: ClosedRange<Int>, reason: String) -> Result<Int, Denied> {
            guard let text = query[name] else { return .success(value) }
            guard let number = Int(text.trimmingCharacters(in: .whitespaces)) else {
                return .failure(Denied(response: Self.invalidParam(name, "\(name) is not of type integer.")))
            }
            guard range.contains(number) else { return .failure(Denied(response: Self.invalidParam(name, reason))) }
            return .success(number)
        }
        let perPage: Int, page: Int, offset: Int?
        switch integer("per_page", default: state.configuration.defaultPerPage, range: 1...100,
                       reason: "per_page must be between 1 (inclusive) and 100 (inclusive)") {
        case .success(let value): perPage = value
        case .failure(let denied): return denied.response
        }
        switch integer("page", default: 1, range: 1...Int.max, reason: "page must be greater than or equal to 1") {
        case .success(let value): page = value
        case .failure(let denied): return denied.response
        }
        switch integer("offset", default: -1, range: 0...Int.max, reason: "offset must be greater than or equal to 0") {
        case .success(let value): offset = value >= 0 ? value : nil
        case .failure(let denied): return denied.response
        }
        let order = query["order"] ?? "desc"
        guard order == "asc" || order == "desc" else { return Self.invalidParam("order", "order is not one of asc and desc.") }
        let orderby = query["orderby"] ?? "date"
        guard ["date", "id", "include", "title", "slug", "modified"].contains(orderby) else {
            return Self.invalidParam("orderby", "orderby is not one of date, id, include, title, slug, and modified.")
        }
        var gmt = false
        if let text = query["dates_are_gmt"] {
            switch text.lowercased() {
            case "true", "1": gmt = true
            case "false", "0", "": gmt = false
            default: return Self.invalidParam("dates_are_gmt", "dates_are_gmt is not of type boolean.")
            }
        }
        let zone = state.configuration.timeZone
        var bounds: [String: Date] = [:]
        for name in ["after", "before", "modified_after", "modified_before"] {
            guard let text = query[name] else { continue }
            guard let bound = WooDates.queryBound(text, zone: zone) else { return Self.invalidParam(name, "Invalid date.") }
            bounds[name] = bound
        }
        let statusValues = request.queryItems.filter { $0.name == "status" || $0.name == "status[]" }
            .flatMap { $0.value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        let listable = state.listableStatuses
        for (index, value) in statusValues.enumerated() where !listable.contains(value) {
            return Self.invalidParam("status", "status[\(index)] is not one of \(listable.joined(separator: ", ")).")
        }
        var allowed = Set<String>()
        for value in statusValues.isEmpty ? ["any"] : statusValues {
            if value == "any" { allowed.formUnion(state.anyStatuses) } else { allowed.insert(value) }
        }
        func ids(_ name: String) -> [Int] {
            request.queryItems.filter { $0.name == name || $0.name == name + "[]" }
                .flatMap { $0.value.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
        }
        let include = ids("include"), exclude = Set(ids("exclude"))
        let search = query["search"].flatMap { $0.isEmpty ? nil : $0.lowercased() }
        let inclusive = state.configuration.inclusiveBounds

        func column(_ date: Date) -> Date { gmt ? date : WooDates.localWallClock(date, zone: zone) }
        func within(_ value: Date, after: Date?, before: Date?) -> Bool {
            if let after, inclusive ? value < after : value <= after { return false }
            if let before, inclusive ? value > before : value >= before { return false }
            return true
        }
        let key = request.queryItems.filter { $0.name != "page" && $0.name != "offset" }
            .map { "\($0.name)=\($0.value)" }.joined(separator: "&") + "|\(gmt)|\(zone.identifier)|\(inclusive)"
        let orders = state.orders
        let matchingIDs = state.listing.ids(for: key) {
            var matches = orders.values.filter { candidate in
                guard allowed.contains(candidate.status) else { return false }
                if !include.isEmpty, !include.contains(candidate.id) { return false }
                if exclude.contains(candidate.id) { return false }
                guard within(column(candidate.dateCreated), after: bounds["after"], before: bounds["before"]),
                      within(column(candidate.dateModified), after: bounds["modified_after"], before: bounds["modified_before"]) else { return false }
                if let search {
                    let haystack = [candidate.billing.firstName, candidate.billing.lastName, candidate.billing.email ?? "",
                                    candidate.number ?? String(candidate.id)].joined(separator: " ").lowercased()
                    if !haystack.contains(search) { return false }
                }
                return true
            }
            let ascending = order == "asc"
            matches.sort { a, b in
                let keyA: Date, keyB: Date
                switch orderby {
                case "modified": (keyA, keyB) = (a.dateModified, b.dateModified)
                case "date": (keyA, keyB) = (a.dateCreated, b.dateCreated)
                case "include" where !include.isEmpty:
                    let ia = include.firstIndex(of: a.id) ?? 0, ib = include.firstIndex(of: b.id) ?? 0
                    return ia < ib
                default: return ascending ? a.id < b.id : a.id > b.id
                }
                if keyA != keyB { return ascending ? keyA < keyB : keyA > keyB }
                return ascending ? a.id < b.id : a.id > b.id
            }
            return matches.map(\.id)
        }
        let total = matchingIDs.count
        let totalPages = (total + perPage - 1) / perPage
        let start = offset ?? (page - 1) * perPage
        let slice = start < total ? matchingIDs[start..<min(total, start + perPage)].compactMap { orders[$0] } : []
        var response = HTTPResponse.json(200, slice.map { $0.json(zone: zone, baseURL: state.baseURL) })
            .setting(header: "X-WP-Total", String(total))
            .setting(header: "X-WP-TotalPages", String(totalPages))
        var links: [String] = []
        if page > 1 { links.append("<\(pageLink(request, page: min(page - 1, max(1, totalPages)), state: state))>; rel=\"prev\"") }
        if page < totalPages { links.append("<\(pageLink(request, page: page + 1, state: state))>; rel=\"next\"") }
        if !links.isEmpty { response = response.setting(header: "Link", links.joined(separator: ", ")) }
        applyDrifts(afterPage: page, now: now, state: &state)
        return response
    }

    /// The same listing at `page`, as WordPress writes it in `Link` (every other parameter kept).
    func pageLink(_ request: HTTPRequest, page: Int, state: State) -> String {
        var items = request.queryItems.filter { $0.name != "page" }
        items.append(("page", String(page)))
        let query = items.map { Self.queryEscape($0.name) + "=" + Self.queryEscape($0.value) }.joined(separator: "&")
        return state.baseURL + request.path + "?" + query
    }

    static func queryEscape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~[]")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// Applies the one-shot drifts registered for `page` (an order edited while a client pages).
    private func applyDrifts(afterPage page: Int, now: Date, state: inout State) {
        let due = state.drifts.filter { $0.page == page }
        guard !due.isEmpty else { return }
        state.drifts.removeAll { $0.page == page }
        for drift in due {
            switch drift.change {
            case .touch:
                state.touch(drift.orderID, now: now)
            case .setStatus(let status):
                state.changeStatus(drift.orderID, to: status, now: now, byUser: "shop-manager")
            case .trash:
                state.trash(drift.orderID, now: now)
            case .insertNewOrder:
                _ = state.insert(Order(), now: now)
            }
        }
    }
}
