import ChannelSimulator
import Foundation
import XCTest

@testable import OrderSync

/// Every connector re-reads unchanged orders by design (Spartoo's 10-day export, Back Market's 24 h
/// overlap, WooCommerce's 5 min overlap). Over real sockets: a second poll still reads every listing but
/// hands nothing to the store; one change on the channel is delivered alone; a page whose store failed is
/// delivered again. Deliveries are stored through the harness's `Ingest`, as the daemon does.
final class UnchangedPayloadTests: XCTestCase, @unchecked Sendable {
    struct StoreFailed: Error {}

    /// Polls once like the Poller (cursor in, cursor out) and returns the external ids delivered.
    func poll(_ connector: any ChannelConnector, _ ingest: Ingest, failStore: Bool = false) async throws -> [String] {
        let box = DeliveredBox()
        let cursor = try ingest.store.cursor(channel: connector.id)
        let next = try await connector.poll(cursor: cursor, now: Date()) { page in
            box.add(page.orders.map(\.order.ref.externalID) + page.quarantined.compactMap(\.externalID))
            if failStore { throw StoreFailed() }
            try ingest.store(page)
        }
        try ingest.store.setCursor(next, channel: connector.id)
        return box.ids
    }

    func testSpartooSkipsItsUnchangedWindowAndDeliversOnlyTheChange() async throws {
        let h = try SpartooConnectorHarness()
        defer { h.close() }
        let generated = h.simulator.generateOrders(count: 30, seed: 5)
        let first = try await poll(h.channel, h.ingest)
        XCTAssertEqual(Set(first), Set(generated.map(\.id)))

        h.simulator.clearJournal()
        let second = try await poll(h.channel, h.ingest)
        XCTAssertEqual(h.simulator.requests(script: "xml_export_orders.php").count, 2, "both sites were still read")
        XCTAssertEqual(second, [], "nothing changed: nothing delivered")

        let target = generated[7]
        h.simulator.setStatus(site: target.site, id: target.id, status: 41)
        let third = try await poll(h.channel, h.ingest)
        XCTAssertEqual(third, [target.id])
        XCTAssertEqual(try h.stored(target.id)?.channelStatus, "41")
        let cursor = SpartooCursor.decode(try h.store.cursor(channel: SpartooConnectorHarness.channelID))
        XCTAssertEqual(cursor.open.values.reduce(0) { $0 + $1.count },
                       generated.filter { ![3, 41, 45, 47].contains($0.status) && $0.id != target.id }.count,
                       "orders skipped as unchanged are still followed as open")
    }

    func testBackMarketSkipsTheOverlapAndRedeliversAPageWhoseStoreFailed() async throws {
        let h = try BackMarketHarness()
        defer { h.close() }
        let generated = h.simulator.generateOrders(count: 60, seed: 3)
        let ids = Set(generated.map { String($0.orderID) })
        do {
            _ = try await poll(h.channel, h.ingest, failStore: true)
            XCTFail("the poll must fail when its page is not stored")
        } catch is StoreFailed {}
        let first = try await poll(h.channel, h.ingest)
        XCTAssertEqual(Set(first), ids, "nothing was committed, so nothing is skipped")

        h.simulator.clearJournal()
        let second = try await poll(h.channel, h.ingest)
        XCTAssertFalse(h.simulator.requests().isEmpty, "the overlap was still read")
        XCTAssertEqual(second, [])

        let target = generated[11].orderID
        h.simulator.modifyOrder(target) { _ in }
        let third = try await poll(h.channel, h.ingest)
        XCTAssertEqual(third, [String(target)], "only the changed order is delivered (once, though two walks list it)")
    }

    func testWooCommerceSkipsTheOverlapAndDeliversOnlyTheChange() async throws {
        let h = try WooCommerceHarness(statuses: ["processing", "on-hold", "pending", "completed", "cancelled", "refunded", "failed"])
        defer { h.close() }
        let generated = h.simulator.generateOrders(count: 40, seed: 9)
        let first = try await poll(h.channel, h.ingest)
        XCTAssertFalse(first.isEmpty)
        let second = try await poll(h.channel, h.ingest)
        XCTAssertEqual(second, [])

        let target = try XCTUnwrap(generated.first { first.contains(String($0.id)) }).id
        h.simulator.modifyOrder(target) { $0.customerNote = "leave at the door" }
        // The poll's `modified_before` is frozen to whole seconds: an edit this very second waits a poll.
        try await Task.sleep(nanoseconds: 1_100_000_000)
        let third = try await poll(h.channel, h.ingest)
        XCTAssertEqual(third, [String(target)])
    }
}

final class DeliveredBox: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [String] = []
    func add(_ ids: [String]) { lock.withLock { collected += ids } }
    var ids: [String] { lock.withLock { collected } }
}
