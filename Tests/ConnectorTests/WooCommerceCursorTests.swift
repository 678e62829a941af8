import ChannelSimulator
import Foundation
import OrderSync
@testable import Connectors
import XCTest

/// The WooCommerce cursor holds positions, not sets: which orders are followed is the orders table's to say.
final class WooCommerceCursorTests: WooCommerceTestCase, @unchecked Sendable {
    func testTheCursorStaysUnder1KBAfterImporting10kOrders() async throws {
        let h = try makeHarness()
        h.simulator.generateOrders(count: 10_000, seed: 7)
        try await h.poller.pollOnce(now: Date().addingTimeInterval(2))
        let stored = try h.store.orders(channel: WooCommerceHarness.channelID).count
        XCTAssertGreaterThan(stored, 5_000, "most generated orders are processing and imported")
        let cursor = try XCTUnwrap(try h.store.cursor(channel: WooCommerceHarness.channelID))
        XCTAssertLessThan(cursor.utf8.count, 1024, cursor)
        XCTAssertFalse(cursor.contains("known"), cursor)
    }

    func testAnOrderStoredByAPollThatLaterFailedIsStillFollowed() async throws {
        let h = try makeHarness()
        let order = h.simulator.addOrder(WooCommerceHarness.order())
        let ingest = h.ingest, simulator = h.simulator
        // The first page is stored, then every request fails: the poll fails and saves no cursor.
        do {
            _ = try await h.channel.poll(cursor: nil, now: Date()) { page in
                try ingest.store(page)
                simulator.injectFault(.serverError(status: 500), count: 100)
            }
            XCTFail("the poll should have failed")
        } catch {}
        XCTAssertNil(try h.store.cursor(channel: WooCommerceHarness.channelID))
        XCTAssertEqual(try h.stored(order.id)?.status, .awaitingShipment)
        h.simulator.faultsOff()
        // Completed is not in `statuses`: only an order ordersync already stores is updated to it.
        h.simulator.setStatus(order.id, "completed")
        try await h.poller.pollOnce(now: Date().addingTimeInterval(2))
        XCTAssertEqual(try h.stored(order.id)?.status, .completed, "the stored order is followed though no cursor recorded it")
    }
}
