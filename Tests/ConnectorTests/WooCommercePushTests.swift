import ChannelSimulator
import Foundation
@testable import OrderSync
@testable import Connectors
import XCTest

/// Pushing to a WooCommerce store: notes, trackings, completion, cancel — and never a duplicate note.
final class WooCommercePushTests: WooCommerceTestCase, @unchecked Sendable {
    func testShipWithNoteAddsOneCustomerNoteThenCompletes() async throws {
        let h = try makeHarness()
        let order = try await h.seed()
        let job = try await h.process(try h.enqueue(order.id, .ship, payload: WooCommerceHarness.shipment()))
        XCTAssertEqual(job.state, .done, job.lastError ?? "")
        let notePost = try XCTUnwrap(h.posts(order.id).first)
        XCTAssertEqual(notePost.jsonBody?["note"] as? String,
                       "Shipped with Colissimo, tracking 6A12345678901: https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901")
        XCTAssertEqual(notePost.jsonBody?["customer_note"] as? Bool, true)
        let put = try XCTUnwrap(h.puts(order.id).first)
        XCTAssertEqual(put.jsonBody?.keys.sorted(), ["status"], "only the status is sent")
        XCTAssertEqual(put.jsonBody?["status"] as? String, "completed")
        XCTAssertEqual(h.simulator.emails(orderID: order.id).map(\.template), ["customer_note", "customer_completed_order"])
        XCTAssertEqual(h.simulator.appliedEffects(orderID: order.id, kind: .totalsRecalculated).count, 0)
        XCTAssertEqual(try h.stored(order.id)?.status, .completed, "the order as the store shows it afterwards")
        // Reading first: the customer notes are read before anything is written.
        let methods = h.simulator.journal.map { "\($0.method) \($0.path.replacingOccurrences(of: "/wp-json/wc/v3/orders/\(order.id)", with: ""))" }
        XCTAssertEqual(methods, ["GET ", "GET /notes", "POST /notes", "PUT "])
        XCTAssertEqual(h.simulator.journal[1].query["type"], "customer")
    }

    func testReplayAfterCrashBetweenNoteAndCommitSendsNothing() async throws {
        let h = try makeHarness()
        let order = try await h.seed()
        let jobID = try h.enqueue(order.id, .ship, payload: WooCommerceHarness.shipment())
        try await h.process(jobID)
        // As after kill -9 between the push and the commit: the same job runs again.
        try h.store.db.execute("UPDATE jobs SET state = 'queued' WHERE id = ?", [.int(jobID)])
        let again = try await h.process(jobID)
        XCTAssertEqual(again.state, .done)
        XCTAssertTrue(again.result?.contains("already done") == true, again.result ?? "")
        XCTAssertEqual(h.simulator.customerNotes(orderID: order.id).count, 1)
        XCTAssertEqual(h.simulator.emails(orderID: order.id).count, 2)
    }

    func testNoteAppliedButReplyLostIsNotPostedTwice() async throws {
        let h = try makeHarness()
        let order = try await h.seed()
        h.simulator.injectFault(.serverErrorAfterApplying(status: 504), method: "POST")
        let jobID = try h.enqueue(order.id, .ship, payload: WooCommerceHarness.shipment())
        let firstTry = try await h.process(jobID)
        XCTAssertEqual(firstTry.state, .queued, "a 504 is retried later")
        XCTAssertEqual(h.posts(order.id).count, 1, "a POST is never repeated inside the call")
        let job = try await h.drain(jobID)
        XCTAssertEqual(job.state, .done)
        XCTAssertEqual(h.simulator.customerNotes(orderID: order.id).count, 1, "exactly one note")
        XCTAssertEqual(h.posts(order.id).count, 1)
        XCTAssertEqual(h.simulator.order(order.id)?.status, "completed")
    }

