import Foundation
import XCTest

@testable import ChannelSimulator

/// `GET /ws/sav` in the Back Market simulator: 10 folders a page, `count` the page's size, absolute `next`,
/// the `last_id`, `state`, `orderline` and `last_modification_date` (`YYYY-MM-DD-hh-mm`) filters, the per-minute quota.
final class BackMarketCareSimulatorTests: XCTestCase {
    private let start = Date(timeIntervalSince1970: 1_773_136_800)  // 2026-03-10T10:00:00Z

    private func list(_ sim: BackMarketSimulator, _ query: String) -> (status: Int, body: [String: Any]?) {
        let response = sim.handle(makeRequest("GET", "/ws/sav", query: query))
        return (response.status, response.jsonObject)
    }

    private func ids(_ body: [String: Any]?) -> [Int] {
        (body?["results"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
    }

    func testPagesOfTenWithCountOfThePageAndAbsoluteNext() throws {
        let sim = BackMarketSimulator()
        try sim.start()
        defer { sim.stop() }
        let order = sim.addOrder(BackMarketSimulator.Order(lines: [.init(state: 3)]))
        let folders = (0..<23).map { _ in sim.openCareFolder(orderline: order.lines[0].id) }
        let first = list(sim, "")
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(first.body?["count"] as? Int, 10, "count is the number of folders on the page")
        XCTAssertEqual(ids(first.body), Array(folders[0..<10]))
        XCTAssertEqual(first.body?["next"] as? String, "http://127.0.0.1:\(sim.port)/ws/sav/?page=2")
        XCTAssertTrue(first.body?["previous"] is NSNull)
        let third = list(sim, "page=3")
        XCTAssertEqual(third.body?["count"] as? Int, 3)
        XCTAssertTrue(third.body?["next"] is NSNull)
        XCTAssertEqual(third.body?["previous"] as? String, "http://127.0.0.1:\(sim.port)/ws/sav/?page=2")
        XCTAssertEqual(list(sim, "page=4").status, 404)
        XCTAssertEqual(list(sim, "page-size=50").body?["count"] as? Int, 10, "no size parameter")
    }

    func testFiltersOnLastIDStateOrderlineAndModificationMinute() {
        let clock = SimulatorClock(start: start)
        let sim = BackMarketSimulator(clock: clock.now)
        let order = sim.addOrder(BackMarketSimulator.Order(lines: [.init(state: 3), .init(state: 3)]))
        let a = sim.openCareFolder(orderline: order.lines[0].id)
        let b = sim.openCareFolder(orderline: order.lines[1].id)
        clock.advance(by: 120)
        XCTAssertTrue(sim.setCareFolder(a, open: false))
        XCTAssertEqual(ids(list(sim, "last_id=\(a)").body), [b])
        XCTAssertEqual(ids(list(sim, "state=9").body), [a])
        XCTAssertEqual(ids(list(sim, "state=0").body), [b])
        XCTAssertEqual(list(sim, "state=3").status, 400)
        XCTAssertEqual(ids(list(sim, "orderline=\(order.lines[1].id)").body), [b])
        XCTAssertEqual(ids(list(sim, "last_modification_date=2026-03-10-10-01").body), [a], "modified at 10:02")
        XCTAssertEqual(ids(list(sim, "last_modification_date=2026-03-10-10-00").body), [a, b])
        XCTAssertEqual(list(sim, "last_modification_date=2026-03-10T10:00:00Z").status, 400)
        let closed = (list(sim, "state=9").body?["results"] as? [[String: Any]])?.first
        XCTAssertEqual(closed?["date_closed"] as? String, "2026-03-10T10:02:00+00:00")
        XCTAssertEqual(closed?["orderline"] as? Int, order.lines[0].id)
        XCTAssertNil((list(sim, "state=0").body?["results"] as? [[String: Any]])?.first?["date_closed"])
    }

    func testTheListQuotaAnswers429WithinTheMinute() {
        let clock = SimulatorClock(start: start)
        var configuration = BackMarketSimulator.Configuration()
        configuration.careListPerMinute = 2
        let sim = BackMarketSimulator(configuration: configuration, clock: clock.now)
        XCTAssertEqual(list(sim, "").status, 200)
        XCTAssertEqual(list(sim, "").status, 200)
        XCTAssertEqual(list(sim, "").status, 429)
        clock.advance(by: 61)
        XCTAssertEqual(list(sim, "").status, 200)
    }
}
