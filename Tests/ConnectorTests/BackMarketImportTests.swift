import ChannelSimulator
import Foundation
@testable import OrderSync
@testable import Connectors
import XCTest

/// Polling: paging, links, headers, the cursor, drift and malformed payloads.
final class BackMarketImportTests: BackMarketTestCase, @unchecked Sendable {
    func testImportPagesThroughEveryOrderFollowingOnlyThePageOfNext() async throws {
        let h = try makeHarness { $0.linkBase = "https://www.backmarket.fr/bm/merchants/orders" }
        let generated = h.simulator.generateOrders(count: 120, seed: 7)
        let started = Date()

        try await h.poller.pollOnce()

        // Every order stored exactly once (one insert in the history per order).
        XCTAssertEqual(try h.store.orderCounts()[BackMarketHarness.channelID], 120)
        XCTAssertEqual(try h.count("SELECT COUNT(*) AS n FROM order_history WHERE from_status IS NULL"), 120)
        for order in generated {
            let stored = try XCTUnwrap(try h.stored(order.orderID), "order \(order.orderID) missing")
            XCTAssertEqual(stored.channelStatus, String(order.state))
        }
        XCTAssertEqual(try h.count("SELECT COUNT(*) AS n FROM quarantine"), 0)

        // Pages of 50, `next` followed on our own base although it named the back office.
        let lists = h.listRequests()
        XCTAssertTrue(lists.allSatisfy { $0.query["page-size"] == "50" }, "page-size=50 on every list call")
        let modifiedWalk = lists.filter { $0.query["date_modification"] != nil }
        XCTAssertEqual(modifiedWalk.map { $0.query["page"] }, ["1", "2", "3"])
        XCTAssertTrue(lists.allSatisfy { $0.status == 200 })
        let stateWalk = lists.filter { $0.query["state"] == "1" }
        let waiting = generated.filter { $0.state == 1 }.count
        XCTAssertEqual(stateWalk.count, (waiting + 49) / 50)
        let careLists = h.simulator.requests(method: "GET").filter { $0.path == "/ws/sav" }
        XCTAssertEqual(h.simulator.requests().count, lists.count + careLists.count, "a first poll only lists (orders, care folders)")

        // The first walk goes back resweep_days.
        let firstSince = try XCTUnwrap(modifiedWalk.first?.query["date_modification"].flatMap { Timestamp.parse($0) })
        XCTAssertEqual(firstSince.timeIntervalSince(started), -60 * 86_400, accuracy: 5)

        // Required headers, token verbatim.
        for entry in h.simulator.requests() {
            XCTAssertEqual(entry.request.header("Authorization"), "Basic \(BackMarketHarness.token)")
            XCTAssertEqual(entry.request.header("User-Agent"), BackMarketHarness.userAgent)
            XCTAssertEqual(entry.request.header("Accept-Language"), BackMarketHarness.acceptLanguage)
            XCTAssertEqual(entry.request.header("Accept"), "application/json")
        }

        // The cursor: saved, never past the walk start.
        let cursor = try XCTUnwrap(try h.savedCursor())
        let modified = try XCTUnwrap(cursor.modified)
        XCTAssertLessThanOrEqual(modified, Date())
        let newest = generated.map(\.dateModification).max()!
        XCTAssertEqual(modified.timeIntervalSince1970, newest.timeIntervalSince1970, accuracy: 1)
        XCTAssertNotNil(cursor.lastResweep)

        // Second poll: reads from the saved cursor minus the 24 h overlap, stores nothing new.
        let changedBefore = try h.store.db.query("SELECT MAX(changed_at) AS t FROM orders").first?.string("t")
        let historyBefore = try h.count("SELECT COUNT(*) AS n FROM order_history")
        let logCount = h.logs.entries.count
        h.simulator.clearJournal()

        try await h.poller.pollOnce()

        let second = h.listRequests().filter { $0.query["date_modification"] != nil }
        XCTAssertEqual(second.first?.query["date_modification"], Timestamp.format(modified.addingTimeInterval(-86_400)),
                       "the second poll must start from the saved cursor, not from resweep_days")
        XCTAssertEqual(try h.store.db.query("SELECT MAX(changed_at) AS t FROM orders").first?.string("t"), changedBefore)
        XCTAssertEqual(try h.count("SELECT COUNT(*) AS n FROM order_history"), historyBefore)
        XCTAssertFalse(h.logs.entries.dropFirst(logCount).contains { $0.message == "orders imported" })
        XCTAssertEqual(try h.store.orderCounts()[BackMarketHarness.channelID], 120)
    }

