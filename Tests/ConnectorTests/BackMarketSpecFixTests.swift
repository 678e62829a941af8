import ChannelSimulator
import Foundation
import OrderSync
@testable import Connectors
import XCTest

/// Behaviour Back Market's published spec asks for (issue 12): shipper names sent as written, only WAF 403s
/// retried, and a write answered 2xx without JSON judged by reading the order back.
final class BackMarketSpecFixTests: BackMarketTestCase, @unchecked Sendable {
    // MARK: shippers

    func testShipperOutsideTheOldListIsSentAsWritten() async throws {
        let h = try makeHarness()
        for (index, name) in ["DPD FR", "GLS - FR", "ColisPrivé", "Post NL", "Hermes - DE", "A carrier of our own"].enumerated() {
            let seeded = try await h.seed(.init(lines: [.laptop(state: 2)]))
            let stored = try XCTUnwrap(try h.stored(seeded.orderID))
            let planner = ShipmentPlanner(channelType: .backmarket, capabilities: ChannelFactory.capabilities(of: .backmarket),
                                          carriers: ["c": CarrierConfig(key: "c", names: ["backmarket": name])], enforceIMEI: true)

            let request = try planner.plan(ShipmentInput(trackingNumber: "6A\(index)0000001", carrierKey: "c"), order: stored,
                                           acceptQueued: false)
            let job = try await h.process(try h.enqueue(seeded.orderID, .ship, payload: JobPayload(shipment: request)))

            XCTAssertEqual(request.carrierName, name)
            XCTAssertEqual(job.state, .done, job.lastError ?? "")
            XCTAssertEqual(h.posts(seeded.orderID).map { $0.jsonBody?["shipper"] as? String }, [name])
        }
    }

    func testShipperRefusedByBackMarketFailsTheJobWithItsText() async throws {
        let h = try makeHarness { $0.knownShippers = Set(BackMarketSimulator.specShippers) }
        let order = try await h.seed(.init(lines: [.laptop(state: 2)]))

        let job = try await h.process(try h.enqueue(order.orderID, .ship, payload: BackMarketHarness.shipment(carrierName: "Mondial Relay")))

        XCTAssertEqual(job.state, .failed)
        XCTAssertTrue(job.lastError?.contains("HTTP 400: shipper Mondial Relay is not a valid shipper") == true, job.lastError ?? "")
        XCTAssertEqual(h.posts(order.orderID).count, 1, "refused once, not retried")
    }

    // MARK: 403

    func testNonWAF403IsPermanentAndKeepsItsText() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.init(lines: [.laptop(state: 2)]))
        h.simulator.injectFault(.forbidden(message: "You are not allowed to update this order"), count: 1, method: "POST")

        let job = try await h.process(try h.enqueue(order.orderID, .ship, payload: BackMarketHarness.shipment()))

        XCTAssertEqual(job.state, .failed, "a permanent failure is not rescheduled")
        XCTAssertTrue(job.lastError?.contains("HTTP 403: You are not allowed to update this order") == true, job.lastError ?? "")
        XCTAssertEqual(h.posts(order.orderID).count, 1, "not retried within the call")
        XCTAssertEqual(h.posts(order.orderID).first?.fault, "forbidden-403")

        // The same refusal on a read fails the poll as permanent, with its text.
        h.simulator.injectFault(.forbidden(message: "Merchant account suspended"), count: 1, method: "GET")
        do {
            try await h.poller.pollOnce()
            XCTFail("the poll must fail")
        } catch let error as ChannelError {
            XCTAssertEqual(error.kind, .permanent)
            XCTAssertEqual(error.httpStatus, 403)
            XCTAssertTrue(error.message.contains("Merchant account suspended"), error.message)
        }
    }

    // MARK: empty 2xx on writes

    func testEmptyTwoHundredOnAWriteIsReadBack() async throws {
        let h = try makeHarness()
        let toShip = try await h.seed(.init(lines: [.laptop(state: 2)]))
        let toAccept = try await h.seed(.init(lines: [.laptop(state: 1)]))
        let toCancel = try await h.seed(.init(lines: [.laptop(state: 1)]))
        let imei = luhnIMEI("35693803564380")
        let toPatch = try await h.seed(.init(lines: [.phone(state: 2), .laptop(state: 2)]))
        let phoneLine = String(toPatch.lines[0].id)
        h.simulator.clearJournal()

        for (order, kind, payload) in [(toShip, JobKind.ship, BackMarketHarness.shipment()), (toAccept, .accept, JobPayload()),
                                       (toCancel, .cancel, JobPayload()),
                                       (toPatch, .ship, BackMarketHarness.shipment(lines: [ShipLine(lineID: phoneLine, imei: imei)]))] {
            h.simulator.faultsOff()
            h.simulator.injectFault(.emptySuccessAfterApplying, count: 1, method: "POST")
            if order.orderID == toPatch.orderID { h.simulator.injectFault(.emptySuccessAfterApplying, count: 1, method: "PATCH") }

            let job = try await h.process(try h.enqueue(order.orderID, kind, payload: payload))

            XCTAssertEqual(job.state, .done, "\(kind) \(order.orderID): \(job.lastError ?? "")")
            let effects = h.simulator.appliedEffects(orderID: order.orderID).filter { $0.kind != .patchLine }
            XCTAssertEqual(effects.count, 1, "\(kind): applied once")
            let requests = h.simulator.journal.filter { $0.path.hasPrefix("/ws/orders/\(order.orderID)") }
            XCTAssertEqual(requests.last?.method, "GET", "\(kind): the order was read back after the empty reply")
        }
        XCTAssertEqual(h.simulator.order(toPatch.orderID)?.lines[0].imei, imei)
        XCTAssertEqual(h.simulator.journal.filter { $0.fault == "empty-200-after-applying" }.count, 5)
    }

    func testEmptyTwoHundredOnAWriteThatWasNotAppliedIsRetried() async throws {
        // A Back Market stand-in that answers every POST 200 with no body and never applies it.
        let orderObject: [String: Any] = [
            "order_id": 40_000_009, "state": 3, "currency": "EUR", "price": "749.00", "shipping_price": "0.00",
            "date_creation": "2026-03-10T08:00:00Z", "date_modification": "2026-03-10T09:00:00Z",
            "shipping_address": ["first_name": "Jean", "last_name": "Dupont", "street": "10 rue X", "postal_code": "75003",
                                 "city": "Paris", "country": "FR"],
            "orderlines": [["id": 51_000_009, "state": 2, "listing": "SKU-MBA", "product": "MacBook Air", "quantity": 1,
                            "price": "749.00", "condition": 10, "imei": "", "serial_number": ""]],
        ]
        let order = try JSONSerialization.data(withJSONObject: orderObject)
        let server = HTTPServer { request in
            guard request.path == "/ws/orders/40000009" else { return .json(404, ["detail": "Not found."]) }
            return request.method == "POST" ? .json(200, Data()) : .json(200, order)
        }
        try server.start()
        defer { server.stop() }
        let h = try makeHarness(baseURL: URL(string: "http://127.0.0.1:\(server.port)")!)
        let read = try await h.channel.fetchOrder(externalID: "40000009")
        let fetched = try XCTUnwrap(read)
        _ = try h.store.upsert(fetched.order, raw: fetched.raw)

        let job = try await h.process(try h.enqueue(40_000_009, .ship, payload: BackMarketHarness.shipment()))

        XCTAssertEqual(job.state, .queued, "retried later, not marked done")
        XCTAssertTrue(job.lastError?.contains("not JSON and the order is not shipped") == true, job.lastError ?? "")
    }
}
