import Foundation
import OrderSync

/// Back Market customer-care folders (aftersale.md §1.3), read only: `GET /ws/sav` walked by modification date,
/// each folder delivered as a case on the order that owns its `orderline`.
extension BackMarketChannel {
    /// Where the care walk stands; positions only (no folder ids), kept in the Back Market cursor.
    struct CarePosition: Codable, Equatable {
        /// Start of the last walk that reached its end: the next walk lists changes since an hour before it.
        var done: Date?
        /// Start of the last walk begun (a walk is started at most once per ``careMinimumGap``).
        var at: Date?
        /// A walk cut at ``careMaxPages``: the start of its first part and the page it goes on from.
        var started: Date?
        var page: Int?
    }

    /// Pages one walk reads at most (10 folders each) before it goes on at the next poll: the list allows 4000 calls a day.
    static let careMaxPages = 20
    /// Least time between two care walks, whatever the poll rate.
    static let careMinimumGap: TimeInterval = 60
    /// The overlap kept on the modification filter (its zone and inclusivity are undocumented).
    static let careOverlap: TimeInterval = 3600

    /// Open (0) and closed (9) as the contract's return statuses. An open folder waits for the merchant.
    static func careStatus(_ state: Int) -> ReturnStatus {
        state == 9 ? .closed : .received
    }

    /// One folder as a case on its order line; nil when it has no `id` or `orderline`.
    func careCase(_ folder: JSONValue) -> ChannelReturn? {
        guard let id = folder["id"]?.int, let line = folder["orderline"]?.int else { return nil }
        let state = folder["state"]?.int ?? 0
        let claims = folder["lines"]?.array?.compactMap(\.int).map(String.init) ?? []
        return ChannelReturn(orderLineID: String(line), value: OrderReturn(
            returnRef: "\(self.id):sav-\(id)", status: Self.careStatus(state), channelStatus: String(state),
            reason: claims.isEmpty ? "customer care" : "customer care (claims \(claims.joined(separator: ", ")))",
            createdAt: folder["date_creation"]?.text.flatMap { Timestamp.parse($0) }))
    }

    /// `YYYY-MM-DD-hh-mm` in UTC, the list's date filter.
    static func careMinute(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }

    /// Walks the folders modified since the position (an hour of overlap), at most ``careMaxPages`` pages, and
    /// hands each page's cases to `deliver`. A refused or throttled list (after ``ChannelHTTP``'s retries) is
    /// logged and leaves the position as it was, so the next poll reads the same folders again.
    func walkCare(_ position: inout CarePosition?, now: Date, deliver: @Sendable (OrderPage) async throws -> Void) async throws {
        var next = position ?? CarePosition()
        if next.page == nil, let at = next.at, now.timeIntervalSince(at) < Self.careMinimumGap, now >= at { return }
        let started = next.page == nil ? now : (next.started ?? now)
        let since = next.done.map { $0.addingTimeInterval(-Self.careOverlap) }
            ?? started.addingTimeInterval(-Double(resweepDays) * 86_400)
        var page = next.page ?? 1
        var pages = 0
        do {
            while true {
                if pages == Self.careMaxPages {
                    next.started = started
                    next.page = page
                    next.at = now
                    position = next
                    return
                }
                try Task.checkCancellation()
                let query = [("last_modification_date", Self.careMinute(since)), ("page", String(page))]
                let (response, json) = try await send(request("GET", "ws/sav", query: query), operation: "list care folders")
                pages += 1
                if response.status == 404, page > 1 { break }  // a resumed walk whose pages shrank
                guard let json else { throw failure(response, operation: "list care folders") }
                guard let results = json["results"]?.array else {
                    throw ChannelError(.retryable(retryAfter: nil), operation: "list care folders", httpStatus: response.status,
                                       message: "response has no results list")
                }
                var cases = OrderPage(orders: [])
                cases.returns = results.compactMap(careCase)
                if !cases.returns.isEmpty { try await deliver(cases) }
                guard let link = json["next"]?.text, !link.isEmpty,
                      let value = URLComponents(string: link)?.queryItems?.first(where: { $0.name == "page" })?.value,
                      let following = Int(value), following > page else { break }
                page = following
            }
        } catch let error as ChannelError {
            logger.warning("care folders not read; the next poll tries again",
                           ["channel": .string(id), "error": .string(error.description)])
            return
        }
        position = CarePosition(done: started, at: now)
    }
}
