import Foundation
import OrderSync

/// The saved poll state (the channel's cursor string, JSON): per site the window start and the frozen
/// start of the last successful walk. Positions only: the open orders that left the window are the
/// orders table's to say (the Poller re-reads them daily, see ``ListsARecentWindow``).
struct SpartooCursor: Codable, Equatable, Sendable {
    struct Site: Codable, Equatable, Sendable {
        var windowStart: Date
        var lastSuccess: Date
        enum CodingKeys: String, CodingKey { case windowStart = "window_start", lastSuccess = "last_success" }
    }

    var sites: [String: Site] = [:]

    /// Other keys (`open_returns`, saved by earlier versions) are ignored: open returns are the returns table's.
    enum CodingKeys: String, CodingKey { case sites }
    /// The window never reaches further back than this, even after a long outage.
    static let maximumLookBack: TimeInterval = 30 * 86_400

    static func decode(_ text: String?) -> SpartooCursor {
        guard let text else { return SpartooCursor() }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return (try? decoder.decode(SpartooCursor.self, from: Data(text.utf8))) ?? SpartooCursor()
    }

    func encoded() throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Where a site's walk starts: `windowDays` back, or a day before the last success when that is
    /// earlier (after an outage), never more than 30 days back. The time zone of `date` is uncertain:
    /// the overlap is generous, and the store skips unchanged orders.
    func windowStart(site: String, now: Date, windowDays: Int) -> Date {
        var from = now.addingTimeInterval(-Double(windowDays) * 86_400)
        if let last = sites[site]?.lastSuccess { from = min(from, last.addingTimeInterval(-86_400)) }
        return max(from, now.addingTimeInterval(-Self.maximumLookBack))
    }
}

extension SpartooChannel {
    /// Walks every site (each on its own host) with `xml_export_orders.php` from the window start, with no
    /// `statut` so cancellations and losses show up. Open orders older than the window are the Poller's
    /// daily re-read by id (``ListsARecentWindow``).
    /// A failing site does not stop the others; the first failure is thrown after all were tried (so the
    /// cursor is not saved). Read-only on Spartoo.
    public func poll(cursor: String?, now: Date, deliver: @Sendable (OrderPage) async throws -> Void) async throws -> String {
        var state = SpartooCursor.decode(cursor)
        unchanged.startPoll()
        var firstError: ChannelError?
        var seen: [String: Set<String>] = [:]
        var seenReturns: [String: Set<String>] = [:]
        for endpoint in endpoints {
            try Task.checkCancellation()
            let client = try client(endpoint.site, operation: "list orders")
            let from = state.windowStart(site: endpoint.site, now: now, windowDays: windowDays)
            do {
                seen[endpoint.site] = try await importWindow(from: from, on: client, deliver: deliver)
                if followsReturns { seenReturns[endpoint.site] = try await importReturns(on: client, now: now, deliver: deliver) }
                state.sites[endpoint.site] = SpartooCursor.Site(windowStart: from, lastSuccess: now)
            } catch let error as ChannelError {
                // The Poller logs the thrown error (once per interval); this names every failing site.
                logger.debug("site poll failed", ["site": .string(endpoint.site), "error": .string(error.description)])
                if firstError == nil { firstError = error }
            }
        }
        if let firstError { throw firstError }
        listed.set(seen)
        listedReturns.set(seenReturns)
        return try state.encoded()
    }

    /// Orders parsed and handed to the store at a time when a window is large (memory stays flat).
    static let pageSize = 100

    /// One `<order>` of a reply: its bytes (the raw payload), its element or why it is not well-formed,
    /// and the fingerprint it is remembered by once stored.
    struct OrderXML {
        var raw: Data
        var element: Result<SpartooXMLElement, SpartooXML.ParseError>
        var fingerprint: Int

        /// Its `orders_id`, from the element or, when that did not parse, from the bytes.
        var orderID: String? { (try? element.get())?.string("orders_id") ?? SpartooXML.plainOrderID(raw) }
    }

