import ChannelSimulator
import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// Defects found by reading the connector against Spartoo's published pages (issue 12: 3, 5 and 9).
final class SpartooSpecDefectTests: SpartooTestCase, @unchecked Sendable {
    // MARK: defect 3: after shipping

    func testShippedOrderOlderThanTheWindowIsFollowedForLostParcel() async throws {
        let h = try makeHarness()
        let now = Date()
        var template = SpartooSimulator.Order.new(site: "fr", status: 3)
        template.purchasedAt = now.addingTimeInterval(-30 * 86_400)
        template.modifiedAt = now.addingTimeInterval(-20 * 86_400)
        let order = try await h.seed(template)
        XCTAssertEqual(try h.stored(order.id)?.status, .shipped)
        // Spartoo's own timed event: the parcel shipped 20 days ago is declared lost 15 days after shipping.
        h.simulator.updateConfiguration { $0.shippedOutcome = .init(status: 45, after: 15 * 86_400) }
        XCTAssertEqual(h.simulator.order(site: "fr", id: order.id)?.status, 3, "moved by the next request, not before")

        try await h.poller.pollOnce()

        let window = try XCTUnwrap(h.simulator.requests(script: "xml_export_orders.php").first { $0.parameters["date"] != nil })
        XCTAssertFalse(window.responseBody.contains(Data(order.id.utf8)), "the 10-day window does not list a 30-day-old order")
        let reads = h.simulator.requests(script: "xml_export_orders.php").filter { $0.parameters["oID"] == order.id }
        XCTAssertEqual(reads.count, 1, "followed by oID in the first cycle after start")
        XCTAssertEqual(try h.stored(order.id)?.status, .lost)
        XCTAssertEqual(try h.stored(order.id)?.channelStatus, "45")
        // No longer shipped: no longer followed.
        h.simulator.clearJournal()
        try await h.poller.pollOnce(now: Date().addingTimeInterval(2 * 86_400))
        XCTAssertTrue(h.simulator.requests(script: "xml_export_orders.php").allSatisfy { $0.parameters["oID"] != order.id })
    }

    func testShippedOrderOlderThanTheWindowIsFollowedForUndeliveredAndLateCancellation() async throws {
        for (code, status) in [(47, OrderStatus.undelivered), (41, .cancelled)] {
            let h = try makeHarness(sites: ["fr"])
            var template = SpartooSimulator.Order.new(site: "fr", status: 3)
            template.purchasedAt = Date().addingTimeInterval(-40 * 86_400)
            template.modifiedAt = Date().addingTimeInterval(-30 * 86_400)
            let order = try await h.seed(template)
            h.simulator.updateConfiguration { $0.shippedOutcome = .init(status: code, after: 25 * 86_400) }
            try await h.poller.pollOnce()
            XCTAssertEqual(try h.stored(order.id)?.status, status, "\(code)")
        }
    }

    func testShippedOrdersAreFollowedOnlyWithinAftersaleDays() async throws {
        let h = try makeHarness()
        var template = SpartooSimulator.Order.new(site: "fr", status: 3)
        template.purchasedAt = Date().addingTimeInterval(-70 * 86_400)  // outside the 10-day window
        let recent = try await h.seed(template)
        let old = try await h.seed(template)
        // `old` was stored as shipped 61 days ago: past the default 60 aftersale days.
        try h.store.db.execute("UPDATE order_history SET at = ? WHERE external_id = ?",
                               [.text(Timestamp.format(Date().addingTimeInterval(-61 * 86_400))), .text(old.id)])
        XCTAssertEqual(try h.store.shippedOrders(channel: SpartooConnectorHarness.channelID,
                                                  shippedSince: Date().addingTimeInterval(-60 * 86_400)).map(\.externalID),
                       [recent.id])
        // `recent` is followed once a day at a second set by its id (`AftersaleSchedule.phase`): when that
        // second falls in the five minutes checked below, the polls run an hour later (else the check
        // would fail five minutes a day).
        var start = Date()
        if AftersaleSchedule.nextDue(recent.id, after: start) <= start.addingTimeInterval(300) { start.addTimeInterval(3600) }
        try await h.poller.pollOnce(now: start)
        let read = Set(h.simulator.requests(script: "xml_export_orders.php").compactMap { $0.parameters["oID"] })
        XCTAssertEqual(read, [recent.id])
        // Read once a day: the next cycle, minutes later, does not read it again; a day later it does.
        h.simulator.clearJournal()
        try await h.poller.pollOnce(now: start.addingTimeInterval(300))
        XCTAssertTrue(h.simulator.requests(script: "xml_export_orders.php").allSatisfy { $0.parameters["oID"] == nil })
        try await h.poller.pollOnce(now: start.addingTimeInterval(86_400 + 600))
        XCTAssertEqual(h.simulator.requests(script: "xml_export_orders.php").compactMap { $0.parameters["oID"] }, [recent.id])
    }

    func testShippedOrdersTheWindowListsAreNotReadAgain() async throws {
        let h = try makeHarness()
        let listed = try await h.seed(.new(site: "fr", status: 3))
        try await h.poller.pollOnce()
        XCTAssertNotNil(h.simulator.requests(script: "xml_export_orders.php").first { $0.parameters["date"] != nil })
        XCTAssertFalse(h.simulator.requests(script: "xml_export_orders.php").contains { $0.parameters["oID"] == listed.id },
                       "the window already read it")
    }

    // MARK: defect 5: delivery slip reference