    func testTimedOutNoteIsReadBackNotResent() async throws {
        let h = try makeHarness(attempts: 3, timeout: 1)
        let order = try await h.seed()
        h.simulator.injectFault(.slow(seconds: 2), method: "POST")
        let jobID = try h.enqueue(order.id, .ship, payload: WooCommerceHarness.shipment())
        let firstTry = try await h.process(jobID)
        XCTAssertEqual(firstTry.state, .queued)
        let job = try await h.drain(jobID)
        XCTAssertEqual(job.state, .done)
        XCTAssertEqual(h.posts(order.id).count, 1)
        XCTAssertEqual(h.simulator.customerNotes(orderID: order.id).count, 1)
    }

    func testFailureBeforeTheNoteThenOneNote() async throws {
        let h = try makeHarness()
        let order = try await h.seed()
        h.simulator.injectFault(.serverError(status: 503), method: "POST")
        let job = try await h.drain(try h.enqueue(order.id, .ship, payload: WooCommerceHarness.shipment()))
        XCTAssertEqual(job.state, .done)
        XCTAssertEqual(h.simulator.customerNotes(orderID: order.id).count, 1)
    }

    func testHandWrittenNoteWithTheNumberCountsAsDone() async throws {
        let h = try makeHarness()
        let order = try await h.seed()
        h.simulator.addNote(orderID: order.id, "Your parcel: 6A 1234 5678 901 (Colissimo)", customer: true)
        let job = try await h.process(try h.enqueue(order.id, .ship, payload: WooCommerceHarness.shipment()))
        XCTAssertEqual(job.state, .done)
        XCTAssertEqual(h.posts(order.id).count, 0)
        XCTAssertEqual(h.simulator.order(order.id)?.status, "completed", "completion still follows")
    }

    func testPartialShipmentsCompleteOnlyWhenEveryLineShipped() async throws {
        let h = try makeHarness()
        let order = try await h.seed(WooCommerceHarness.order {
            $0.lineItems = [.priced(name: "T-shirt M", sku: "TSHIRT-M", unitGross: "45.00"),
                            .priced(name: "Mug", sku: "MUG-01", quantity: 2, unitGross: "12.00")]
        })
        let lines = order.lineItems.map { String($0.id) }
        let first = try await h.process(try h.enqueue(order.id, .ship, dedupeKey: "A",
                                                      payload: WooCommerceHarness.shipment("TRK-A", lines: [lines[0]])))
        XCTAssertEqual(first.state, .done)
        XCTAssertEqual(h.simulator.customerNotes(orderID: order.id).map(\.note),
                       ["Shipped with Colissimo (1 × T-shirt M), tracking TRK-A: https://www.laposte.fr/outils/suivre-vos-envois?code=TRK-A"])
        XCTAssertEqual(h.simulator.order(order.id)?.status, "processing", "one line left")
        XCTAssertEqual(try h.stored(order.id)?.status, .awaitingShipment)
        let second = try await h.process(try h.enqueue(order.id, .ship, dedupeKey: "B",
                                                       payload: WooCommerceHarness.shipment("TRK-B", lines: [lines[1]])))
        XCTAssertEqual(second.state, .done)
        XCTAssertEqual(h.simulator.customerNotes(orderID: order.id).count, 2)
        XCTAssertTrue(h.simulator.customerNotes(orderID: order.id)[1].note.contains("2 × Mug"))
        XCTAssertEqual(h.simulator.order(order.id)?.status, "completed")
        XCTAssertEqual(h.simulator.emails(orderID: order.id).filter { $0.template == "customer_completed_order" }.count, 1)
    }

    func testCompleteOnShipFalseMarksShippedWithoutCompleting() async throws {
        let h = try makeHarness(completeOnShip: false)
        let order = try await h.seed()
        let job = try await h.process(try h.enqueue(order.id, .ship, payload: WooCommerceHarness.shipment()))
        XCTAssertEqual(job.state, .done)
        XCTAssertEqual(h.simulator.order(order.id)?.status, "processing")
        let put = try XCTUnwrap(h.puts(order.id).first)
        XCTAssertEqual(put.jsonBody?.keys.sorted(), ["meta_data"])
        XCTAssertEqual(try h.stored(order.id)?.status, .shipped, "processing + our marker reads shipped")
        XCTAssertEqual(h.simulator.emails(orderID: order.id).map(\.template), ["customer_note"])
        try await h.poller.pollOnce(now: Date().addingTimeInterval(2))
        XCTAssertEqual(try h.stored(order.id)?.status, .shipped, "and stays so on the next poll")
    }

