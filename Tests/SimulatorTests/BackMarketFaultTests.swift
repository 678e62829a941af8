import Foundation
import XCTest

@testable import ChannelSimulator

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

final class BackMarketFaultTests: XCTestCase {
    private let simulator = BackMarketSimulator()

    private func get(_ path: String, query: String = "") -> HTTPResponse {
        simulator.handle(makeRequest("GET", path, query: query))
    }

    func testQueuedServerErrorsMatchMethodAndPathThenStop() {
        let order = simulator.addOrder()
        simulator.injectFault(.serverError(status: 503), count: 2, method: "GET", pathPrefix: "/ws/orders/")
        XCTAssertEqual(get("/ws/orders").status, 200, "path prefix does not match the list")
        XCTAssertEqual(get("/ws/orders/\(order.orderID)").status, 503)
        XCTAssertEqual(get("/ws/orders/\(order.orderID)").status, 503)
        XCTAssertEqual(get("/ws/orders/\(order.orderID)").status, 200)
        XCTAssertEqual(simulator.journal.compactMap(\.fault), ["server-error-503", "server-error-503"])
    }

    func testServerErrorAfterApplyingStillAppliesTheChangeOnce() {
        let order = simulator.addOrder()
        simulator.injectFault(.serverErrorAfterApplying(status: 502), method: "POST")
        let body: [String: Any] = ["order_id": order.orderID, "new_state": 2, "sku": "SKU-IP12-64"]
        XCTAssertEqual(simulator.handle(makeRequest("POST", "/ws/orders/\(order.orderID)", json: body)).status, 502)
        XCTAssertEqual(simulator.order(order.orderID)?.state, 3)
        XCTAssertEqual(simulator.appliedEffects(orderID: order.orderID, kind: .accept).count, 1)
        // A blind retry is refused: the line already moved.
        XCTAssertEqual(simulator.handle(makeRequest("POST", "/ws/orders/\(order.orderID)", json: body)).status, 400)
    }

    func testForbiddenIsTheAPIsJSON403AndEmptySuccessAppliesTheChange() {
        let order = simulator.addOrder()
        simulator.injectFault(.forbidden(message: "Not your order"), method: "GET")
        let forbidden = get("/ws/orders/\(order.orderID)")
        XCTAssertEqual(forbidden.status, 403)
        XCTAssertEqual((forbidden.jsonObject?["error"] as? [String: Any])?["message"] as? String, "Not your order")

        simulator.injectFault(.emptySuccessAfterApplying, method: "POST")
        let body: [String: Any] = ["order_id": order.orderID, "new_state": 2, "sku": "SKU-IP12-64"]
        let empty = simulator.handle(makeRequest("POST", "/ws/orders/\(order.orderID)", json: body))
        XCTAssertEqual(empty.status, 200)
        XCTAssertTrue(empty.body.isEmpty)
        XCTAssertEqual(simulator.appliedEffects(orderID: order.orderID, kind: .accept).count, 1)
        XCTAssertEqual(simulator.journal.compactMap(\.fault), ["forbidden-403", "empty-200-after-applying"])
    }

    func testKnownShippersFromTheSpecListRefuseOtherNames() {
        var configuration = BackMarketSimulator.Configuration()
        configuration.knownShippers = Set(BackMarketSimulator.specShippers)
        let strict = BackMarketSimulator(configuration: configuration)
        for (name, status) in [("DHL  EXPRESS", 200), ("La Poste", 400)] {
            let order = strict.addOrder(.init(lines: [.init(state: 2)]))
            let body: [String: Any] = ["order_id": order.orderID, "new_state": 3, "tracking_number": "T1", "shipper": name]
            let reply = strict.handle(makeRequest("POST", "/ws/orders/\(order.orderID)", json: body))
            XCTAssertEqual(reply.status, status, name)
        }
    }

