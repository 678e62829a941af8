import ChannelSimulator
import Foundation
import OrderSync
@testable import Connectors
import XCTest

/// A store that moved (`shop.com` → `www.shop.com`): reads follow the redirect, writes never do, and a
/// write counts as done only when the store names what it created. Two simulators over real sockets.
final class WooCommerceRedirectTests: WooCommerceTestCase, @unchecked Sendable {
    /// The harness's store redirecting every request to a second store holding the same order.
    private func movedStore(tracking: WooCommerceSettings.Tracking = .note, auth: WooCommerceSettings.Auth = .basic,
                            status: Int = 301) async throws -> (WooCommerceHarness, WooCommerceSimulator, Int) {
        let h = try makeHarness(tracking: tracking, auth: auth)
        let order = try await h.seed()
        let moved = WooCommerceSimulator(keys: [WooCommerceHarness.key])
        try moved.start()
        addTeardownBlock { moved.stop() }
        var copy = try XCTUnwrap(h.simulator.order(order.id))
        copy.notes = []
        _ = moved.addOrder(copy)
        XCTAssertNotNil(moved.order(order.id))
        h.simulator.updateConfiguration { $0.redirectEverythingTo = moved.baseURL; $0.redirectStatus = status }
        return (h, moved, order.id)
    }

    func testRedirectOnANotePostIsNotFollowedAndNamesTheLocation() async throws {
        let (h, moved, id) = try await movedStore()
        let job = try await h.process(try h.enqueue(id, .ship, payload: WooCommerceHarness.shipment()))
        XCTAssertEqual(job.state, .failed, "a moved store is a configuration fault, not done: \(job.result ?? "")")
        let error = job.lastError ?? ""
        XCTAssertTrue(error.contains(moved.baseURL.absoluteString + "/wp-json/wc/v3/orders/\(id)/notes"), "names the Location: \(error)")
        XCTAssertTrue(error.contains("set base_url to \(moved.baseURL.absoluteString)"), error)
        XCTAssertTrue(moved.customerNotes(orderID: id).isEmpty && h.simulator.customerNotes(orderID: id).isEmpty)
        XCTAssertEqual(moved.requests(method: "POST").count, 0, "the POST is not re-sent to the new site")
        XCTAssertTrue(moved.requests(method: "GET").contains { $0.path.hasSuffix("/notes") }, "reads do follow the redirect")
        XCTAssertFalse(h.everythingLogged().contains(WooCommerceHarness.key.consumerSecret))
    }

    func testRedirectOnATrackingPostWithQueryAuthHidesTheCredentials() async throws {
        let (h, moved, id) = try await movedStore(tracking: .shipmentTracking, auth: .query, status: 302)
        let job = try await h.process(try h.enqueue(id, .ship, payload: WooCommerceHarness.shipment()))
        XCTAssertEqual(job.state, .failed, job.result ?? "")
        let error = job.lastError ?? ""
        XCTAssertTrue(error.contains("HTTP 302"), error)
        XCTAssertTrue(error.contains(moved.baseURL.absoluteString + "/wp-json/wc-shipment-tracking/v3/orders/\(id)/shipment-trackings"), error)
        XCTAssertTrue(error.contains("set base_url to \(moved.baseURL.absoluteString)"), error)
        XCTAssertFalse(error.contains(WooCommerceHarness.key.consumerSecret) || error.contains("consumer_key"),
                       "the Location's query (the credentials) is not repeated: \(error)")
        XCTAssertTrue(moved.trackings(orderID: id).isEmpty && h.simulator.trackings(orderID: id).isEmpty)
        XCTAssertEqual(moved.requests(method: "POST").count, 0)
    }

    func testNotePostAnsweredWithoutANoteIDIsNotDone() async throws {
        let h = try makeHarness()
        let order = try await h.seed()
        h.simulator.injectFault(.replyInstead(status: 200, body: "[]"), count: 1, method: "POST")
        let jobID = try h.enqueue(order.id, .ship, payload: WooCommerceHarness.shipment())
        let first = try await h.process(jobID)
        XCTAssertEqual(first.state, .queued, "no note id in the reply: not done, retried later")
        XCTAssertTrue(first.lastError?.contains("no id") == true, first.lastError ?? "")
        XCTAssertTrue(h.simulator.customerNotes(orderID: order.id).isEmpty)
        let job = try await h.drain(jobID)
        XCTAssertEqual(job.state, .done, job.lastError ?? "")
        XCTAssertEqual(h.simulator.customerNotes(orderID: order.id).count, 1)
    }

    func testTrackingPostAnsweredWithoutATrackingIDIsNotDone() async throws {
        let h = try makeHarness(tracking: .shipmentTracking)
        let order = try await h.seed()
        h.simulator.injectFault(.replyInstead(status: 201, body: "{\"tracking_number\":\"6A12345678901\"}"), count: 1, method: "POST")
        let jobID = try h.enqueue(order.id, .ship, payload: WooCommerceHarness.shipment())
        let first = try await h.process(jobID)
        XCTAssertEqual(first.state, .queued, "no tracking_id in the reply: not done")
        XCTAssertTrue(first.lastError?.contains("tracking_id") == true, first.lastError ?? "")
        let job = try await h.drain(jobID)
        XCTAssertEqual(job.state, .done, job.lastError ?? "")
        XCTAssertEqual(h.simulator.trackings(orderID: order.id).count, 1)
    }
}
