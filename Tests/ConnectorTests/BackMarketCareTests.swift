import ChannelSimulator
import Foundation
import OrderSync
@testable import Connectors
import XCTest

/// Back Market customer-care folders (`GET /ws/sav`), read only, over real sockets: each folder becomes a case
/// on the order owning its orderline; the walk pages by `next`, keeps only positions in the cursor and
/// reads again after a 429.
final class BackMarketCareTests: BackMarketTestCase, @unchecked Sendable {
    /// Polls with a clock moved past the care walk's minimum gap each time.
    private var clock = Date()
    private func poll(_ h: BackMarketHarness) async throws {
        clock = clock.addingTimeInterval(BackMarketChannel.careMinimumGap + 1)
        try await h.poller.pollOnce(now: clock)
    }

    private func careRequests(_ h: BackMarketHarness) -> [BackMarketSimulator.JournalEntry] {
        h.simulator.requests(method: "GET").filter { $0.path == "/ws/sav" }
    }

    func testACareFolderOnAStoredLineIsAnOpenCaseOfItsOrderAndClosingItClosesTheCase() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.init(lines: [.phone(state: 3), .laptop(state: 3)]))
        let folder = h.simulator.openCareFolder(orderline: order.lines[1].id)
        try await poll(h)
        let ref = "bm-eu:sav-\(folder)"
        let stored = try XCTUnwrap(try h.stored(order.orderID))
        XCTAssertEqual(stored.returns.map(\.returnRef), [ref])
        XCTAssertEqual(stored.returns.first?.status, .received)
        XCTAssertEqual(stored.returns.first?.channelStatus, "0")
        let open = try h.store.returns(channel: "bm-eu").filter { $0.value.status.isOpen }
        XCTAssertEqual(open.map(\.value.returnRef), [ref], "listed open, as `ordersync returns` shows it")
        XCTAssertEqual(open.first?.ref.externalID, String(order.orderID))
        let query = try XCTUnwrap(careRequests(h).first?.query["last_modification_date"])
        XCTAssertNotNil(query.range(of: #"^\d{4}-\d{2}-\d{2}-\d{2}-\d{2}$"#, options: .regularExpression), query)

        XCTAssertTrue(h.simulator.setCareFolder(folder, open: false))
        try await poll(h)
        let closed = try XCTUnwrap(try h.store.returns(channel: "bm-eu").first)
        XCTAssertEqual(closed.value.status, .closed)
        XCTAssertEqual(closed.value.channelStatus, "9")
        XCTAssertTrue(h.simulator.requests(method: "POST").isEmpty, "read only")
    }

    func testMoreThanTenFoldersArePagedByNextAndTheCursorHoldsNoFolderID() async throws {
        let h = try makeHarness { $0.careLinkBase = "https://www.backmarket.fr/ws/sav/" }
        var folders: [Int] = []
        for _ in 0..<3 {
            let order = try await h.seed(.init(lines: [.phone(state: 3)]))
            for _ in 0..<8 { folders.append(h.simulator.openCareFolder(orderline: order.lines[0].id)) }
        }
        try await poll(h)
        XCTAssertEqual(Set(try h.store.returns(channel: "bm-eu").map(\.value.returnRef)), Set(folders.map { "bm-eu:sav-\($0)" }))
        XCTAssertEqual(careRequests(h).map { $0.query["page"] }, ["1", "2", "3"], "24 folders: 3 pages of 10, on the configured host")
        let cursor = try XCTUnwrap(try h.store.cursor(channel: BackMarketHarness.channelID))
        for id in folders { XCTAssertFalse(cursor.contains(String(id)), "folder \(id) in the cursor: \(cursor)") }
        XCTAssertLessThan(cursor.utf8.count, 300, cursor)
        let care = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(cursor.utf8)) as? [String: Any])?["care"] as? [String: Any])
        XCTAssertNotNil(care["done"], "a complete walk moves the care position")
        XCTAssertNil(care["page"])
    }

    func testAThrottledCareListKeepsItsPositionAndTheNextPollReadsEveryFolder() async throws {
        let h = try makeHarness { $0.careListPerMinute = 1 }
        let order = try await h.seed(.init(lines: [.phone(state: 3)]))
        let folders = (0..<15).map { _ in h.simulator.openCareFolder(orderline: order.lines[0].id) }
        try await poll(h)
        XCTAssertEqual(try h.store.returns(channel: "bm-eu").count, 10, "page 1 stored, page 2 refused")
        XCTAssertTrue(careRequests(h).contains { $0.status == 429 })
        XCTAssertTrue(h.logs.entries.contains { $0.message == "care folders not read; the next poll tries again" })
        let cursor = try XCTUnwrap(try h.store.cursor(channel: BackMarketHarness.channelID))
        XCTAssertFalse(cursor.contains("\"done\""), "the position does not move past unread folders: \(cursor)")
        h.simulator.updateConfiguration { $0.careListPerMinute = nil }
        try await poll(h)
        XCTAssertEqual(Set(try h.store.returns(channel: "bm-eu").map(\.value.returnRef)), Set(folders.map { "bm-eu:sav-\($0)" }))
    }

    func testAWalkCutAtThePageCapGoesOnAtTheNextPollFromItsPage() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.init(lines: [.phone(state: 3)]))
        let total = BackMarketChannel.careMaxPages * 10 + 3
        let folders = (0..<total).map { _ in h.simulator.openCareFolder(orderline: order.lines[0].id) }
        try await poll(h)
        XCTAssertEqual(careRequests(h).count, BackMarketChannel.careMaxPages)
        XCTAssertEqual(try h.store.returns(channel: "bm-eu").count, BackMarketChannel.careMaxPages * 10)
        let cursor = try XCTUnwrap(try h.store.cursor(channel: BackMarketHarness.channelID))
        XCTAssertTrue(cursor.contains("\"page\":\(BackMarketChannel.careMaxPages + 1)"), cursor)
        h.simulator.clearJournal()
        try await poll(h)
        XCTAssertEqual(careRequests(h).map { $0.query["page"] }, [String(BackMarketChannel.careMaxPages + 1)])
        XCTAssertEqual(Set(try h.store.returns(channel: "bm-eu").map(\.value.returnRef)), Set(folders.map { "bm-eu:sav-\($0)" }))
    }

    func testAFolderOnALineOfNoStoredOrderIsSkipped() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.init(lines: [.phone(state: 3)]))
        let known = h.simulator.openCareFolder(orderline: order.lines[0].id)
        h.simulator.openCareFolder(orderline: 99_999_999)
        try await poll(h)
        XCTAssertEqual(try h.store.returns(channel: "bm-eu").map(\.value.returnRef), ["bm-eu:sav-\(known)"])
        XCTAssertTrue(h.logs.entries.contains { $0.message == "return skipped: no stored order has its line" })
    }

    func testTheCareWalkRunsAtMostOncePerMinimumGap() async throws {
        let h = try makeHarness()
        let now = Date()
        try await h.poller.pollOnce(now: now)
        try await h.poller.pollOnce(now: now.addingTimeInterval(BackMarketChannel.careMinimumGap / 2))
        XCTAssertEqual(careRequests(h).count, 1)
        try await h.poller.pollOnce(now: now.addingTimeInterval(BackMarketChannel.careMinimumGap + 1))
        XCTAssertEqual(careRequests(h).count, 2)
    }
}