    func testWAFFaultsMalformedJSONAndTooManyRequests() {
        simulator.injectFault(.cloudflareForbidden)
        simulator.injectFault(.botChallenge)
        simulator.injectFault(.malformedJSON)
        simulator.injectFault(.tooManyRequests(retryAfter: 7))
        simulator.injectFault(.tooManyRequests(retryAfter: nil))
        let cloudflare = get("/ws/orders")
        XCTAssertEqual(cloudflare.status, 403)
        XCTAssertEqual(cloudflare.header("server"), "cloudflare")
        XCTAssertNotNil(cloudflare.header("cf-ray"))
        let bot = get("/ws/orders")
        XCTAssertEqual(bot.status, 403)
        XCTAssertEqual(((bot.jsonObject?["errors"] as? [[String: Any]])?.first)?["code"] as? String, "bot-need-challenge")
        let malformed = get("/ws/orders")
        XCTAssertEqual(malformed.status, 200)
        XCTAssertNil(try? JSONSerialization.jsonObject(with: malformed.body))
        XCTAssertEqual(get("/ws/orders").header("Retry-After"), "7")
        let bare = get("/ws/orders")
        XCTAssertEqual(bare.status, 429)
        XCTAssertNil(bare.header("Retry-After"))
        XCTAssertEqual(get("/ws/orders").status, 200)
    }

    func testFaultsOffClearsEverything() {
        simulator.injectFault(.serverError(status: 500), count: 10)
        simulator.injectRandomFaults(probability: 1)
        simulator.blockClient(for: 60)
        simulator.faultsOff()
        XCTAssertEqual(simulator.pendingFaultCount, 0)
        XCTAssertEqual(get("/ws/orders").status, 200)
    }

    func testRandomFaultsRepeatForASeed() {
        func statuses(seed: UInt64) -> [Int] {
            let sim = BackMarketSimulator()
            sim.injectRandomFaults(probability: 0.3, seed: seed)
            return (0..<200).map { _ in sim.handle(makeRequest("GET", "/ws/orders")).status }
        }
        let first = statuses(seed: 7)
        XCTAssertEqual(first, statuses(seed: 7))
        let failures = first.filter { $0 >= 500 }.count
        XCTAssertTrue((30...90).contains(failures), "about 30 % of 200: \(failures)")
    }

    func testArchivedOrderIs404AndUnlisted() {
        let order = simulator.addOrder()
        simulator.setArchived(order.orderID)
        XCTAssertEqual(get("/ws/orders/\(order.orderID)").status, 404)
        XCTAssertEqual(get("/ws/orders").jsonObject?["count"] as? Int, 0)
        XCTAssertEqual(simulator.order(order.orderID)?.archived, true)
    }

    func testPaginationDriftMakesAWalkSkipAnOrder() {
        simulator.configuration.listOrdering = .dateModification
        let start = Date().addingTimeInterval(-3_600)
        let orders = (0..<6).map { index in
            simulator.addOrder(
                BackMarketSimulator.Order(dateCreation: start, dateModification: start.addingTimeInterval(Double(index))))
        }
        simulator.addPaginationDrift(orderID: orders[0].orderID, afterPage: 1, change: .touch)
        var seen: [Int] = []
        for page in 1...3 {
            let json = get("/ws/orders", query: "page-size=2&page=\(page)").jsonObject
            seen += (json?["results"] as? [[String: Any]] ?? []).compactMap { $0["order_id"] as? Int }
        }
        XCTAssertEqual(seen.count, 6)
        XCTAssertEqual(Set(seen).count, 5, "order 0 moved to the end and is seen twice, order 2 is skipped")
        XCTAssertFalse(seen.contains(orders[2].orderID))
    }

    func testSlowReplyAppliesTheChangeWhileTheClientTimesOut() async throws {
        try simulator.start()
        defer { simulator.stop() }
        let order = simulator.addOrder()
        simulator.injectFault(.slow(seconds: 1.5), method: "POST")
        // Whole seconds: URLSession on Linux (libcurl) rounds sub-second timeouts.
        let client = TestClient(base: simulator.baseURL, timeout: 1)
        let start = Date()
        do {
            _ = try await client.send("POST", "/ws/orders/\(order.orderID)", json: ["order_id": order.orderID, "new_state": 2, "sku": "SKU-IP12-64"])
            XCTFail("the client should have timed out")
        } catch {
            XCTAssertEqual((error as? URLError)?.code, .timedOut)
        }
        XCTAssertGreaterThan(Date().timeIntervalSince(start), 0.9)
        XCTAssertEqual(simulator.order(order.orderID)?.state, 3, "the change was applied before the reply was held")
    }

    func testDroppedConnectionGivesTheClientANetworkError() async throws {
        try simulator.start()
        defer { simulator.stop() }
        simulator.injectFault(.dropConnection)
        let client = TestClient(base: simulator.baseURL)
        do {
            _ = try await client.send("GET", "/ws/orders")
            XCTFail("expected a network error")
        } catch {
            XCTAssertNotNil(error as? URLError)
        }
        XCTAssertEqual(simulator.journal.last?.status, 0)
    }
}
