import ChannelSimulator
import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

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
        for site in ["fr", "es"] {
            XCTAssertEqual(h.channel.windows.lastIDs(site: site), Set(generated.filter { $0.site == site }.map(\.id)),
                           "\(site): the window is remembered whole with the ids it listed")
        }
        h.simulator.clearJournal()
        let skippedBefore = h.channel.windows.skipped
        let idle = try await poll(h.channel, h.ingest)
        XCTAssertEqual(idle, [])
        XCTAssertEqual(h.simulator.requests(script: "xml_export_orders.php").count, 2, "a window known whole is still asked for")
        XCTAssertEqual(h.channel.windows.skipped - skippedBefore, 2, "…but neither site's reply is parsed again")

        let target = generated[7]
        h.simulator.setStatus(site: target.site, id: target.id, status: 41)
        let third = try await poll(h.channel, h.ingest)
        XCTAssertEqual(third, [target.id])
        XCTAssertEqual(try h.stored(target.id)?.channelStatus, "41")
        // Every open order, skipped as unchanged or not, is in the set the daily re-read derives from the store.
        let followed = try h.store.staleOpenOrders(channel: SpartooConnectorHarness.channelID, changedBefore: .distantPast,
                                                   orCreatedBefore: Date().addingTimeInterval(86_400))
        XCTAssertEqual(followed.count, generated.filter { ![3, 41, 45, 47].contains($0.status) && $0.id != target.id }.count,
                       "orders skipped as unchanged are still followed as open")
    }

    func testBackMarketSkipsTheOverlapAndRedeliversAPageWhoseStoreFailed() async throws {
        // Pages of 10, so the overlap walk spans several pages.
        let h = try BackMarketHarness { $0.maxPageSize = 10 }
        defer { h.close() }
        let generated = h.simulator.generateOrders(count: 60, seed: 3)
        for order in generated { h.simulator.modifyOrder(order.orderID) { _ in } }  // all inside the 24 h overlap
        do {
            _ = try await poll(h.channel, h.ingest, failStore: true)
            XCTFail("the poll must fail when its page is not stored")
        } catch is StoreFailed {}
        let first = try await poll(h.channel, h.ingest)
        let listed = generated.filter { ![0, 8].contains($0.state) }.map { String($0.orderID) }
        XCTAssertEqual(Set(first), Set(listed), "nothing was committed, so nothing is skipped")
        XCTAssertGreaterThan(h.channel.unchanged.count, first.count, "whole pages are remembered besides their orders")

        func overlapPages() -> [String?] {
            h.listRequests().filter { $0.query["date_modification"] != nil }.map { $0.query["page"] }
        }
        h.simulator.clearJournal()
        let second = try await poll(h.channel, h.ingest)
        let secondPages = overlapPages()
        XCTAssertGreaterThan(secondPages.count, 1, "the overlap was still read, page by page")
        XCTAssertEqual(second, [])
        // Same cursor, same bytes: every page is now known whole, and the walk still goes to its end.
        h.simulator.clearJournal()
        let idle = try await poll(h.channel, h.ingest)
        XCTAssertEqual(idle, [])
        XCTAssertEqual(overlapPages(), secondPages)

        let target = try XCTUnwrap(generated.first { first.contains(String($0.orderID)) }).orderID
        h.simulator.modifyOrder(target) { $0.shippingAddress.city = "Villeurbanne" }
        let third = try await poll(h.channel, h.ingest)
        XCTAssertEqual(third.filter { first.contains($0) }, [String(target)],
                       "of the orders stored, only the changed one is delivered (once, though two walks list it)")
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
