import ChannelSimulator
import Foundation
import OrderSync
@testable import Connectors
import XCTest

/// Polling a WooCommerce store: the drift-safe walk, statuses, captcha pages, auth.
final class WooCommerceImportTests: WooCommerceTestCase, @unchecked Sendable {
    func testWalkSendsTheDriftSafeQueryWithBasicAuth() async throws {
        let h = try makeHarness()
        let order = h.simulator.addOrder(WooCommerceHarness.order())
        let pollStart = Date()
        try await h.poller.pollOnce(now: pollStart)
        let stored = try XCTUnwrap(try h.stored(order.id))
        XCTAssertEqual(stored.status, .awaitingShipment)
        XCTAssertEqual(stored.carrier, "colissimo", "carrier from shipping_rules via shipping_lines")
        XCTAssertEqual(stored.shippingMethod, "Colissimo")
        let list = try XCTUnwrap(h.simulator.listRequests().first)
        XCTAssertEqual(list.query["per_page"], "100")
        XCTAssertEqual(list.query["orderby"], "modified")
        XCTAssertEqual(list.query["order"], "asc")
        XCTAssertEqual(list.query["dates_are_gmt"], "true")
        XCTAssertEqual(list.query["status"], "any")
        XCTAssertEqual(list.query["modified_before"], String(Timestamp.format(pollStart).dropLast()), "naive UTC, no Z")
        XCTAssertEqual(list.query["modified_after"], String(Timestamp.format(pollStart.addingTimeInterval(-5 * 86_400)).dropLast()))
        XCTAssertTrue(list.request.header("Authorization")?.hasPrefix("Basic ") == true)
        XCTAssertNil(list.query["consumer_key"])
        let cursor = try XCTUnwrap(try h.savedCursor())
        XCTAssertEqual(cursor["modified"] as? String, Timestamp.format(order.dateModified), "the highest date_modified_gmt seen")
        XCTAssertNil(cursor["known"], "positions only: the orders table says which orders are known")

        // The next walk starts 5 minutes before the cursor.
        h.simulator.clearJournal()
        try await h.poller.pollOnce()
        let next = try XCTUnwrap(h.simulator.listRequests().first)
        XCTAssertEqual(next.query["modified_after"], String(Timestamp.format(order.dateModified.addingTimeInterval(-300)).dropLast()))
    }

    func testPagesByTotalPagesAndImportsEveryOrderOnce() async throws {
        let h = try makeHarness()
        let base = Date().timeIntervalSince1970.rounded(.down) - 1_000
        for index in 0..<230 {
            let when = Date(timeIntervalSince1970: base + Double(index))
            h.simulator.addOrder(WooCommerceHarness.order { $0.dateCreated = when; $0.dateModified = when })
        }
        try await h.poller.pollOnce()
        let lists = h.simulator.listRequests().filter { $0.query["status"] == "any" }
        XCTAssertEqual(lists.map { $0.query["page"] }, ["1", "2", "3"], "stops at X-WP-TotalPages, no page past the end")
        XCTAssertEqual(Set(lists.map { $0.query["modified_before"] }).count, 1, "the upper bound is frozen for the walk")
        XCTAssertEqual(try h.store.orders(channel: WooCommerceHarness.channelID).count, 230)
    }

    func testOrderEditedMidWalkIsNeitherMissedNorDuplicated() async throws {
        let h = try makeHarness()
        let base = Date().timeIntervalSince1970.rounded(.down) - 1_000
        var ids: [Int] = []
        for index in 0..<250 {
            let when = Date(timeIntervalSince1970: base + Double(index))
            ids.append(h.simulator.addOrder(WooCommerceHarness.order { $0.dateCreated = when; $0.dateModified = when }).id)
        }
        // After page 1 an admin edits the first order: it leaves the frozen window and every later order
        // moves up one place, so a naive walk would skip the first order of page 2.
        h.simulator.addPaginationDrift(orderID: ids[0], afterPage: 1, change: .setStatus("on-hold"))
        try await h.poller.pollOnce()
        let imported = try h.store.orders(channel: WooCommerceHarness.channelID)
        XCTAssertEqual(imported.count, 250, "none missed")
        XCTAssertEqual(Set(imported.map(\.ref.externalID)).count, 250, "none duplicated")
        XCTAssertEqual(h.simulator.listRequests().filter { $0.query["status"] == "any" }.map { $0.query["page"] ?? "" }, ["1", "2", "1", "2", "3"], "the walk restarted when X-WP-Total changed")
        XCTAssertEqual(try h.stored(ids[0])?.status, .awaitingShipment, "the edit is after the frozen bound")
        try await h.poller.pollOnce(now: Date().addingTimeInterval(2))
        XCTAssertEqual(try h.stored(ids[0])?.status, .onHold, "picked up by the next poll")
        XCTAssertEqual(try h.store.orders(channel: WooCommerceHarness.channelID).count, 250)
    }

