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

    func testTheCursorHoldsNoReturnIDsAndAnOpenReturnOlderThanTheListingIsStillReread() async throws {
        let h = try makeHarness(followsReturns: true)
        let order = h.simulator.addOrder(.init(site: "fr", status: 3, trackingNumber: "6A300"))
        let esOrder = h.simulator.addOrder(.init(site: "es", status: 3, trackingNumber: "6A301"))
        let now = Date()
        h.simulator.addReturn(.init(site: "fr", returnID: "R50", orderID: order.id, status: 2, createdAt: now.addingTimeInterval(-86_400)))
        h.simulator.addReturn(.init(site: "es", returnID: "R51", orderID: esOrder.id, status: 14, createdAt: now.addingTimeInterval(-86_400)))
        h.simulator.addReturn(.init(site: "fr", returnID: "R52", orderID: order.id, status: 7, createdAt: now.addingTimeInterval(-86_400)))
        try await h.poller.pollOnce(now: now)
        let cursor = try XCTUnwrap(try h.store.cursor(channel: SpartooConnectorHarness.channelID))
        for id in ["R50", "R51", "R52", "open_returns"] { XCTAssertFalse(cursor.contains(id), cursor) }
        XCTAssertEqual(try h.store.storedReturn("spartoo-eu:R50")?.value.status, .waitingForReceipt)
        XCTAssertEqual(try h.store.storedReturn("spartoo-eu:es/R51")?.value.status, .waitingForLabel)
        XCTAssertTrue(h.simulator.requests(script: "xml_export_returns.php").allSatisfy { $0.parameters["rID"] == nil },
                      "returns the walk listed are not read again")

        // A month later the returns are past the 30-day listing; Spartoo has moved two of them.
        let later = now.addingTimeInterval(40 * 86_400)
        h.simulator.setReturnStatus("R50", to: 4)
        h.simulator.setReturnStatus(site: "es", "R51", to: 2)
        try await h.poller.pollOnce(now: later)
        XCTAssertEqual(try h.store.storedReturn("spartoo-eu:R50")?.value.status, .accepted)
        XCTAssertEqual(try h.store.storedReturn("spartoo-eu:es/R51")?.value.status, .waitingForReceipt)
        let reads = h.simulator.requests(script: "xml_export_returns.php").compactMap { $0.parameters["rID"] }
        XCTAssertEqual(reads.sorted(), ["R50", "R51"], "open returns re-read by rID, the refunded one not")

        // Accepted (4) still moves to refunded (7) on Spartoo: followed until then.
        h.simulator.setReturnStatus("R50", to: 7)
        try await h.poller.pollOnce(now: later.addingTimeInterval(60))
        XCTAssertEqual(try h.store.storedReturn("spartoo-eu:R50")?.value.status, .refunded)
        XCTAssertFalse(try XCTUnwrap(try h.store.cursor(channel: SpartooConnectorHarness.channelID)).contains("R5"))
    }

    func testACursorSavedWithOpenReturnsStillDecodesItsWindows() throws {
        let saved = #"{"open_returns":{"fr":["R1","R2"]},"sites":{"fr":{"last_success":"2026-11-30T10:00:00Z","window_start":"2026-11-20T10:00:00Z"}}}"#
        let cursor = SpartooCursor.decode(saved)
        XCTAssertEqual(cursor.sites["fr"]?.lastSuccess, Timestamp.parse("2026-11-30T10:00:00Z"))
        XCTAssertFalse(try cursor.encoded().contains("open_returns"))
    }
}