    func testSlipSendsProductReferenceFirstThenSizeReferenceOnMinus12() async throws {
        let h = try makeHarness()
        func slipReferences() throws -> [[String]] {
            try h.simulator.requests(script: "xml_export_bl.php").map {
                try XCTUnwrap(SlipRequest.parse($0.parameters["xml"] ?? "")).products.map(\.reference)
            }
        }
        // Spartoo knows products by the partner's product reference: one call, product-level references.
        let first = try await h.seed(.new(site: "es", status: 2, lines: 2))
        _ = try await h.channel.deliverySlip(for: try XCTUnwrap(try h.stored(first.id)))
        XCTAssertEqual(try slipReferences(), [["REF-1", "REF-2"]])

        // An account keyed by size references: −12 to the product reference, then once with the size reference.
        h.simulator.updateConfiguration { $0.slipReference = .size }
        h.simulator.clearJournal()
        let second = try await h.seed(.new(site: "fr", status: 2, lines: 2))
        let pdf = try await h.channel.deliverySlip(for: try XCTUnwrap(try h.stored(second.id)))
        XCTAssertTrue(pdf.starts(with: Array("%PDF".utf8)))
        XCTAssertEqual(try slipReferences(), [["REF-1", "REF-2"], ["REF-1-40", "REF-2-41"]])
        XCTAssertEqual(h.simulator.requests(script: "xml_export_bl.php").map(\.code), [-12, 1])
        let logged = h.logs.entries.filter { $0.message == "spartoo slip reference form" }
        let fields = (logged.last?.fields ?? []).map { "\($0.0)=\($0.1)" }
        XCTAssertTrue(fields.contains { $0.hasPrefix("form=") && $0.contains("products_size_reference") }, "\(fields)")
        XCTAssertTrue(fields.contains { $0.hasPrefix("site=") && $0.contains("fr") }, "\(fields)")

        // Remembered per site: the next slip on fr goes straight to the size reference.
        h.simulator.clearJournal()
        let third = try await h.seed(.new(site: "fr", status: 2))
        _ = try await h.channel.deliverySlip(for: try XCTUnwrap(try h.stored(third.id)))
        XCTAssertEqual(try slipReferences(), [["REF-1-40"]])
    }

    func testSlipRejectedInBothFormsFailsWithMinus12() async throws {
        let h = try makeHarness()
        var template = SpartooSimulator.Order.new(site: "fr", status: 2)
        template.products[0].sizeReference = ""
        let order = try await h.seed(template)
        h.simulator.updateConfiguration { $0.slipReference = .size }
        do {
            _ = try await h.channel.deliverySlip(for: try XCTUnwrap(try h.stored(order.id)))
            XCTFail("no reference Spartoo knows")
        } catch let error as ChannelError {
            XCTAssertEqual(error.kind, .permanent)
            XCTAssertTrue(error.message.contains("-12"), error.message)
        }
        XCTAssertEqual(h.simulator.requests(script: "xml_export_bl.php").count, 1, "one form only: nothing else to try")
    }

    // MARK: defect 9: unrecognised xml_maj_orders reply

    func testUnrecognisedMajReplyIsReadBackBeforeRetrying() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.new(site: "fr", status: 11))
        h.simulator.injectFault(.unrecognisedReply, count: 2, script: "xml_maj_orders.php")
        let job = try h.enqueue(order.id, .ship, payload: SpartooConnectorHarness.shipment("6A12345678901"))

        let done = try await h.process(job)

        XCTAssertEqual(done.state, .done, "one push round: \(done.lastError ?? "")")
        XCTAssertEqual(done.attempts, 1)
        XCTAssertEqual(h.updates().map { $0.parameters["statut"] }, ["2", "3"])
        XCTAssertEqual(h.updates().map(\.fault), ["unrecognised-reply", "unrecognised-reply"])
        XCTAssertEqual(h.simulator.journal.map(\.script), [
            "xml_export_orders.php", "xml_maj_orders.php", "xml_export_orders.php",
            "xml_maj_orders.php", "xml_export_orders.php", "xml_export_orders.php",
        ], "read, accept, read back, ship, read back, read after")
        XCTAssertEqual(h.simulator.appliedEffects(orderID: order.id, kind: .accept).count, 1)
        XCTAssertEqual(h.simulator.appliedEffects(orderID: order.id, kind: .ship).count, 1)
        XCTAssertEqual(try h.stored(order.id)?.status, .shipped)
    }

    func testUnrecognisedMajReplyWithoutEffectStaysRetryable() async throws {
        let transport = ScriptedTransport([
            ScriptedTransport.order(status: 2),
            (200, "<?xml version=\"1.0\"?><root><result>OK</result></root>"),
            ScriptedTransport.order(status: 2),
        ])
        let order = Order(ref: OrderRef(channel: "spartoo-fr", externalID: "3FF75E96C3434E92"), channelType: "spartoo",
                          site: "fr", status: .awaitingShipment, channelStatus: "2")
        let job = Job(id: 1, ref: order.ref, kind: .ship, dedupeKey: "t", payload: SpartooConnectorHarness.shipment("6A1"),
                      state: .running, attempts: 0, nextAttemptAt: Date(), lastError: nil, result: nil,
                      createdAt: Date(), updatedAt: Date())
        do {
            _ = try await transport.channel().push(job, order: order)
            XCTFail("not applied: retry")
        } catch let error as ChannelError {
            XCTAssertTrue(error.isRetryable, "\(error)")
        }
        XCTAssertEqual(transport.requests.map(\.script), ["xml_export_orders.php", "xml_maj_orders.php", "xml_export_orders.php"])
    }
}