    func testShipmentTrackingModeWithProviderNameAndDedupe() async throws {
        let h = try makeHarness(tracking: .shipmentTracking)
        let order = try await h.seed()
        let jobID = try h.enqueue(order.id, .ship, payload: WooCommerceHarness.shipment())
        let job = try await h.process(jobID)
        XCTAssertEqual(job.state, .done, job.lastError ?? "")
        let tracking = try XCTUnwrap(h.simulator.trackings(orderID: order.id).first)
        XCTAssertEqual(h.posts(order.id, "/shipment-trackings").first?.jsonBody?["tracking_provider"] as? String, "Colissimo")
        XCTAssertEqual(tracking.provider, "colissimo", "stored as the extension stores it")
        XCTAssertEqual(tracking.link, "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901", "the buyer gets a link")
        XCTAssertEqual(tracking.number, "6A12345678901")
        XCTAssertEqual(tracking.dateShipped, "2026-03-11")
        XCTAssertTrue(job.result?.contains(tracking.trackingID) == true, "the tracking_id is kept: \(job.result ?? "")")
        XCTAssertEqual(h.simulator.order(order.id)?.status, "completed")
        XCTAssertEqual(h.simulator.customerNotes(orderID: order.id).count, 0)
        try h.store.db.execute("UPDATE jobs SET state = 'queued' WHERE id = ?", [.int(jobID)])
        let again = try await h.process(jobID)
        XCTAssertTrue(again.result?.contains("already") == true)
        XCTAssertEqual(h.simulator.trackings(orderID: order.id).count, 1)
    }

    func testCustomTrackingLinkIsTheRenderedURL() async throws {
        let h = try makeHarness(tracking: .shipmentTracking)
        let order = try await h.seed()
        let payload = WooCommerceHarness.shipment("MR778899", carrier: "mondial-relay")
        let job = try await h.process(try h.enqueue(order.id, .ship, payload: payload))
        XCTAssertEqual(job.state, .done, job.lastError ?? "")
        let body = try XCTUnwrap(h.posts(order.id, "/shipment-trackings").first?.jsonBody)
        XCTAssertEqual(body["custom_tracking_provider"] as? String, "mondial-relay")
        XCTAssertEqual(body["custom_tracking_link"] as? String, "https://www.mondialrelay.fr/suivi/?n=MR778899&cp=75003")
        XCTAssertNil(body["tracking_provider"])
        XCTAssertEqual(h.simulator.trackings(orderID: order.id).first?.link, "https://www.mondialrelay.fr/suivi/?n=MR778899&cp=75003",
                       "the buyer sees the link word for word")
    }

    func testUnknownTrackingProviderFallsBackToACustomLink() async throws {
        let h = try makeHarness(tracking: .shipmentTracking)
        let first = try await h.seed()
        let second = try await h.seed()
        for (order, number) in [(first, "DPD0001"), (second, "DPD0002")] {
            let job = try await h.process(try h.enqueue(order.id, .ship, payload: WooCommerceHarness.shipment(number, carrier: "dpd")))
            XCTAssertEqual(job.state, .done, job.lastError ?? "")
            let body = try XCTUnwrap(h.posts(order.id, "/shipment-trackings").first?.jsonBody)
            XCTAssertNil(body["tracking_provider"], "a name the extension does not know would leave the buyer no link")
            XCTAssertEqual(body["custom_tracking_provider"] as? String, "DPD France")
            XCTAssertEqual(body["custom_tracking_link"] as? String, "https://www.dpd.fr/trace/\(number)")
            let stored = try XCTUnwrap(h.simulator.trackings(orderID: order.id).first)
            XCTAssertEqual(stored.link, "https://www.dpd.fr/trace/\(number)")
            XCTAssertEqual(stored.shownProvider, "DPD France")
        }
        XCTAssertEqual(h.simulator.requests(method: "GET").filter { $0.path.hasSuffix("/shipment-trackings/providers") }.count, 1,
                       "the provider list is read once per run")
        let warnings = h.logs.entries.filter { $0.level == .warning && $0.message.contains("tracking provider unknown") }
        XCTAssertEqual(warnings.count, 1, "logged once")
        XCTAssertTrue(h.everythingLogged().contains("DPD France"))
    }

