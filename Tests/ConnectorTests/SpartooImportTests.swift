import ChannelSimulator
import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// Import from a two-site simulator over sockets: per-site windows, the cursor, conflicts between sites,
/// quarantine, encodings, the daily re-read of open orders.
final class SpartooImportTests: SpartooTestCase, @unchecked Sendable {
    func testMultiSiteImportStoresEveryOrderWithItsSite() async throws {
        let h = try makeHarness()
        let generated = h.simulator.generateOrders(count: 24, seed: 11)
        let started = Date()
        try await h.poller.pollOnce(now: started)
        for order in generated {
            let stored = try XCTUnwrap(try h.stored(order.id), "order \(order.id) imported")
            XCTAssertEqual(stored.site, order.site)
            XCTAssertEqual(stored.channelStatus, String(order.status))
            XCTAssertEqual(stored.lines.count, order.products.count)
            XCTAssertEqual(stored.total?.description, String(format: "%d.%02d", order.total / 100, order.total % 100))
            if order.relay != nil { XCTAssertNotNil(stored.pickupPoint, "relay_info → pickup_point") }
            XCTAssertEqual(stored.carrier, order.shippingName.hasPrefix("Mondial") ? "mondial-relay" : "colissimo",
                           "shipping_name feeds shipping_rules")
        }
        let exports = h.simulator.requests(script: "xml_export_orders.php")
        XCTAssertEqual(exports.map(\.site).sorted(), ["es", "fr"], "one export per site, each on its own host")
        for entry in exports {
            XCTAssertEqual(entry.method, "POST")
            XCTAssertEqual(entry.bodyKind, .urlencoded)
            XCTAssertEqual(entry.request.rawQuery, "", "nothing in the URL: the partner id stays in the body")
            XCTAssertEqual(Set(entry.parameters.keys), ["partenaire", "date"], "no statut: cancellations and losses show up")
            let date = try XCTUnwrap(entry.parameters["date"])
            XCTAssertNotNil(date.range(of: #"^\d{4}-\d{2}-\d{2}:\d{2}:\d{2}:\d{2}$"#, options: .regularExpression), date)
            XCTAssertEqual(date, SpartooParisTime.format(started.addingTimeInterval(-10 * 86_400), separator: ":"))
        }
        // A second poll rewrites nothing.
        let history = try h.store.history(h.ref(generated[0].id)).count
        try await h.poller.pollOnce()
        XCTAssertEqual(try h.store.history(h.ref(generated[0].id)).count, history)
        let cursor = SpartooCursor.decode(try h.store.cursor(channel: SpartooConnectorHarness.channelID))
        XCTAssertEqual(Set(cursor.sites.keys), ["fr", "es"])
        XCTAssertNotNil(try h.store.mark(.staleRefresh, channel: SpartooConnectorHarness.channelID), "the daily re-read ran")
    }

    func testTheCursorKeepsTheFrozenStartOfTheWalk() async throws {
        let h = try makeHarness()
        h.simulator.generateOrders(count: 3)
        let now = Date()
        try await h.poller.pollOnce(now: now)
        let cursor = SpartooCursor.decode(try h.store.cursor(channel: SpartooConnectorHarness.channelID))
        for site in ["fr", "es"] {
            XCTAssertEqual(cursor.sites[site]?.lastSuccess.timeIntervalSince1970 ?? 0, now.timeIntervalSince1970.rounded(.down), accuracy: 1)
            XCTAssertEqual(cursor.sites[site]?.windowStart.timeIntervalSince1970 ?? 0,
                           now.addingTimeInterval(-10 * 86_400).timeIntervalSince1970, accuracy: 1)
        }
    }

    func testSameIDOnTwoSitesKeepsBothAndUpdatesTheSecondOnItsHost() async throws {
        let h = try makeHarness()
        h.simulator.addOrder(.init(site: "fr", id: "ABCDEF0123456789", customer: .init(lastName: "Français")))
        h.simulator.addOrder(.init(site: "es", id: "ABCDEF0123456789", customer: .init(firstName: "Núria", lastName: "Puig")))
        try await h.poller.pollOnce()
        XCTAssertEqual(try h.stored("ABCDEF0123456789")?.site, "fr")
        let second = try XCTUnwrap(try h.stored("es/ABCDEF0123456789"), "the later site's copy is kept as SITE/ID")
        XCTAssertEqual(second.site, "es")
        XCTAssertEqual(second.customer?.name, "Núria Puig")
        XCTAssertTrue(h.logs.entries.contains { $0.message == "order id conflict between sites" })

        let job = try h.enqueue("es/ABCDEF0123456789", .accept)
        let processed1 = try await h.process(job)
        XCTAssertEqual(processed1.state, .done)
        XCTAssertEqual(h.simulator.appliedEffects(orderID: "ABCDEF0123456789", site: "es", kind: .accept).count, 1)
        XCTAssertEqual(h.simulator.appliedEffects(orderID: "ABCDEF0123456789", site: "fr").count, 0)
        XCTAssertEqual(h.updates(site: "es").first?.parameters["oID"], "ABCDEF0123456789", "the id after the slash is sent")
        XCTAssertEqual(try h.stored("es/ABCDEF0123456789")?.status, .awaitingShipment)
        XCTAssertEqual(try h.stored("ABCDEF0123456789")?.status, .awaitingAcceptance, "the other site's order is untouched")
    }

    func testAWindowIsStreamedToAReplyFileReadInPagesAndTheFileRemoved() async throws {
        let h = try makeHarness(sites: ["fr"])
        let generated = h.simulator.generateOrders(count: 250, seed: 5).filter { $0.site == "fr" }
        try await h.poller.pollOnce()
        for order in generated { XCTAssertNotNil(try h.stored(order.id), "order \(order.id) imported") }
        XCTAssertEqual(try h.store.orderCounts()[SpartooConnectorHarness.channelID], generated.count)
        var isDirectory: ObjCBool = false
        XCTAssertTrue(FileManager.default.fileExists(atPath: h.replyDirectory.path, isDirectory: &isDirectory), "the reply went to a file")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: h.replyDirectory.path), [], "and was removed once read")
        // The same window again: recognised by the fingerprint of its file, not parsed.
        try await h.poller.pollOnce()
        XCTAssertEqual(h.channel.windows.skipped, 1)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: h.replyDirectory.path), [])
    }

    func testAMalformedOrderIsQuarantinedAndTheRestOfThePageStored() async throws {
        let fixture = try Data(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/spartoo/quarantine.xml"))
        let server = HTTPServer { _ in HTTPResponse(status: 200, headers: [("Content-Type", "text/xml")], body: fixture) }
        try server.start()
        defer { server.stop() }
        let h = try SpartooConnectorHarness(sites: ["fr"], endpoints: [SpartooEndpoint(site: "fr", baseURL: URL(string: "http://127.0.0.1:\(server.port)")!)])
        defer { h.close() }
        try await h.poller.pollOnce()
        XCTAssertNotNil(try h.stored("GOOD000000000001"))
        XCTAssertEqual(try h.store.quarantineCounts()[SpartooConnectorHarness.channelID], 3)
        XCTAssertNotNil(try h.store.cursor(channel: SpartooConnectorHarness.channelID), "the page counts as read")
    }

    func testLatin1CommaDecimalsNestedErrorsAndCDATAOverTheWire() async throws {
        let h = try makeHarness(sites: ["fr"]) { $0.encoding = .isoLatin1; $0.decimalComma = true; $0.errorShape = .nested }
        var template = SpartooSimulator.Order.new()
        template.customer = .init(firstName: "Łukasz", lastName: "Wójcik & Fils", street: "1 place de l'Hôtel de Ville")
        template.shippingCents = 490
        template.useCDATA = true
        let order = h.simulator.addOrder(template)
        try await h.poller.pollOnce()
        let stored = try XCTUnwrap(try h.stored(order.id))
        XCTAssertEqual(stored.customer?.name, "Łukasz Wójcik & Fils", "characters Latin-1 lacks arrive as references")
        XCTAssertEqual(stored.billingAddress?.line1, "1 place de l'Hôtel de Ville")
        XCTAssertEqual(stored.shippingTotal?.description, "4.90")
        XCTAssertEqual(stored.lines.first?.name, "Escarpins « Léa » & co")
        let missing = try await h.channel.fetchOrder(externalID: "fr/0000000000000000")
        XCTAssertNil(missing, "−6 in the nested shape is read as not found")
    }

    func testOpenOrdersThatLeftTheWindowAreReReadDaily() async throws {
        let h = try makeHarness(sites: ["fr"])
        let now = Date()
        let order = h.simulator.addOrder(.init(site: "fr", status: 2, purchasedAt: now.addingTimeInterval(-9 * 86_400)))
        try await h.poller.pollOnce(now: now)
        XCTAssertEqual(try h.stored(order.id)?.status, .awaitingShipment)
        XCTAssertFalse(try XCTUnwrap(try h.store.cursor(channel: SpartooConnectorHarness.channelID)).contains(order.id),
                       "the cursor holds positions, not the open orders")
        h.simulator.setStatus(site: "fr", id: order.id, status: 3)
        h.simulator.clearJournal()
        // Two days later the date window no longer reaches the order, and it changed too recently to be
        // stale (resweep_days 5): only the daily re-read by oID of orders older than the window sees it.
        // Shipped, the order is then also followed once a day at a second of the day set by its id
        // (`AftersaleSchedule.phase`): when that second falls in the ten minutes checked below, those
        // polls run an hour later, or the check would fail for ten minutes every day (it did, 02:05-02:15 UTC).
        var later = now.addingTimeInterval(2 * 86_400)
        if AftersaleSchedule.nextDue(order.id, after: later) <= later.addingTimeInterval(600) { later.addTimeInterval(3600) }
        try await h.poller.pollOnce(now: later)
        XCTAssertEqual(h.simulator.requests(script: "xml_export_orders.php").compactMap { $0.parameters["oID"] }, [order.id])
        XCTAssertEqual(try h.stored(order.id)?.status, .shipped)
        // Within the day, no re-read again.
        h.simulator.clearJournal()
        try await h.poller.pollOnce(now: later.addingTimeInterval(600))
        XCTAssertTrue(h.simulator.requests(script: "xml_export_orders.php").allSatisfy { $0.parameters["oID"] == nil })
    }

    func testAnOpenOrderSpartooNoLongerListsIsLoggedAndTheRestReRead() async throws {
        let h = try makeHarness(sites: ["fr"])
        let now = Date()
        let kept = h.simulator.addOrder(.init(site: "fr", status: 2, purchasedAt: now.addingTimeInterval(-20 * 86_400)))
        for id in ["0000000000000001", kept.id] {
            let order = Order(ref: h.ref(id), channelType: "spartoo", site: "fr", status: .awaitingShipment, channelStatus: "2",
                              createdAt: now.addingTimeInterval(-20 * 86_400))
            // Stored two days ago (an order first stored within the day was listed by a walk then).
            try h.ingest.storeReread(FetchedOrder(order: order, raw: Data()), as: h.ref(id), now: now.addingTimeInterval(-2 * 86_400))
        }
        h.simulator.setStatus(site: "fr", id: kept.id, status: 3)
        try await h.poller.pollOnce(now: now)
        let missing = h.logs.entries.filter { $0.message == "open order no longer found" }
        XCTAssertEqual(missing.count, 1)
        XCTAssertEqual(missing.first?.fields.first { $0.0 == "order.id" }?.1.description, "0000000000000001")
        XCTAssertEqual(try h.stored(kept.id)?.status, .shipped, "the order after the missing one is still re-read")
        XCTAssertEqual(try h.stored("0000000000000001")?.status, .awaitingShipment, "kept as stored, tried again tomorrow")
    }

    func testAFailingSiteDoesNotStopTheOthersButFailsThePoll() async throws {
        let h = try makeHarness()
        let spanish = h.simulator.addOrder(.new(site: "es"))
        h.simulator.injectFault(.serverError(status: 503), count: 10, site: "fr")
        do {
            try await h.poller.pollOnce()
            XCTFail("the fr failure must fail the poll")
        } catch let error as ChannelError {
            XCTAssertTrue(error.isRetryable, "\(error)")
        }
        XCTAssertNotNil(try h.stored(spanish.id), "es was imported anyway")
        XCTAssertNil(try h.store.cursor(channel: SpartooConnectorHarness.channelID), "no cursor saved while a site fails")
        h.simulator.faultsOff()
        try await h.poller.pollOnce()
        XCTAssertNotNil(try h.store.cursor(channel: SpartooConnectorHarness.channelID))
    }
}
