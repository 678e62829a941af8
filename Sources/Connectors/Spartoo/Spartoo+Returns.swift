import Foundation
import OrderSync

/// Spartoo returns (aftersale.md §2.1): `xml_export_returns.php` replies read into returns, and the
/// status codes mapped to the contract's return statuses. Pure: tested and fuzzed without a network.
enum SpartooReturns {
    /// One `<return>`: one product of one order.
    struct Item: Sendable, Equatable {
        var returnID: String
        var orderID: String
        var status: Int
        var reason: String?
        var createdAt: Date?
    }

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    /// Return status codes (provisioning XML): 14 waiting for the merchant's label, 2 waiting to be
    /// received, 3 refused, 4 received and accepted, 5 paid, 7 refunded. An unknown code reads as
    /// `received`: open, so someone looks at it.
    static func status(_ code: Int) -> ReturnStatus {
        switch code {
        case 14: .waitingForLabel
        case 2: .waitingForReceipt
        case 3: .refused
        case 4: .accepted
        case 5, 7: .refunded
        default: .received
        }
    }

    /// Codes after which Spartoo moves nothing more on a return.
    static let final: Set<Int> = [3, 5, 7]

    /// The `<return>` elements of a reply (under `<returns>`, or directly under the root). A return without
    /// `return_id`, `order` or an integer `return_status` is malformed (named by its position).
    static func items(_ root: SpartooXMLElement) throws -> [Item] {
        let elements = root.child("returns")?.children(named: "return") ?? root.children(named: "return")
        return try elements.enumerated().map { index, element in
            guard let id = element.string("return_id") ?? element.string("rID"), !id.isEmpty else {
                throw Malformed(description: "returns[\(index)]: missing return_id")
            }
            guard let order = element.string("order") ?? element.string("orders_id"), !order.isEmpty else {
                throw Malformed(description: "return \(id): missing order")
            }
            guard let statusText = element.string("return_status"), let status = Int(statusText.trimmingWhitespace()) else {
                throw Malformed(description: "return \(id): missing or invalid return_status")
            }
            let reason = element.string("return_reason").flatMap { $0.isEmpty ? nil : $0 }
            return Item(returnID: id, orderID: order, status: status, reason: reason, createdAt: date(element.string("return_date")))
        }
    }

    /// `return_date` in an unspecified format: a UNIX time, an ISO 8601 time, or Paris wall-clock text.
    static func date(_ text: String?) -> Date? {
        guard let text = text?.trimmingWhitespace(), !text.isEmpty else { return nil }
        if let seconds = Int(text), seconds > 0 { return Date(timeIntervalSince1970: TimeInterval(seconds)) }
        return Timestamp.parse(text) ?? SpartooTime.parse(text)
    }
}

extension SpartooChannel {
    /// Returns created in the last 30 days.
    static let returnsLookBack: TimeInterval = 30 * 86_400

    /// The return ref for `returnID` read on `site`: `channel:ID`, `channel:SITE/ID` off the first site.
    func returnRef(_ returnID: String, site: String) -> String {
        site == endpoints.first?.site ? "\(id):\(returnID)" : "\(id):\(site)/\(returnID)"
    }

    /// One site's returns created in the last 30 days (`date`, a UNIX time: the filter is on creation), delivered
    /// as one page. Returns the ids listed. Older returns still open are re-read by `rID` after the poll
    /// (``rereadReturns(_:now:)``): their status changes never reappear by date.
    func importReturns(on client: SiteClient, now: Date, deliver: @Sendable (OrderPage) async throws -> Void) async throws -> Set<String> {
        let items = try await readReturns([("date", String(Int(now.addingTimeInterval(-Self.returnsLookBack).timeIntervalSince1970)))],
                                          on: client, operation: "list returns")
        var page = OrderPage(orders: [])
        page.returns = items.map { channelReturn($0, site: client.site) }
        if !page.returns.isEmpty { try await deliver(page) }
        return Set(items.map(\.returnID))
    }

    /// Reads each followed return the last walk did not list by `rID` on its site (Spartoo code 4, accepted, still
    /// moves to 5 or 7, so accepted returns are followed too). Nothing when returns are not followed.
    public func rereadReturns(_ returns: [StoredReturn], now: Date) async throws -> [ChannelReturn] {
        guard followsReturns else { return [] }
        var read: [ChannelReturn] = []
        for stored in returns {
            try Task.checkCancellation()
            guard let (site, returnID) = returnLocation(stored.value.returnRef),
                  !listedReturns.contains(returnID, site: site) else { continue }
            let client = try client(site, operation: "read return \(returnID)")
            let items = try await readReturns([("rID", returnID)], on: client, operation: "read return \(returnID)")
            read += items.filter { $0.returnID == returnID }.map { channelReturn($0, site: site) }
        }
        return read
    }

    public var followedReturnStatuses: Set<ReturnStatus> { [.waitingForLabel, .waitingForReceipt, .received, .accepted] }

    /// The site and return id of a return ref made by ``returnRef(_:site:)``; nil for another channel's or an
    /// unconfigured site's.
    func returnLocation(_ ref: String) -> (site: String, returnID: String)? {
        guard ref.hasPrefix("\(id):"), let first = endpoints.first?.site else { return nil }
        let rest = ref.dropFirst(id.count + 1)
        guard let slash = rest.firstIndex(of: "/") else { return rest.isEmpty ? nil : (first, String(rest)) }
        let site = String(rest[..<slash])
        guard endpoints.contains(where: { $0.site == site }) else { return nil }
        return (site, String(rest[rest.index(after: slash)...]))
    }

    private func channelReturn(_ item: SpartooReturns.Item, site: String) -> ChannelReturn {
        ChannelReturn(orderExternalID: item.orderID, value: OrderReturn(
            returnRef: returnRef(item.returnID, site: site), status: SpartooReturns.status(item.status),
            channelStatus: String(item.status), reason: item.reason, createdAt: item.createdAt))
    }

    private func readReturns(_ parameters: [(String, String)], on client: SiteClient, operation: String) async throws -> [SpartooReturns.Item] {
        let reply = try await read("xml_export_returns.php", parameters, on: client, operation: operation)
        if let code = reply.code, !code.isOK {
            if code.value == -6 { return [] }
            throw code.error(operation: operation, site: client.site)
        }
        do {
            // Parsed whole: a return's `<order>` is its order id, not an order to cut out.
            return try SpartooReturns.items(try SpartooXML.parse(reply.body))
        } catch {
            throw ChannelError(.retryable(retryAfter: nil), operation: operation, message: "Spartoo site \(client.site): returns not understood: \(error)")
        }
    }
}