    func testMissingExtensionFailsTheJobWithAClearReason() async throws {
        let h = try makeHarness(tracking: .shipmentTracking, configure: { $0.shipmentTrackingInstalled = false })
        let order = try await h.seed()
        let job = try await h.process(try h.enqueue(order.id, .ship, payload: WooCommerceHarness.shipment()))
        XCTAssertEqual(job.state, .failed)
        XCTAssertTrue(job.lastError?.contains("Shipment Tracking extension") == true, job.lastError ?? "")
        XCTAssertEqual(h.simulator.order(order.id)?.status, "processing", "nothing completed without the tracking")
    }

    func testCancelSendsStatusAndReasonNoteOnce() async throws {
        let h = try makeHarness()
        let order = try await h.seed()
        let jobID = try h.enqueue(order.id, .cancel, payload: JobPayload(reason: "out of stock"))
        let job = try await h.process(jobID)
        XCTAssertEqual(job.state, .done, job.lastError ?? "")
        XCTAssertEqual(h.simulator.order(order.id)?.status, "cancelled")
        XCTAssertEqual(h.puts(order.id).first?.jsonBody?.keys.sorted(), ["status"])
        XCTAssertEqual(h.simulator.appliedEffects(orderID: order.id, kind: .internalNote).map { $0.details["note"] },
                       ["Cancelled by ordersync: out of stock"])
        XCTAssertEqual(try h.stored(order.id)?.status, .cancelled)
        try h.store.db.execute("UPDATE jobs SET state = 'queued' WHERE id = ?", [.int(jobID)])
        let again = try await h.process(jobID)
        XCTAssertTrue(again.result?.contains("already") == true)
        XCTAssertEqual(h.simulator.appliedEffects(orderID: order.id, kind: .internalNote).count, 1)
    }

    func testCancelOfCompletedOrderFailsAndShipOfCancelledIsDropped() async throws {
        let h = try makeHarness()
        let completed = try await h.seed(WooCommerceHarness.order { $0.status = "completed" })
        let refused = try await h.process(try h.enqueue(completed.id, .cancel))
        XCTAssertEqual(refused.state, .failed)
        let cancelled = try await h.seed()
        h.simulator.setStatus(cancelled.id, "cancelled")
        let job = try await h.process(try h.enqueue(cancelled.id, .ship, payload: WooCommerceHarness.shipment()))
        XCTAssertEqual(job.state, .dropped)
        XCTAssertEqual(h.posts(cancelled.id).count, 0)
    }

    func testReadOnlyKeyFailsLoudlyWithAHint() async throws {
        let h = try makeHarness()
        let order = try await h.seed()
        let key = WooCommerceHarness.key
        h.simulator.setKeys([.init(consumerKey: key.consumerKey, consumerSecret: key.consumerSecret, permissions: .read)])
        let job = try await h.process(try h.enqueue(order.id, .ship, payload: WooCommerceHarness.shipment()))
        XCTAssertEqual(job.state, .failed)
        XCTAssertTrue(job.lastError?.contains("read-only") == true, job.lastError ?? "")
        XCTAssertEqual(h.simulator.customerNotes(orderID: order.id).count, 0)
    }

    func testAcceptNeedsNothing() async throws {
        let h = try makeHarness()
        let order = try await h.seed()
        let job = try await h.process(try h.enqueue(order.id, .accept))
        XCTAssertEqual(job.state, .done)
        XCTAssertEqual(h.simulator.journal.filter { $0.method != "GET" }.count, 0)
    }
}