    func testOrderMovedInsideTheWindowIsDetectedToo() async throws {
        // The store's clock runs 30 s behind ours: an edit mid-walk stays inside the window and jumps to the end.
        let h = try makeHarness(clock: { Date().addingTimeInterval(-30) })
        let base = Date().timeIntervalSince1970.rounded(.down) - 1_000
        var ids: [Int] = []
        for index in 0..<150 {
            let when = Date(timeIntervalSince1970: base + Double(index))
            ids.append(h.simulator.addOrder(WooCommerceHarness.order { $0.dateCreated = when; $0.dateModified = when }).id)
        }
        h.simulator.addPaginationDrift(orderID: ids[0], afterPage: 1, change: .touch)
        try await h.poller.pollOnce()
        XCTAssertEqual(try h.store.orders(channel: WooCommerceHarness.channelID).count, 150)
        XCTAssertEqual(h.simulator.listRequests().filter { $0.query["status"] == "any" }.count, 4, "page 2 showed a known id with a new date: walked again")
    }

    func testOnlyConfiguredStatusesAreCreatedKnownOrdersFollowAnyStatus() async throws {
        let h = try makeHarness()
        let paid = h.simulator.addOrder(WooCommerceHarness.order())
        let unpaid = h.simulator.addOrder(WooCommerceHarness.order { $0.status = "pending" })
        let draft = h.simulator.addOrder(WooCommerceHarness.order { $0.status = "checkout-draft" })
        let abandoned = h.simulator.addOrder(WooCommerceHarness.order { $0.status = "cancelled" })
        let binned = h.simulator.addOrder(WooCommerceHarness.order())
        h.simulator.updateConfiguration { $0.draftsInAny = true }
        try await h.poller.pollOnce()
        XCTAssertNotNil(try h.stored(paid.id))
        XCTAssertNotNil(try h.stored(binned.id))
        XCTAssertNil(try h.stored(unpaid.id), "pending is not in statuses")
        XCTAssertNil(try h.stored(draft.id), "drafts are never imported")
        XCTAssertNil(try h.stored(abandoned.id))

        h.simulator.setStatus(paid.id, "completed")
        h.simulator.setStatus(unpaid.id, "processing")
        h.simulator.trashOrder(binned.id)
        // Changes made in this second are after this poll's frozen bound: poll a little later.
        try await h.poller.pollOnce(now: Date().addingTimeInterval(2))
        XCTAssertEqual(try h.stored(paid.id)?.status, .completed, "a known order is updated whatever its status")
        XCTAssertEqual(try h.stored(unpaid.id)?.status, .awaitingShipment, "created once it is paid")
        XCTAssertEqual(try h.stored(binned.id)?.status, .cancelled, "a known order moved to the bin reads cancelled")
        XCTAssertEqual(try h.stored(binned.id)?.channelStatus, "trash")
        XCTAssertNil(try h.stored(draft.id))
    }

    func testPluginStatusListedInStatusesIsKeptAndWarned() async throws {
        let h = try makeHarness(statuses: ["processing", "awaiting-pickup"])
        let order = h.simulator.addOrder(WooCommerceHarness.order { $0.status = "awaiting-pickup" })
        try await h.poller.pollOnce()
        let stored = try XCTUnwrap(try h.stored(order.id))
        XCTAssertEqual(stored.status, .onHold)
        XCTAssertEqual(stored.channelStatus, "awaiting-pickup")
        XCTAssertTrue(h.logMessages(.warning).contains("unknown order status mapped to on_hold"))
    }

    func testCaptchaPageIsRetryableLoggedOnceAndNoOrderIsLost() async throws {
        let h = try makeHarness()
        let order = h.simulator.addOrder(WooCommerceHarness.order())
        h.simulator.injectFault(.captchaPage(status: 202), count: 6)
        for _ in 0..<3 {
            do {
                try await h.poller.pollOnce()
                XCTFail("a captcha page must fail the poll")
            } catch let error as ChannelError {
                XCTAssertTrue(error.isRetryable, "\(error)")
                XCTAssertEqual(error.httpStatus, 202)
            }
        }
        XCTAssertNil(try h.store.cursor(channel: WooCommerceHarness.channelID), "never read as \"no orders\"")
        let loud = h.logs.entries.filter { $0.level == .error && $0.message.hasPrefix("channel answered an HTML page") }
        XCTAssertEqual(loud.count, 1, "logged loudly once, not on every attempt")
        try await h.poller.pollOnce()
        XCTAssertNotNil(try h.stored(order.id))
        // A new episode is logged again.
        h.simulator.injectFault(.captchaPage(status: 200), count: 2)
        _ = try? await h.poller.pollOnce()
        XCTAssertEqual(h.logs.entries.filter { $0.message.hasPrefix("channel answered an HTML page") }.count, 2)
    }

