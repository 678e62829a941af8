import ChannelSimulator
import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// The Spartoo cursor holds positions, not sets: which open orders are re-read is the orders table's to say.
final class SpartooCursorTests: SpartooTestCase, @unchecked Sendable {
    func testTheCursorStaysUnder1KBAfterImporting10kOrders() async throws {
        // Two replies of 5,000 orders each: a generous timeout on a loaded machine.
        let h = try SpartooConnectorHarness(timeout: 120)
        defer { h.close() }
        h.simulator.generateOrders(count: 10_000, seed: 7)
        try await h.poller.pollOnce()
        let orders = try h.store.orders(channel: SpartooConnectorHarness.channelID)
        XCTAssertGreaterThan(orders.count, 5_000, "most generated orders are in the window and imported")
        XCTAssertGreaterThan(orders.filter { !$0.status.isFinal }.count, 1_000, "many imported orders are open")
        let cursor = try XCTUnwrap(try h.store.cursor(channel: SpartooConnectorHarness.channelID))
        XCTAssertLessThan(cursor.utf8.count, 1024, cursor)
    }
}