    func testResweepWalksTheWholeWindowOncePerDay() async throws {
        let h = try makeHarness()
        h.simulator.generateOrders(count: 10, seed: 1)
        let start = Date()
        func modifiedSince() -> [String] { h.listRequests().compactMap { $0.query["date_modification"] } }

        try await h.poller.pollOnce(now: start)
        h.simulator.clearJournal()
        try await h.poller.pollOnce(now: start.addingTimeInterval(3600))
        XCTAssertEqual(modifiedSince().count, 1, "no re-sweep within the day")

        h.simulator.clearJournal()
        let nextDay = start.addingTimeInterval(86_400 + 60)
        try await h.poller.pollOnce(now: nextDay)
        XCTAssertEqual(modifiedSince().count, 2)
        XCTAssertTrue(modifiedSince().contains(Timestamp.format(nextDay.addingTimeInterval(-60 * 86_400))),
                      "the re-sweep goes back resweep_days")

        h.simulator.clearJournal()
        try await h.poller.pollOnce(now: nextDay.addingTimeInterval(3600))
        XCTAssertEqual(modifiedSince().count, 1, "once a day only")
    }

    func testAutoAcceptQueuesOneJobPerWaitingOrderAndThePusherAcceptsThem() async throws {
        let h = try makeHarness(autoAccept: true)
        let waiting = h.simulator.generateOrders(count: 30, seed: 12).filter { $0.state == 1 }
        XCTAssertFalse(waiting.isEmpty)

        try await h.poller.pollOnce()
        try await h.poller.pollOnce()
        let jobs = try h.store.jobs()
        XCTAssertEqual(Set(jobs.map(\.ref.externalID)), Set(waiting.map { String($0.orderID) }))
        XCTAssertEqual(jobs.count, waiting.count, "one accept per order, not one per poll")

        for job in try h.store.dueJobs(channel: BackMarketHarness.channelID) { try await h.pusher.process(job) }

        XCTAssertTrue(try h.store.jobs().allSatisfy { $0.state == .done })
        for order in waiting {
            XCTAssertEqual(h.simulator.order(order.orderID)?.state, 3)
            XCTAssertEqual(h.simulator.appliedEffects(orderID: order.orderID, kind: .accept).count,
                           Set(order.lines.map(\.listing)).count)
            XCTAssertEqual(try h.stored(order.orderID)?.status, .awaitingShipment)
        }
        try await h.poller.pollOnce()
        XCTAssertEqual(try h.store.jobs().count, waiting.count)
    }

    func testOrderModifiedMidWalkIsCaughtByTheNextPoll() async throws {
        let h = try makeHarness { $0.listOrdering = .dateModification }
        let generated = h.simulator.generateOrders(count: 120, seed: 11)
        // The date_modification walk has 3 pages (120 / 50); only it reaches page 3. Right after page 3
        // is served, an order already read with its lines in 1 gets accepted elsewhere, and another
        // one is touched: the walk is over, so this poll keeps their old content.
        let accepted = try XCTUnwrap(generated.first { $0.state == 1 })
        let touched = try XCTUnwrap(generated.first { $0.state == 3 })
        h.simulator.addPaginationDrift(orderID: accepted.orderID, afterPage: 3, change: .setLineStates(2))
        h.simulator.addPaginationDrift(orderID: touched.orderID, afterPage: 3, change: .touch)

        try await h.poller.pollOnce()
        XCTAssertEqual(try h.stored(accepted.orderID)?.status, .awaitingAcceptance, "the walk read it before the change")
        XCTAssertEqual(h.simulator.order(accepted.orderID)?.state, 3, "the drift happened")

        try await h.poller.pollOnce()

        XCTAssertEqual(try h.stored(accepted.orderID)?.status, .awaitingShipment)
        XCTAssertEqual(try h.stored(accepted.orderID)?.channelStatus, "3")
        let touchedNow = try XCTUnwrap(h.simulator.order(touched.orderID))
        XCTAssertEqual(try h.stored(touched.orderID)?.updatedAt?.timeIntervalSince1970 ?? 0,
                       touchedNow.dateModification.timeIntervalSince1970, accuracy: 1, "whole seconds on the wire")
        // Nothing else was lost either.
        for order in h.simulator.allOrders() {
            XCTAssertEqual(try h.stored(order.orderID)?.channelStatus, String(order.state), "order \(order.orderID)")
        }
    }