    func testNonListJSONAndEmptyBodiesAreRetryable() async throws {
        let h = try makeHarness(attempts: 1)
        h.simulator.addOrder(WooCommerceHarness.order())
        for fault in [WooCommerceSimulator.Fault.emptyBody, .malformedJSON, .serverError(status: 500)] {
            h.simulator.injectFault(fault)
            do {
                try await h.poller.pollOnce()
                XCTFail("\(fault) must fail the poll")
            } catch let error as ChannelError {
                XCTAssertTrue(error.isRetryable, "\(fault): \(error)")
            }
        }
        XCTAssertNil(try h.store.cursor(channel: WooCommerceHarness.channelID))
    }

    func testQueryAuthKeepsTheSecretOutOfEveryErrorAndLog() async throws {
        let h = try makeHarness(auth: .query, attempts: 1, timeout: 1)
        let order = h.simulator.addOrder(WooCommerceHarness.order())
        try await h.poller.pollOnce()
        XCTAssertNotNil(try h.stored(order.id))
        let list = try XCTUnwrap(h.simulator.listRequests().first)
        XCTAssertEqual(list.query["consumer_secret"], WooCommerceHarness.key.consumerSecret)
        XCTAssertNil(list.request.header("Authorization"))
        var messages: [String] = []
        h.simulator.injectFault(.slow(seconds: 2))
        h.simulator.injectFault(.serverError(status: 503))
        h.simulator.injectFault(.captchaPage(status: 200))
        for _ in 0..<3 {
            do { try await h.poller.pollOnce() } catch { messages.append("\(error)") }
        }
        h.simulator.setKeys([.init(consumerKey: WooCommerceHarness.key.consumerKey, consumerSecret: "cs_rotated")])
        do { _ = try await h.channel.fetchOrder(externalID: String(order.id)) } catch { messages.append("\(error)") }
        XCTAssertEqual(messages.count, 4)
        XCTAssertTrue(messages.last?.contains("Consumer secret is invalid.") == true, messages.last ?? "")
        let everything = (messages + [h.everythingLogged(), try h.store.cursor(channel: WooCommerceHarness.channelID) ?? ""])
            .joined(separator: "\n")
        for leak in [WooCommerceHarness.key.consumerSecret, WooCommerceHarness.key.consumerKey, "consumer_secret", "127.0.0.1"] {
            XCTAssertFalse(everything.contains(leak), "\(leak) leaked:\n\(everything)")
        }
    }

    func testStrippedAuthorizationIsUnauthorizedWithAHint() async throws {
        let h = try makeHarness(configure: { $0.stripAuthorization = true })
        h.simulator.addOrder(WooCommerceHarness.order())
        do {
            try await h.poller.pollOnce()
            XCTFail("expected 401")
        } catch let error as ChannelError {
            XCTAssertEqual(error.kind, .unauthorized)
            XCTAssertTrue(error.message.contains("Consumer key is missing."), error.message)
            XCTAssertTrue(error.message.contains("\"auth\": \"query\""), error.message)
        }
    }

    func testFetchOrderNotFoundIsNilAndMissingAPIIsPermanent() async throws {
        let h = try makeHarness()
        let found = try await h.channel.fetchOrder(externalID: "999999")
        XCTAssertNil(found)
        let elsewhere = WooCommerceChannel(id: "x", baseURL: h.simulator.baseURL.appendingPathComponent("blog"),
                                           consumerKey: Secret("k"), consumerSecret: Secret("s"), resweepDays: 5,
                                           http: ChannelHTTP(transport: URLSessionTransport(), minimumSpacing: 0, timeout: 2, attempts: 1,
                                                             logger: .discarding), logger: .discarding)
        do {
            _ = try await elsewhere.fetchOrder(externalID: "1")
            XCTFail("expected a permanent error")
        } catch let error as ChannelError {
            XCTAssertEqual(error.kind, .permanent)
            XCTAssertEqual(error.httpStatus, 404)
        }
    }
}
