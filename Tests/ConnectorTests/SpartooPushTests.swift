import ChannelSimulator
import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// Accept, cancel, ship and slips against the simulator: what is sent, exactly once, escaping, slips.
final class SpartooPushTests: SpartooTestCase, @unchecked Sendable {
    func testAcceptReadsFirstSendsStatut2OnceAndRepeatsNothing() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.new(site: "fr"))
        let job = try h.enqueue(order.id, .accept)
        let done = try await h.process(job)
        XCTAssertEqual(done.state, .done, done.lastError ?? "")
        XCTAssertEqual(h.simulator.journal.map(\.script), ["xml_export_orders.php", "xml_maj_orders.php", "xml_export_orders.php"],
                       "read, update, read back")
        let update = try XCTUnwrap(h.updates().first)
        XCTAssertEqual(update.parameters, ["partenaire": SpartooConnectorHarness.partner, "oID": order.id, "statut": "2"])
        XCTAssertEqual(update.bodyKind, .urlencoded)
        XCTAssertEqual(try h.stored(order.id)?.status, .awaitingShipment)
        // The same job again (as after a crash between the push and the commit): read, nothing sent.
        try h.store.db.execute("UPDATE jobs SET state = 'queued' WHERE id = ?", [.int(job)])
        h.simulator.clearJournal()
        let again = try await h.process(job)
        XCTAssertEqual(again.state, .done)
        XCTAssertTrue(again.result?.contains("already") == true, again.result ?? "")
        XCTAssertTrue(h.updates().isEmpty)
        XCTAssertEqual(h.simulator.appliedEffects(orderID: order.id, kind: .accept).count, 0, "journal cleared; none since")
    }

    func testShipSendsStatut3WithTheTrackingNumberEscaped() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.new(site: "es", status: 2))
        let job = try h.enqueue(order.id, .ship, dedupeKey: "T", payload: SpartooConnectorHarness.shipment("6A 12&34é"))
        let processed1 = try await h.process(job)
        XCTAssertEqual(processed1.state, .done)
        let effects = h.simulator.appliedEffects(orderID: order.id, site: "es", kind: .ship)
        XCTAssertEqual(effects.count, 1)
        XCTAssertEqual(effects.first?.details["tracking_number"], "6A12&34é", "spaces dropped; & and é survive")
        let update = try XCTUnwrap(h.updates(site: "es").first)
        XCTAssertEqual(Set(update.parameters.keys), ["partenaire", "oID", "statut", "tracking_number"],
                       "no carrier or URL: Spartoo takes none")
        XCTAssertTrue(String(decoding: update.request.body, as: UTF8.self).contains("tracking_number=6A12%2634%C3%A9"))
        XCTAssertEqual(try h.stored(order.id)?.status, .shipped)
        XCTAssertEqual(try h.stored(order.id)?.extra["tracking_number"], "6A12&34é")
    }

    func testShipOnAnOrderStillNewAcceptsItFirst() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.new(site: "fr"))
        let job = try h.enqueue(order.id, .ship, dedupeKey: "T", payload: SpartooConnectorHarness.shipment("TRK1"))
        let done = try await h.process(job)
        XCTAssertEqual(done.state, .done)
        XCTAssertEqual(done.result, "status set to 2 then 3")
        XCTAssertEqual(h.simulator.appliedEffects(orderID: order.id).map(\.kind), [.accept, .ship])
    }

    func testShippedWithAnotherTrackingNumberIsAConflict() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.new(site: "fr", status: 3))
        let same = try h.enqueue(order.id, .ship, dedupeKey: "A", payload: SpartooConnectorHarness.shipment("6A000"))
        let processed2 = try await h.process(same)
        XCTAssertEqual(processed2.state, .done)
        let other = try h.enqueue(order.id, .ship, dedupeKey: "B", payload: SpartooConnectorHarness.shipment("OTHER"))
        let failed = try await h.process(other)
        XCTAssertEqual(failed.state, .failed)
        XCTAssertTrue(failed.lastError?.contains("another tracking number") == true, failed.lastError ?? "")
        XCTAssertTrue(h.updates().isEmpty)
    }

    func testCancelFromNewOrAcceptedRefusedAfterShipping() async throws {
        let h = try makeHarness()
        let fresh = try await h.seed(.new(site: "fr"))
        let processed3 = try await h.process(try h.enqueue(fresh.id, .cancel))
        XCTAssertEqual(processed3.state, .done)
        XCTAssertEqual(h.updates().first?.parameters["statut"], "41")
        XCTAssertEqual(try h.stored(fresh.id)?.status, .cancelled)
        let processed4 = try await h.process(try h.enqueue(fresh.id, .cancel, dedupeKey: "again"))
        XCTAssertEqual(processed4.result?.contains("already"), true)

        let shipped = try await h.seed(.new(site: "fr", status: 3))
        let refused = try await h.process(try h.enqueue(shipped.id, .cancel))
        XCTAssertEqual(refused.state, .failed)
        XCTAssertTrue(refused.lastError?.contains("already shipped") == true, refused.lastError ?? "")
        XCTAssertTrue(h.updates().isEmpty, "nothing sent for an impossible move")

        let cancelled = try await h.seed(.new(site: "fr", status: 41))
        let processed5 = try await h.process(try h.enqueue(cancelled.id, .accept))
        XCTAssertEqual(processed5.state, .dropped, "accepting a cancelled order is obsolete")
    }

    func testServerErrorAfterApplyingThenRetryReadsFirst() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.new(site: "fr", status: 2))
        h.simulator.injectFault(.serverErrorAfterApplying(status: 502), script: "xml_maj_orders.php")
        let job = try h.enqueue(order.id, .ship, dedupeKey: "T", payload: SpartooConnectorHarness.shipment("TRK-502"))
        let processed6 = try await h.process(job)
        XCTAssertEqual(processed6.state, .queued, "retryable: rescheduled, not resent in-call")
        XCTAssertEqual(h.updates().count, 1)
        try h.store.reschedule(job, at: Date(), error: "test: now")
        let done = try await h.process(job)
        XCTAssertEqual(done.state, .done)
        XCTAssertTrue(done.result?.contains("already") == true)
        XCTAssertEqual(h.updates().count, 1, "the retry read the order and sent nothing")
        XCTAssertEqual(h.simulator.appliedEffects(orderID: order.id, kind: .ship).count, 1)
    }

    func testFetchSlipsWritesThePDFOnceAfterAccept() async throws {
        let h = try makeHarness(fetchSlips: true)
        let order = try await h.seed(.new(site: "es", lines: 2))
        let job = try h.enqueue(order.id, .accept)
        let processed7 = try await h.process(job)
        XCTAssertEqual(processed7.state, .done)
        let file = h.slipsDirectory.appendingPathComponent("spartoo-eu:\(order.id).pdf")
        let pdf = try Data(contentsOf: file)
        XCTAssertTrue(pdf.starts(with: Array("%PDF".utf8)))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: h.slipsDirectory.path), [file.lastPathComponent],
                       "atomic write: no temporary file left")
        let slipCall = try XCTUnwrap(h.simulator.requests(script: "xml_export_bl.php", site: "es").first)
        let request = try XCTUnwrap(SlipRequest.parse(slipCall.parameters["xml"] ?? ""))
        XCTAssertEqual(request.orderID, order.id)
        XCTAssertEqual(request.products.map(\.reference), ["REF-1", "REF-2"], "the partner's product-level reference")
        XCTAssertEqual(request.products.map(\.quantity), [1, 2])
        try h.store.db.execute("UPDATE jobs SET state = 'queued' WHERE id = ?", [.int(job)])
        let processed8 = try await h.process(job)
        XCTAssertEqual(processed8.state, .done)
        XCTAssertEqual(h.simulator.requests(script: "xml_export_bl.php").count, 1, "a slip already saved is not fetched again")
    }

    func testDeliverySlipOnTheOrdersSiteAndItsErrors() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.new(site: "es", status: 2))
        let stored = try XCTUnwrap(try h.stored(order.id))
        let pdf = try await h.channel.deliverySlip(for: stored)
        XCTAssertTrue(pdf.starts(with: Array("%PDF".utf8)))
        XCTAssertEqual(h.simulator.requests(script: "xml_export_bl.php").map(\.site), ["es"])
        var elsewhere = stored
        elsewhere.site = "fr"
        do {
            _ = try await h.channel.deliverySlip(for: elsewhere)
            XCTFail("−6 on the wrong site")
        } catch let error as ChannelError {
            XCTAssertEqual(error.kind, .permanent)
            XCTAssertTrue(error.message.contains("not found"), error.message)
        }
    }

    func testPartnerIDNeverInURLsErrorsOrLogs() async throws {
        let h = try makeHarness(partnerID: "FEEDFACE00000000")
        h.simulator.addOrder(.new())
        do {
            try await h.poller.pollOnce()
            XCTFail("unknown partner must fail")
        } catch let error as ChannelError {
            XCTAssertEqual(error.kind, .unauthorized, "−2 flags the channel, no retry loop")
            XCTAssertFalse(error.description.contains("FEEDFACE"))
        }
        XCTAssertEqual(h.simulator.journal.count, 2, "one call per site, no in-call retry of −2")
        XCTAssertTrue(h.simulator.journal.allSatisfy { $0.request.rawQuery.isEmpty && !$0.request.path.contains("FEEDFACE") })
        XCTAssertFalse(try h.visibleText().contains("FEEDFACE"))
    }

    func testHourlyQuotaPausesTheHostUntilTheNextHour() async throws {
        let h = try makeHarness(sites: ["fr"]) { $0.hourlyQuota = 1 }
        try await h.poller.pollOnce()
        do {
            try await h.poller.pollOnce()
            XCTFail("−429 expected")
        } catch let error as ChannelError {
            guard case .retryable(let after?) = error.kind else { return XCTFail("\(error.kind)") }
            let toHour = SpartooTime.nextFullHour(after: Date()).timeIntervalSinceNow
            XCTAssertGreaterThanOrEqual(after, toHour)
            XCTAssertLessThanOrEqual(after, toHour + 61)
        }
        let calls = h.simulator.requestCount
        do {
            _ = try await h.channel.fetchOrder(externalID: "fr/0000000000000000")
            XCTFail("paused")
        } catch let error as ChannelError {
            XCTAssertTrue(error.isRetryable)
        }
        XCTAssertEqual(h.simulator.requestCount, calls, "no call while the host is paused")
        XCTAssertTrue(h.logs.entries.contains { $0.message == "spartoo quota reached" })
    }

    func testADroppedConnectionIsRetried() async throws {
        let h = try makeHarness(sites: ["fr"])
        let order = h.simulator.addOrder(.new())
        h.simulator.injectFault(.dropConnection, script: "xml_export_orders.php")
        let read = try await h.channel.fetchOrder(externalID: order.id)
        XCTAssertEqual(read?.order.ref.externalID, order.id)
        XCTAssertEqual(h.simulator.journal.compactMap(\.fault), ["drop-connection"])
    }

    func testRandomFaultsConvergeExactlyOnce() async throws {
        let h = try makeHarness()
        let orders = (0..<4).map { h.simulator.addOrder(.new(site: $0 % 2 == 0 ? "fr" : "es")) }
        h.simulator.injectRandomFaults(probability: 0.4, faults: [.serverError(status: 500), .serverErrorAfterApplying(status: 503),
                                                                  .truncatedBody, .malformedXML, .htmlPage], seed: 5)
        var polled = false
        for _ in 0..<30 where !polled {
            polled = (try? await h.poller.pollOnce()) != nil
        }
        XCTAssertTrue(polled)
        for order in orders {
            let ref = "\(order.id)"
            _ = try h.enqueue(ref, .accept)
            _ = try h.enqueue(ref, .ship, dedupeKey: "T", payload: SpartooConnectorHarness.shipment("T-\(order.id.prefix(4))"))
        }
        for _ in 0..<60 {
            let due = try h.store.dueJobs(channel: SpartooConnectorHarness.channelID, now: .distantFuture)
            if due.isEmpty { break }
            for job in due {
                try await h.pusher.process(job)
                if try h.store.job(id: job.id)?.state == .queued { try h.store.reschedule(job.id, at: Date(), error: "test") }
            }
        }
        for order in orders {
            XCTAssertEqual(h.simulator.appliedEffects(orderID: order.id, kind: .accept).count, 1, order.id)
            XCTAssertEqual(h.simulator.appliedEffects(orderID: order.id, kind: .ship).count, 1, order.id)
            XCTAssertEqual(h.simulator.order(site: order.site, id: order.id)?.status, 3)
        }
        XCTAssertEqual(try h.store.jobs(states: [.failed]).count, 0)
    }
}
