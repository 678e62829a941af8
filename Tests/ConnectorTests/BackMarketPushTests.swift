import ChannelSimulator
import Foundation
import OrderSync
@testable import Connectors
import XCTest

/// Accept, cancel and ship through the Pusher, with exact request bodies from the simulator's journal.
final class BackMarketPushTests: BackMarketTestCase, @unchecked Sendable {
    // MARK: accept

    func testAcceptPostsOncePerListingThenVerifiesAndRepeatsNothing() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.init(lines: [.phone(state: 1, listing: "SKU-A"), .phone(state: 1, listing: "SKU-A"),
                                                   .laptop(state: 1, listing: "SKU-B")]))
        let id = order.orderID

        let job = try await h.process(try h.enqueue(id, .accept))

        XCTAssertEqual(job.state, .done, job.lastError ?? "")
        let posts = h.posts(id)
        XCTAssertEqual(posts.map(\.fields), [
            ["order_id": .number(id), "new_state": .number(2), "sku": .string("SKU-A")],
            ["order_id": .number(id), "new_state": .number(2), "sku": .string("SKU-B")],
        ])
        XCTAssertEqual(posts.map { $0.request.header("Content-Type") }, ["application/json", "application/json"])
        // Read first, then the posts, then read again to verify.
        XCTAssertEqual(h.simulator.requests().map(\.method), ["GET", "POST", "POST", "GET"])
        XCTAssertEqual(h.simulator.order(id)?.lines.map(\.state), [2, 2, 2])
        XCTAssertEqual(h.simulator.appliedEffects(orderID: id, kind: .accept).count, 2)
        XCTAssertEqual(try h.stored(id)?.status, .awaitingShipment, "the store holds the order as the channel shows it")

        // The same accept again (another job): only a read.
        h.simulator.clearJournal()
        let again = try await h.process(try h.enqueue(id, .accept, dedupeKey: "accept-again"))
        XCTAssertEqual(again.state, .done)
        XCTAssertTrue(again.result?.hasPrefix("already done") == true, again.result ?? "")
        XCTAssertEqual(h.simulator.requests().map(\.method), ["GET"])
        XCTAssertTrue(h.simulator.appliedEffects(orderID: id, kind: .accept).isEmpty)
    }

    // MARK: cancel

    func testCancelMovesPaidLinesTo4AndAcceptedLinesTo5() async throws {
        let h = try makeHarness()
        let paid = try await h.seed(.init(lines: [.phone(state: 1, listing: "SKU-A"), .laptop(state: 1, listing: "SKU-B")]))
        let accepted = try await h.seed(.init(lines: [.phone(state: 2, listing: "SKU-C")]))
        let mixed = try await h.seed(.init(lines: [.phone(state: 1, listing: "SKU-D"), .laptop(state: 2, listing: "SKU-E")]))

        for order in [paid, accepted, mixed] {
            let job = try await h.process(try h.enqueue(order.orderID, .cancel, payload: JobPayload(reason: "out of stock")))
            XCTAssertEqual(job.state, .done, job.lastError ?? "")
        }

        XCTAssertEqual(h.posts(paid.orderID).map(\.fields), [
            ["order_id": .number(paid.orderID), "new_state": .number(4), "sku": .string("SKU-A")],
            ["order_id": .number(paid.orderID), "new_state": .number(4), "sku": .string("SKU-B")],
        ])
        XCTAssertEqual(h.posts(accepted.orderID).map(\.fields), [
            ["order_id": .number(accepted.orderID), "new_state": .number(5), "sku": .string("SKU-C")],
        ])
        XCTAssertEqual(h.posts(mixed.orderID).map(\.fields), [
            ["order_id": .number(mixed.orderID), "new_state": .number(4), "sku": .string("SKU-D")],
            ["order_id": .number(mixed.orderID), "new_state": .number(5), "sku": .string("SKU-E")],
        ])
        XCTAssertEqual(h.simulator.order(paid.orderID)?.lines.map(\.state), [4, 4])
        XCTAssertEqual(h.simulator.order(accepted.orderID)?.lines.map(\.state), [5])
        XCTAssertEqual(h.simulator.order(mixed.orderID)?.lines.map(\.state), [4, 5])
        XCTAssertEqual(try h.stored(paid.orderID)?.status, .cancelled)
        XCTAssertFalse(h.simulator.requests().contains { $0.fields?["reason"] != nil }, "no reason field exists")
    }

    func testCancelOfAShippedOrderFailsWithoutAnyPost() async throws {
        let h = try makeHarness()
        let shipped = try await h.seed(.init(lines: [.phone(state: 3)], shipper: "Colissimo", trackingNumber: "6A999"))

        let job = try await h.process(try h.enqueue(shipped.orderID, .cancel))

        XCTAssertEqual(job.state, .failed)
        XCTAssertTrue(job.lastError?.contains("already shipped") == true, job.lastError ?? "")
        XCTAssertTrue(h.posts(shipped.orderID).isEmpty)
        XCTAssertEqual(h.simulator.order(shipped.orderID)?.lines.map(\.state), [3])
    }

    // MARK: ship

    func testShipSingleUnitPutsTheIMEIInTheShipBody() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.init(lines: [.phone(state: 2)]))
        let id = order.orderID
        let lineID = order.lines[0].id
        let imei = luhnIMEI("35693803564380")

        let job = try await h.process(try h.enqueue(id, .ship, payload: BackMarketHarness.shipment(
            lines: [ShipLine(lineID: String(lineID), imei: imei)])))

        XCTAssertEqual(job.state, .done, job.lastError ?? "")
        XCTAssertTrue(h.patches().isEmpty, "one line of quantity 1: no PATCH")
        XCTAssertEqual(h.posts(id).map(\.fields), [[
            "order_id": .number(id), "new_state": .number(3), "tracking_number": .string("6A12345678901"),
            "tracking_url": .string("https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901"),
            "shipper": .string("Colissimo"), "date_shipping": .string("2026-03-11T14:00:00Z"), "imei": .string(imei),
        ]])
        let after = try XCTUnwrap(h.simulator.order(id))
        XCTAssertEqual(after.lines[0].state, 3)
        XCTAssertEqual(after.lines[0].imei, imei)
        XCTAssertEqual(after.trackingNumber, "6A12345678901")
        XCTAssertEqual(try h.stored(id)?.status, .shipped)

        // The same shipment queued again: read, nothing sent.
        let seen = h.simulator.requests().count
        let again = try await h.process(try h.enqueue(id, .ship, dedupeKey: "ship-again", payload: BackMarketHarness.shipment(
            lines: [ShipLine(lineID: String(lineID), imei: imei)])))
        XCTAssertEqual(again.state, .done)
        XCTAssertTrue(again.result?.hasPrefix("already done") == true, again.result ?? "")
        XCTAssertEqual(h.simulator.requests().dropFirst(seen).map(\.method), ["GET"])
        XCTAssertEqual(h.simulator.appliedEffects(orderID: id, kind: .ship).count, 1)
    }

    func testShipMultiLinePatchesEachLineThenPostsOnceWithoutSku() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.init(lines: [.phone(state: 2), .laptop(state: 2)]))
        let id = order.orderID
        let (phone, laptop) = (order.lines[0].id, order.lines[1].id)
        let imei = luhnIMEI("49015420323751")

        let job = try await h.process(try h.enqueue(id, .ship, payload: BackMarketHarness.shipment(lines: [
            ShipLine(lineID: String(phone), imei: imei), ShipLine(lineID: String(laptop), serial: "C02XK1ZJJG5J"),
        ])))

        XCTAssertEqual(job.state, .done, job.lastError ?? "")
        let writes = h.simulator.requests().filter { $0.method != "GET" }
        XCTAssertEqual(writes.map { "\($0.method) \($0.path)" },
                       ["PATCH /ws/orderlines/\(phone)", "PATCH /ws/orderlines/\(laptop)", "POST /ws/orders/\(id)"])
        XCTAssertEqual(writes[0].fields, ["imei": .string(imei)])
        XCTAssertEqual(writes[1].fields, ["serial_number": .string("C02XK1ZJJG5J")])
        XCTAssertEqual(writes[2].fields, [
            "order_id": .number(id), "new_state": .number(3), "tracking_number": .string("6A12345678901"),
            "tracking_url": .string("https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901"),
            "shipper": .string("Colissimo"), "date_shipping": .string("2026-03-11T14:00:00Z"),
        ])
        let after = try XCTUnwrap(h.simulator.order(id))
        XCTAssertEqual(after.lines.map(\.state), [3, 3])
        XCTAssertEqual(after.lines.map(\.imei), [imei, ""])
        XCTAssertEqual(after.lines.map(\.serialNumber), ["", "C02XK1ZJJG5J"])

        // Repeated after success: no second POST, one ship effect in all.
        let again = try await h.process(try h.enqueue(id, .ship, dedupeKey: "ship-again", payload: BackMarketHarness.shipment(lines: [
            ShipLine(lineID: String(phone), imei: imei), ShipLine(lineID: String(laptop), serial: "C02XK1ZJJG5J"),
        ])))
        XCTAssertEqual(again.state, .done)
        XCTAssertEqual(h.posts(id).count, 1)
        XCTAssertEqual(h.patches().count, 2)
        XCTAssertEqual(h.simulator.appliedEffects(orderID: id, kind: .ship).count, 1)
    }

    func testShipSkipsThePatchOfALineAlreadyHoldingTheSameIMEI() async throws {
        let h = try makeHarness()
        let imei = luhnIMEI("35209900176148")
        let order = try await h.seed(.init(lines: [.phone(state: 2, imei: imei), .laptop(state: 2)]))
        let id = order.orderID

        let job = try await h.process(try h.enqueue(id, .ship, payload: BackMarketHarness.shipment(lines: [
            ShipLine(lineID: String(order.lines[0].id), imei: imei), ShipLine(lineID: String(order.lines[1].id), serial: "SN-42"),
        ])))

        XCTAssertEqual(job.state, .done, job.lastError ?? "")
        XCTAssertEqual(h.patches().map(\.path), ["/ws/orderlines/\(order.lines[1].id)"])
        XCTAssertEqual(h.simulator.appliedEffects(orderID: id, kind: .ship).count, 1)
    }

    func testShipWithADifferentIMEIThanTheLineHoldsFailsWithoutPosting() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.init(lines: [.phone(state: 2, imei: luhnIMEI("35209900176148")), .laptop(state: 2)]))
        let id = order.orderID

        let job = try await h.process(try h.enqueue(id, .ship, payload: BackMarketHarness.shipment(lines: [
            ShipLine(lineID: String(order.lines[0].id), imei: luhnIMEI("35693803564380")),
            ShipLine(lineID: String(order.lines[1].id), serial: "SN-42"),
        ])))

        XCTAssertEqual(job.state, .failed)
        XCTAssertTrue(job.lastError?.contains("another IMEI") == true, job.lastError ?? "")
        XCTAssertTrue(h.patches().isEmpty)
        XCTAssertTrue(h.posts(id).isEmpty)
        XCTAssertEqual(h.simulator.order(id)?.lines.map(\.state), [2, 2])
    }

    func testCrashBetweenPushAndMarkDoneDoesNotShipTwice() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.init(lines: [.phone(state: 2)]))
        let id = order.orderID
        let jobID = try h.enqueue(id, .ship, payload: BackMarketHarness.shipment())

        // The daemon marked the job running and pushed; it died before marking it done.
        XCTAssertTrue(try h.store.markRunning(jobID))
        let job = try XCTUnwrap(try h.store.job(id: jobID))
        let stored = try XCTUnwrap(try h.stored(id))
        let first = try await h.channel.push(job, order: stored)
        XCTAssertEqual(first.outcome, .pushed("shipped"))
        // At the next start, interrupted jobs go back to the queue.
        XCTAssertEqual(try h.store.requeueInterrupted(), 1)

        let finished = try await h.process(jobID)

        XCTAssertEqual(finished.state, .done)
        XCTAssertTrue(finished.result?.hasPrefix("already done") == true, finished.result ?? "")
        XCTAssertEqual(h.simulator.appliedEffects(orderID: id, kind: .ship).count, 1)
        XCTAssertEqual(h.posts(id).count, 1)
    }

    func testShipWithAnotherTrackingNumberOnAShippedOrderIsAConflict() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.init(lines: [.phone(state: 3)], shipper: "UPS", trackingNumber: "1Z999"))

        let job = try await h.process(try h.enqueue(order.orderID, .ship, payload: BackMarketHarness.shipment()))

        XCTAssertEqual(job.state, .failed)
        XCTAssertTrue(job.lastError?.contains("another tracking number") == true, job.lastError ?? "")
        XCTAssertTrue(h.posts(order.orderID).isEmpty)
    }

    // MARK: Pusher outcomes

    func testShipRefusedByTheChannelFailsWithItsMessage() async throws {
        let h = try makeHarness { $0.knownShippers = Set(BackMarketSimulator.specShippers) }
        let order = try await h.seed(.init(lines: [.phone(state: 2)]))

        let job = try await h.process(try h.enqueue(order.orderID, .ship,
                                                    payload: BackMarketHarness.shipment(carrierName: "Poste Magique")))

        XCTAssertEqual(job.state, .failed)
        XCTAssertTrue(job.lastError?.contains("HTTP 400") == true, job.lastError ?? "")
        XCTAssertTrue(job.lastError?.contains("shipper Poste Magique is not a valid shipper") == true, job.lastError ?? "")
        XCTAssertEqual(h.posts(order.orderID).count, 1, "a permanent error is not retried")
        XCTAssertTrue(h.simulator.appliedEffects(orderID: order.orderID).isEmpty)
    }

    func testRetryableFailureReschedulesAndKeepsTheError() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.init(lines: [.phone(state: 2)]))
        let jobID = try h.enqueue(order.orderID, .ship, payload: BackMarketHarness.shipment())
        h.simulator.injectFault(.serverError(status: 503), count: 3, method: "GET", pathPrefix: "/ws/orders/")
        let before = Date()

        let job = try await h.process(jobID)

        XCTAssertEqual(job.state, .queued)
        XCTAssertEqual(job.attempts, 1)
        XCTAssertGreaterThan(job.nextAttemptAt, before.addingTimeInterval(3), "backoff: next attempt in the future")
        XCTAssertTrue(job.lastError?.contains("HTTP 503") == true, job.lastError ?? "")
        XCTAssertTrue(h.posts(order.orderID).isEmpty)
        XCTAssertTrue(try h.store.dueJobs(channel: BackMarketHarness.channelID).isEmpty, "not due before its time")

        h.simulator.faultsOff()
        let done = try await h.process(jobID)
        XCTAssertEqual(done.state, .done, done.lastError ?? "")
        XCTAssertEqual(done.attempts, 2)
        XCTAssertEqual(h.simulator.appliedEffects(orderID: order.orderID, kind: .ship).count, 1)
    }

    func testShipOfAnOrderCancelledOnTheChannelIsDropped() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.init(lines: [.phone(state: 2), .laptop(state: 2)]))
        // The buyer's cancellation went through on Back Market before we shipped.
        h.simulator.setLineState(orderID: order.orderID, to: 5)

        let job = try await h.process(try h.enqueue(order.orderID, .ship, payload: BackMarketHarness.shipment()))

        XCTAssertEqual(job.state, .dropped, job.result ?? job.lastError ?? "")
        XCTAssertTrue(h.posts(order.orderID).isEmpty)
        XCTAssertTrue(h.patches().isEmpty)
    }

    func testAcceptOfAnOrderCancelledOnTheChannelIsDropped() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.init(lines: [.phone(state: 1)]))
        h.simulator.setLineState(orderID: order.orderID, to: 4)

        let job = try await h.process(try h.enqueue(order.orderID, .accept))

        XCTAssertEqual(job.state, .dropped, job.lastError ?? "")
        XCTAssertTrue(h.posts(order.orderID).isEmpty)
    }

    func testShipWithSomeLinesCancelledOnTheChannelIsHeldNotShipped() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.init(lines: [.phone(state: 2), .laptop(state: 2)]))
        let cancelledLine = order.lines[1].id
        h.simulator.setLineState(orderID: order.orderID, lineID: cancelledLine, to: 5)

        let job = try await h.process(try h.enqueue(order.orderID, .ship, payload: BackMarketHarness.shipment()))

        XCTAssertEqual(job.state, .failed, "held for the operator")
        XCTAssertTrue(job.lastError?.contains("held: line(s) \(cancelledLine) were cancelled") == true, job.lastError ?? "")
        XCTAssertTrue(job.lastError?.contains("new_state 3 ships every line") == true, job.lastError ?? "")
        XCTAssertTrue(h.posts(order.orderID).isEmpty, "new_state 3 would ship the cancelled line too")
        XCTAssertEqual(h.simulator.order(order.orderID)?.lines.map(\.state), [2, 5])
    }
}