    /// One site's orders from `from` on (Paris time), delivered in pages of `pageSize`: an order stored
    /// before and unchanged since is only counted as seen (never parsed again); unusable ones are
    /// quarantined with their own XML. Returns the ids of every usable order listed.
    func importWindow(from: Date, on client: SiteClient, deliver: @Sendable (OrderPage) async throws -> Void) async throws -> Set<String> {
        let operation = "list orders (site \(client.site))"
        // The very bytes of the last window stored whole: nothing in it changed, nothing to parse.
        let memo = unchanged, windows = self.windows, site = client.site
        var bodyFingerprint = 0  // of the reply finally read (hashed once, in the check)
        let reply = try await read("xml_export_orders.php", [("date", SpartooTime.parameter(from))], on: client,
                                   operation: operation, expected: Self.isExport, known: { response in
            bodyFingerprint = Self.fingerprint(response, scope: "window " + site)
            return windows.ids(site: site, fingerprint: bodyFingerprint) != nil && memo.contains(bodyFingerprint)
        }, streamed: true)
        defer { reply.discard() }
        if reply.knownWhole, let ids = windows.ids(site: site, fingerprint: bodyFingerprint) {
            windows.countSkip()
            return ids
        }
        if let code = reply.code, !code.isOK {
            // −6 on a date export means nothing matched: an empty list, not an error.
            if code.value == -6 { return [] }
            throw code.error(operation: operation, site: client.site)
        }
        var ids = Set<String>()
        var members: [Int] = []
        // Orders the cut left in the tree (a tag spelled otherwise) are read from it as before, with the first page.
        var leftInTree = Self.orderElements(reply.root).map {
            OrderXML(raw: Data($0.xml.utf8), element: .success($0), fingerprint: UnchangedPayloads.fingerprint($0, scope: client.site))
        }
        var pending: OrderPage?  // the last page is delivered with the mark for the whole window
        var clean = leftInTree.isEmpty
        var changed: [(Data, Int)] = []
        // Parses, maps and delivers (all but the last page at once) one page of changed orders.
        func flush(_ chunk: ArraySlice<(Data, Int)>) async throws {
            let parsed = SpartooXML.parseOrders(chunk.map(\.0))
            var items = zip(chunk, parsed).map { OrderXML(raw: $0.0.0, element: $0.1, fingerprint: $0.0.1) }
            items += leftInTree
            leftInTree = []
            let (page, pageIDs) = page(items, site: client.site)
            if !page.quarantined.isEmpty { clean = false }
            if !page.orders.isEmpty || !page.quarantined.isEmpty {
                if let earlier = pending { try await deliver(earlier) }
                pending = page
            }
            ids.formUnion(pageIDs)
        }
        // A page of the reply's orders at a time: an unchanged one is only counted, changed ones are
        // gathered and stored a page at a time. Only one page of a streamed reply is in memory.
        var index = 0
        while index < reply.orderCount {
            let indices = index..<min(index + Self.pageSize, reply.orderCount)
            let segments: [Data]
            do {
                segments = try reply.orderSegments(indices)
            } catch {
                throw ChannelError(.retryable(retryAfter: nil), operation: operation,
                                   message: "Spartoo site \(client.site): the reply file cannot be read back")
            }
            for segment in segments {
                let fingerprint = UnchangedPayloads.fingerprint(bytes: segment, scope: client.site)
                members.append(fingerprint)
                if unchanged.contains(fingerprint), let id = SpartooXML.plainOrderID(segment) {
                    ids.insert(id)
                } else {
                    changed.append((segment, fingerprint))
                }
            }
            if changed.count >= Self.pageSize {
                try await flush(changed[..<Self.pageSize])
                changed.removeFirst(Self.pageSize)
            }
            index = indices.upperBound
        }
        while !changed.isEmpty || !leftInTree.isEmpty {
            let count = min(Self.pageSize, changed.count)
            try await flush(changed[..<count])
            changed.removeFirst(count)
        }
        // A window with nothing quarantined is remembered whole once all of it is stored.
        if clean { windows.set(site: site, fingerprint: bodyFingerprint, ids: ids) }
        if var last = pending {
            if clean {
                let orders = last.onCommit, window = unchanged.onCommit(remembering: [], page: (bodyFingerprint, 0, members))
                last.onCommit = { orders?(); window() }
            }
            try await deliver(last)
        } else if clean {
            unchanged.remember(bodyFingerprint, value: 0, members: members)
        }
        return ids
    }

    /// The fingerprint of a reply's bytes, in memory or streamed to a file (0 when the file cannot be read:
    /// then nothing is known, and the reply is parsed).
    static func fingerprint(_ response: ChannelResponse, scope: String) -> Int {
        guard let file = response.bodyFile else { return UnchangedPayloads.fingerprint(bytes: response.body, scope: scope) }
        return (try? SpartooXML.fingerprint(file: file, scope: scope)) ?? 0
    }

    /// Maps parsed orders into a page: each unusable order goes to quarantine with its own XML, the rest
    /// is kept (see ``UnchangedPayloads``). Returns the ids of the usable ones.
    func page(_ items: [OrderXML], site: String) -> (OrderPage, Set<String>) {
        var orders: [FetchedOrder] = []
        var quarantined: [QuarantinedPayload] = []
        var fingerprints: [Int] = []
        var ids = Set<String>()
        for item in items {
            do {
                let mapped = try mapper.order(from: try item.element.get(), site: site)
                warnIfUnknown(mapped)
                orders.append(FetchedOrder(order: mapped.order, raw: item.raw))
                fingerprints.append(item.fingerprint)
                ids.insert(mapped.order.ref.externalID)
            } catch {
                quarantined.append(QuarantinedPayload(externalID: item.orderID, reason: "site \(site): \(error)", raw: item.raw))
            }
        }
        return (OrderPage(orders: orders, quarantined: quarantined, onCommit: unchanged.onCommit(remembering: fingerprints)), ids)
    }

    /// A reply's orders as items: the cut-out ones, then any left in the tree.
    static func items(of reply: SpartooReply, site: String) -> [OrderXML] {
        let segments = (try? reply.orderSegments(0..<reply.orderCount)) ?? []
        return zip(segments, SpartooXML.parseOrders(segments)).map {
            OrderXML(raw: $0.0, element: $0.1, fingerprint: UnchangedPayloads.fingerprint(bytes: $0.0, scope: site))
        } + orderElements(reply.root).map {
            OrderXML(raw: Data($0.xml.utf8), element: .success($0), fingerprint: UnchangedPayloads.fingerprint($0, scope: site))
        }
    }
}

extension SpartooChannel: ListsARecentWindow {
    /// Every walk lists the orders bought within `window_days` (more after an outage).
    public var walkReachDays: Int { windowDays }
}
