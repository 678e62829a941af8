import Foundation

extension BackMarketSimulator {
    /// A customer-care (SAV) folder as `GET /ws/sav` lists it (OAS `careFolder`).
    public struct CareFolder: Sendable, Equatable {
        public var id: Int
        /// The order line the folder is about.
        public var orderline: Int
        /// 0 open, 9 closed.
        public var state: Int
        public var client: Int
        public var merchant: Int
        public var dateCreation: Date
        public var dateModification: Date
        public var dateLastMessage: Date
        public var dateClosed: Date?
        /// Claim ids.
        public var lines: [Int]
        public var countryCode: String

        func json() -> [String: Any] {
            var body: [String: Any] = [
                "id": id, "client": client, "merchant": merchant, "orderline": orderline,
                "date_creation": CareDate.iso(dateCreation), "date_modification": CareDate.iso(dateModification),
                "date_last_message": CareDate.iso(dateLastMessage), "state": state, "lines": lines,
                "country_code": countryCode, "backcare": false,
            ]
            // The OAS types `date_closed` as a (not nullable) string: an open folder leaves it out.
            if let dateClosed { body["date_closed"] = CareDate.iso(dateClosed) }
            return body
        }
    }

    /// The care folders and the list's per-minute quota, inside ``State``.
    struct CareState {
        var folders: [Int: CareFolder] = [:]
        var nextFolderID = 100_000_120
        var nextClaimID = 731
        /// Times of `GET /ws/sav` requests in the last minute (oldest first).
        var listHits: [Date] = []
    }

    /// Opens a care folder on order line `orderline` (state 0, modified now); returns its id.
    @discardableResult
    public func openCareFolder(orderline: Int) -> Int {
        let now = clock()
        return withState { state in
            let id = state.care.nextFolderID
            state.care.nextFolderID += 1
            let claim = state.care.nextClaimID
            state.care.nextClaimID += 1
            let country = state.lineOwner[orderline].flatMap { state.orders[$0]?.countryCode } ?? "fr-fr"
            state.care.folders[id] = CareFolder(id: id, orderline: orderline, state: 0, client: 456, merchant: 789,
                                                dateCreation: now, dateModification: now, dateLastMessage: now,
                                                dateClosed: nil, lines: [claim], countryCode: country)
            return id
        }
    }

    /// Closes (state 9) or reopens (state 0) folder `id`, touching its modification date. False when unknown.
    @discardableResult
    public func setCareFolder(_ id: Int, open: Bool) -> Bool {
        let now = clock()
        return withState { state in
            guard var folder = state.care.folders[id] else { return false }
            folder.state = open ? 0 : 9
            folder.dateClosed = open ? nil : now
            folder.dateModification = now
            state.care.folders[id] = folder
            return true
        }
    }

    /// Folder `id` as the simulator holds it.
    public func careFolder(_ id: Int) -> CareFolder? { withState { $0.care.folders[id] } }

    /// `GET /ws/sav`: `last_id` (ids above), `state` (0 or 9), `orderline`, `last_modification_date` and
    /// `last_message_date` (`YYYY-MM-DD-hh-mm`, UTC, at or after), `page` (10 per page, no size parameter).
    /// `count` is the number of folders on this page; `next`/`previous` are absolute. Over
    /// ``Configuration/careListPerMinute`` requests in a minute → 429. Bad filter → 400; page past the end → 404.
    func listCareFolders(_ request: HTTPRequest, now: Date, state: inout State) -> HTTPResponse {
        if let limit = state.configuration.careListPerMinute {
            state.care.listHits.removeAll { $0 <= now.addingTimeInterval(-60) }
            if state.care.listHits.count >= limit {
                return .json(429, ["detail": "Request was throttled."])
            }
            state.care.listHits.append(now)
        }
        let query = request.query
        var integers: [String: Int] = [:]
        for name in ["last_id", "state", "orderline"] {
            guard let text = query[name], !text.isEmpty else { continue }
            guard let value = Int(text) else { return .json(400, [name: ["A valid integer is required."]]) }
            integers[name] = value
        }
        if let wanted = integers["state"], wanted != 0, wanted != 9 {
            return .json(400, ["state": ["Select a valid choice. \(wanted) is not one of the available choices."]])
        }
        var dates: [String: Date] = [:]
        for name in ["last_modification_date", "last_message_date"] {
            guard let text = query[name], !text.isEmpty else { continue }
            guard let date = CareDate.parseMinute(text) else { return .json(400, [name: ["Format is YYYY-MM-DD-hh-mm."]]) }
            dates[name] = date
        }
        let matching = state.care.folders.values.filter { folder in
            if let lastID = integers["last_id"], folder.id <= lastID { return false }
            if let wanted = integers["state"], folder.state != wanted { return false }
            if let line = integers["orderline"], folder.orderline != line { return false }
            if let since = dates["last_modification_date"], folder.dateModification < since { return false }
            if let since = dates["last_message_date"], folder.dateLastMessage < since { return false }
            return true
        }.sorted { $0.id < $1.id }
        let pageSize = 10
        let pageCount = max(1, (matching.count + pageSize - 1) / pageSize)
        var page = 1
        if let text = query["page"], !text.isEmpty {
            guard let value = Int(text), value >= 1, value <= pageCount else { return .json(404, ["detail": "Invalid page."]) }
            page = value
        }
        let slice = matching.dropFirst((page - 1) * pageSize).prefix(pageSize)
        let base = state.configuration.careLinkBase ?? "http://127.0.0.1:\(state.port)/ws/sav/"
        func link(_ page: Int) -> String {
            var items = request.queryItems.filter { $0.name != "page" }
            if page > 1 { items.append(("page", String(page))) }
            guard !items.isEmpty else { return base }
            return base + "?" + items.map { Self.queryEscape($0.name) + "=" + Self.queryEscape($0.value) }.joined(separator: "&")
        }
        return .json(200, [
            "count": slice.count,
            "next": page < pageCount ? link(page + 1) : NSNull(),
            "previous": page > 1 ? link(page - 1) : NSNull(),
            "results": slice.map { $0.json() },
        ] as [String: Any])
    }
}

/// The care API's two date forms: ISO 8601 with `+00:00` in replies, `YYYY-MM-DD-hh-mm` (UTC) in filters.
enum CareDate {
    static func iso(_ date: Date) -> String {
        formatter("yyyy-MM-dd'T'HH:mm:ss'+00:00'").string(from: date)
    }

    static func parseMinute(_ text: String) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 5, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else { return nil }
        return formatter("yyyy-MM-dd-HH-mm").date(from: text)
    }

    private static func formatter(_ format: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        return formatter
    }
}