    func testOrderShiftedIntoAnAlreadyServedPageIsStillStored() async throws {
        let h = try makeHarness { $0.listOrdering = .dateModification }
        let generated = h.simulator.generateOrders(count: 120, seed: 3)
        // After page 1 of the first walk (state=1) an order of page 1 moves to the end: every later
        // order shifts back by one, so the first order of page 2 is never served by that walk.
        let waiting = generated.filter { $0.state == 1 }
            .sorted { ($0.dateModification, $0.orderID) < ($1.dateModification, $1.orderID) }
        XCTAssertGreaterThan(waiting.count, 50)
        h.simulator.addPaginationDrift(orderID: waiting[0].orderID, afterPage: 1, change: .touch)
        let skipped = waiting[50]

        try await h.poller.pollOnce()

        XCTAssertEqual(try h.stored(skipped.orderID)?.status, .awaitingAcceptance)
        XCTAssertEqual(try h.store.orderCounts()[BackMarketHarness.channelID], 120)
    }

    func testMalformedOrderIsQuarantinedAndTheRestOfThePageStored() async throws {
        // A tiny Back Market stand-in whose list has one order with an orderline without `id`.
        @Sendable func order(_ id: Int, lineID: Int?) -> [String: Any] {
            var line: [String: Any] = ["state": 1, "listing": "SKU-\(id)", "product": "iPhone 12 64 GB", "quantity": 1,
                                       "price": "299.00", "condition": 11, "imei": "", "serial_number": ""]
            if let lineID { line["id"] = lineID }
            return ["order_id": id, "state": 1, "currency": "EUR", "price": "299.00", "shipping_price": "0.00",
                    "date_creation": "2026-03-10T08:00:00Z", "date_modification": "2026-03-10T09:00:00+01:00",
                    "date_payment": "2026-03-10T08:05:00.123456Z",
                    "shipping_address": ["first_name": "Hélène", "last_name": "Müller", "street": "12 rue de l'Église",
                                         "postal_code": "75005", "city": "Paris", "country": "FR"],
                    "orderlines": [line]]
        }
        let server = HTTPServer { request in
            guard request.path == "/ws/orders" else { return .json(404, ["detail": "Not found."]) }
            let page = Int(request.query["page"] ?? "1") ?? 1
            let results = page == 1 ? [order(40_000_001, lineID: 51_000_001), order(40_000_002, lineID: nil),
                                       order(40_000_003, lineID: 51_000_003)]
                                    : [order(40_000_004, lineID: 51_000_004)]
            return .json(200, ["count": 4, "previous": NSNull(), "results": results,
                               "next": page == 1 ? "https://www.backmarket.fr/ws/orders?page=2&page-size=50" : NSNull()])
        }
        try server.start()
        defer { server.stop() }
        let h = try makeHarness(baseURL: URL(string: "http://127.0.0.1:\(server.port)")!)

        try await h.poller.pollOnce()

        for id in [40_000_001, 40_000_003, 40_000_004] {
            XCTAssertEqual(try h.stored(id)?.status, .awaitingAcceptance, "order \(id)")
        }
        XCTAssertNil(try h.stored(40_000_002))
        try await h.poller.pollOnce()
        let rows = try h.store.db.query("SELECT external_id, reason, raw FROM quarantine")
        XCTAssertEqual(rows.count, 1, "seen by every walk of two polls, kept once")
        XCTAssertTrue(rows.allSatisfy { $0.string("external_id") == "40000002" })
        XCTAssertTrue(rows.allSatisfy { $0.string("reason")?.contains("orderlines[0].id") == true })
        XCTAssertTrue(rows.allSatisfy { ($0.data("raw")?.count ?? 0) > 0 }, "the payload is kept")
        XCTAssertNotNil(try h.store.cursor(channel: BackMarketHarness.channelID), "a quarantined order does not fail the poll")
    }
}
