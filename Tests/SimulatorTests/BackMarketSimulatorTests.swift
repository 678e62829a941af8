import Foundation
import XCTest

@testable import ChannelSimulator

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

final class BackMarketSimulatorTests: XCTestCase {
    private var simulator: BackMarketSimulator!
    private var client: TestClient!

    override func setUpWithError() throws {
        simulator = BackMarketSimulator(tokens: ["sim-token", "other-token"])
        try simulator.start()
        client = TestClient(base: simulator.baseURL)
    }

    override func tearDown() {
        simulator.stop()
        simulator = nil
    }

    // MARK: - Auth and WAF

    func testBadOrMissingTokenGets401JSON() async throws {
        var bad = client!
        bad.token = "nope"
        let reply = try await bad.send("GET", "/ws/orders")
        XCTAssertEqual(reply.status, 401)
        XCTAssertNotNil((reply.json?["error"] as? [String: Any])?["message"])
        XCTAssertEqual(simulator.handle(makeRequest("GET", "/ws/orders", token: nil)).status, 401)
        XCTAssertEqual(simulator.handle(makeRequest("GET", "/ws/orders", token: "other-token")).status, 200)
    }

    func testMissingUserAgentGetsCloudflare403HTMLUnlessSwitchedOff() {
        let blocked = simulator.handle(makeRequest("GET", "/ws/orders", userAgent: nil))
        XCTAssertEqual(blocked.status, 403)
        XCTAssertEqual(blocked.header("server"), "cloudflare")
        XCTAssertNotNil(blocked.header("cf-ray"))
        XCTAssertTrue(blocked.header("Content-Type")?.hasPrefix("text/html") == true)
        simulator.configuration.requireUserAgent = false
        XCTAssertEqual(simulator.handle(makeRequest("GET", "/ws/orders", userAgent: nil)).status, 200)
    }

    func testUnknownPathsAre404HTML() {
        let reply = simulator.handle(makeRequest("GET", "/ws/"))
        XCTAssertEqual(reply.status, 404)
        XCTAssertTrue(reply.header("Content-Type")?.hasPrefix("text/html") == true)
        XCTAssertEqual(simulator.handle(makeRequest("DELETE", "/ws/orders/1")).status, 405)
    }

    // MARK: - Listing

    func testPagingFollowsAbsoluteNextLinks() async throws {
        for _ in 0..<23 { simulator.addOrder() }
        var url = "/ws/orders?state=1&page-size=10"
        var seen: [Int] = []
        var pages = 0
        while true {
            let reply = try await client.send("GET", url)
            XCTAssertEqual(reply.status, 200)
            let json = try XCTUnwrap(reply.json)
            XCTAssertEqual(json["count"] as? Int, 23)
            seen += (json["results"] as? [[String: Any]] ?? []).compactMap { $0["order_id"] as? Int }
            pages += 1
            if pages == 2 {
                XCTAssertEqual(json["previous"] as? String, "http://127.0.0.1:\(simulator.port)/ws/orders?state=1&page-size=10")
            }
            guard let next = json["next"] as? String else { break }
            XCTAssertTrue(next.hasPrefix("http://127.0.0.1:\(simulator.port)/ws/orders?"), next)
            XCTAssertTrue(next.contains("page=\(pages + 1)"))
            url = next
        }
        XCTAssertEqual(pages, 3)
        XCTAssertEqual(seen, seen.sorted())
        XCTAssertEqual(Set(seen).count, 23)
        let beyond = try await client.send("GET", "/ws/orders?state=1&page-size=10&page=4")
        XCTAssertEqual(beyond.status, 404)
    }

    func testPageSizeIsClampedTo50AndDefaultsTo10() {
        for _ in 0..<60 { simulator.addOrder() }
        let big = simulator.handle(makeRequest("GET", "/ws/orders", query: "page-size=100")).jsonObject
        XCTAssertEqual((big?["results"] as? [Any])?.count, 50)
        let plain = simulator.handle(makeRequest("GET", "/ws/orders", query: "page_size=100")).jsonObject
        XCTAssertEqual((plain?["results"] as? [Any])?.count, 10, "page_size (underscore) is ignored")
    }

    func testStateAndDateFiltersHidePaymentStates() {
        let waiting = simulator.addOrder()
        let accepted = simulator.addOrder(BackMarketSimulator.Order(lines: [.init(state: 2)]))
        simulator.addOrder(BackMarketSimulator.Order(lines: [.init(state: 0)]))  // order 0
        simulator.addOrder(BackMarketSimulator.Order(lines: [.init(state: 7)]))  // order 8
        let old = simulator.addOrder(
            BackMarketSimulator.Order(dateCreation: Date(timeIntervalSince1970: 1_700_000_000), dateModification: Date(timeIntervalSince1970: 1_700_000_000)))
        func ids(_ query: String) -> [Int] {
            let json = simulator.handle(makeRequest("GET", "/ws/orders", query: query)).jsonObject
            return (json?["results"] as? [[String: Any]] ?? []).compactMap { $0["order_id"] as? Int }
        }
        XCTAssertEqual(ids(""), [waiting.orderID, accepted.orderID, old.orderID])
        XCTAssertEqual(ids("state=3"), [accepted.orderID])
        XCTAssertEqual(ids("state=0"), [])
        XCTAssertEqual(ids("state=8"), [])
        // 2023-11-14T22:13:20Z is the old order's instant; +01:00 must arrive encoded as %2B.
        XCTAssertEqual(ids("date_modification=2023-11-14T23%3A13%3A20%2B01%3A00").count, 3)
        XCTAssertEqual(ids("date_modification=2023-11-14T23:13:21%2B01:00"), [waiting.orderID, accepted.orderID])
        XCTAssertEqual(ids("date_modification=2023-11-14+22:13:21"), [waiting.orderID, accepted.orderID])
        XCTAssertEqual(simulator.handle(makeRequest("GET", "/ws/orders", query: "date_modification=yesterday")).status, 400)
    }

    // MARK: - Updates

    func testAcceptBySkuThenIllegalRepeatAndValidationTexts() async throws {
        let order = simulator.addOrder(
            BackMarketSimulator.Order(lines: [.init(listing: "A"), .init(listing: "B", product: "MacBook Air", price: "749.90")]))
        let id = order.orderID
        let first = try await client.send("POST", "/ws/orders/\(id)", json: ["order_id": id, "new_state": 2, "sku": "A"])
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(first.json?["state"] as? Int, 1, "line B still waits")
        XCTAssertEqual(first.json?["price"] as? String, "1048.90")
        let second = try await client.send("POST", "/ws/orders/\(id)", json: ["order_id": id, "new_state": 2, "sku": "B"])
        XCTAssertEqual(second.json?["state"] as? Int, 3)
        XCTAssertEqual(simulator.appliedEffects(orderID: id, kind: .accept).count, 2)

        let again = try await client.send("POST", "/ws/orders/\(id)", json: ["order_id": id, "new_state": 2, "sku": "A"])
        XCTAssertEqual(again.status, 400)
        XCTAssertTrue(again.text.contains("is in state 2"), again.text)
        let nine = try await client.send("POST", "/ws/orders/\(id)", json: ["order_id": id, "new_state": 9])
        XCTAssertEqual(nine.text, "new_state 9 must be in 2,3,4,5,6")
        let sku = try await client.send("POST", "/ws/orders/\(id)", json: ["order_id": id, "new_state": 4, "sku": "ZZZ"])
        XCTAssertEqual(sku.text, "sku not found")
        let missing = try await client.send("POST", "/ws/orders/999", json: ["order_id": 999, "new_state": 2])
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(simulator.appliedEffects.count, 2, "failed calls apply nothing")
        XCTAssertGreaterThan(simulator.order(id)!.dateModification, order.dateModification)
    }

    func testShipMovesAllAcceptedLinesAndStoresTracking() {
        let order = simulator.addOrder(BackMarketSimulator.Order(lines: [.init(state: 2, listing: "A"), .init(state: 2, listing: "B")]))
        let body: [String: Any] = ["order_id": order.orderID, "new_state": 3, "tracking_number": "6A12345678901",
                                   "tracking_url": "https://t.example/6A12345678901", "shipper": "Colissimo",
                                   "date_shipping": "2024-03-11T14:00:00Z"]
        var withIMEI = body
        withIMEI["imei"] = "356938035643809"
        let refused = simulator.handle(makeRequest("POST", "/ws/orders/\(order.orderID)", json: withIMEI))
        XCTAssertEqual(refused.status, 400, "imei needs a single qty-1 line")
        let reply = simulator.handle(makeRequest("POST", "/ws/orders/\(order.orderID)", json: body))
        XCTAssertEqual(reply.status, 200)
        let json = try? XCTUnwrap(reply.jsonObject)
        XCTAssertEqual(json?["state"] as? Int, 9)
        XCTAssertEqual(json?["tracking_number"] as? String, "6A12345678901")
        XCTAssertEqual(json?["date_shipping"] as? String, "2024-03-11T14:00:00Z")
        XCTAssertEqual((json?["orderlines"] as? [[String: Any]])?.compactMap { $0["state"] as? Int }, [3, 3])
        XCTAssertEqual(simulator.appliedEffects(orderID: order.orderID, kind: .ship).count, 1)
    }

    func testShipWithIMEIOnSinglePhoneAndDelayedOrderNine() {
        let clock = SimulatorClock(start: Date(timeIntervalSince1970: 1_710_000_000))
        var configuration = BackMarketSimulator.Configuration()
        configuration.shippedOrderDelay = 60
        let sim = BackMarketSimulator(configuration: configuration, clock: clock.now)
        let order = sim.addOrder(BackMarketSimulator.Order(lines: [.init(state: 2)]))
        var body: [String: Any] = ["order_id": order.orderID, "new_state": 3, "tracking_number": "T1", "imei": "356938035643808"]
        XCTAssertEqual(sim.handle(makeRequest("POST", "/ws/orders/\(order.orderID)", json: body)).bodyText, "imei 356938035643808 is not a valid IMEI")
        body["imei"] = "356938035643809"
        clock.advance(by: 5)
        XCTAssertEqual(sim.handle(makeRequest("POST", "/ws/orders/\(order.orderID)", json: body)).jsonObject?["state"] as? Int, 3)
        XCTAssertEqual(sim.order(order.orderID)?.lines[0].imei, "356938035643809")
        clock.advance(by: 59)
        XCTAssertEqual(sim.order(order.orderID)?.state, 3)
        clock.advance(by: 1)
        let shipped = sim.order(order.orderID)
        XCTAssertEqual(shipped?.state, 9)
        XCTAssertEqual(shipped?.dateModification, clock.now(), "turning 9 is a modification")
    }

    func testPatchOrderLineSetsOnceThen422() async throws {
        let order = simulator.addOrder(BackMarketSimulator.Order(lines: [.init(state: 2, quantity: 2)]))
        let lineID = order.lines[0].id
        XCTAssertNotEqual(lineID, order.orderID)
        let set = try await client.send("PATCH", "/ws/orderlines/\(lineID)", json: ["imei": "356938035643809"])
        XCTAssertEqual(set.status, 200)
        XCTAssertEqual(set.json?["imei"] as? String, "356938035643809")
        XCTAssertEqual(set.json?["serial_number"] as? String, "")
        let same = try await client.send("PATCH", "/ws/orderlines/\(lineID)", json: ["imei": "356938035643809"])
        XCTAssertEqual(same.status, 422, "values cannot be corrected, even to the same value")
        let longSerial = try await client.send("PATCH", "/ws/orderlines/\(lineID)", json: ["serial_number": String(repeating: "X", count: 51)])
        XCTAssertEqual(longSerial.status, 422)
        let fields = (longSerial.json?["data"] as? [String: Any])?["fields"] as? [String: Any]
        XCTAssertNotNil(fields?["serial_number"])
        let unknown = try await client.send("PATCH", "/ws/orderlines/1", json: ["imei": "356938035643809"])
        XCTAssertEqual(unknown.status, 404)
        XCTAssertEqual(simulator.appliedEffects(orderID: order.orderID, kind: .patchLine).count, 1)
    }

    func testCancelAndRefundTransitions() {
        let order = simulator.addOrder(BackMarketSimulator.Order(lines: [.init(listing: "A"), .init(state: 2, listing: "B"), .init(state: 3, listing: "C")]))
        let id = order.orderID
        func post(_ state: Int, _ sku: String) -> HTTPResponse {
            simulator.handle(makeRequest("POST", "/ws/orders/\(id)", json: ["order_id": id, "new_state": state, "sku": sku]))
        }
        XCTAssertEqual(post(5, "A").status, 400, "refund before shipping needs line 2")
        XCTAssertEqual(post(4, "A").status, 200)
        XCTAssertEqual(post(5, "B").status, 200)
        XCTAssertEqual(post(6, "C").status, 200)
        XCTAssertEqual(simulator.order(id)?.lines.map(\.state), [4, 5, 6])
        XCTAssertEqual(simulator.appliedEffects(orderID: id).map(\.kind), [.cancel, .refund, .refund])
    }

    func testRateLimitBlocksWithOptionalRetryAfter() async throws {
        let clock = SimulatorClock()
        var configuration = BackMarketSimulator.Configuration()
        configuration.rateLimit = 5
        let sim = BackMarketSimulator(configuration: configuration, clock: clock.now)
        try sim.start()
        defer { sim.stop() }
        let client = TestClient(base: sim.baseURL)
        for _ in 0..<5 {
            let status = try await client.send("GET", "/ws/orders").status
            XCTAssertEqual(status, 200)
        }
        let limited = try await client.send("GET", "/ws/orders")
        XCTAssertEqual(limited.status, 429)
        XCTAssertNil(limited.header("Retry-After"))
        clock.advance(by: 9)
        sim.configuration.sendRetryAfter = true
        XCTAssertEqual(sim.handle(makeRequest("GET", "/ws/orders")).header("Retry-After"), "1")
        clock.advance(by: 1)
        XCTAssertEqual(sim.handle(makeRequest("GET", "/ws/orders")).status, 200, "the block lasts blockSeconds")
        XCTAssertEqual(sim.requests(method: "GET", pathPrefix: "/ws/orders").filter { $0.status == 429 }.count, 2)
    }
}

final class BackMarketRobustnessTests: XCTestCase {
    func testNewStateValuesAreReadStrictlyButLiberally() {
        let sim = BackMarketSimulator()
        let id = sim.addOrder().orderID
        func post(_ body: Any) -> String {
            var request = makeRequest("POST", "/ws/orders/\(id)")
            request.body = (try? JSONSerialization.data(withJSONObject: body)) ?? Data()
            return sim.handle(request).bodyText
        }
        XCTAssertEqual(post(["new_state": 1]), "new_state 1 must be in 2,3,4,5,6")
        XCTAssertEqual(post(["new_state": 0]), "new_state 0 must be in 2,3,4,5,6")
        XCTAssertEqual(post(["new_state": true]), "new_state must be an integer")
        XCTAssertEqual(post(["new_state": 2.5]), "new_state must be an integer")
        XCTAssertEqual(post(["order_id": id + 1, "new_state": 2]), "order_id does not match the order in the URL")
        XCTAssertEqual(post(["order_id": id]), "new_state is required")
        XCTAssertEqual(post([1, 2]), "request body must be a JSON object")
        XCTAssertEqual(post(["order_id": "\(id)", "new_state": "2"]).contains("\"state\":3"), true)
    }

    func testSimulatorSurvivesRandomRequests() {
        let sim = BackMarketSimulator()
        sim.generateOrders(count: 20, seed: 9)
        var rng = SeededGenerator(seed: 5)
        let paths = ["/ws/orders", "/ws/orders/", "/ws/orders/40012345", "/ws/orders/-1", "/ws/orders/99999999999999999999999",
                     "/ws/orderlines/51234567", "/ws/orderlines/x", "/", "//ws//orders", "/ws/orders/40012346/extra"]
        let methods = ["GET", "POST", "PATCH", "PUT", "DELETE", "HEAD"]
        let bodies: [String] = ["", "{", "null", "[]", "{\"new_state\":null}", "{\"new_state\":3,\"imei\":12}",
                                "{\"new_state\":3,\"tracking_number\":\"T\",\"date_shipping\":\"nope\"}", "{\"imei\":null,\"serial_number\":[1]}",
                                "{\"new_state\":99999999999999999999999}", "{\"sku\":{},\"new_state\":2}"]
        let queries = ["", "page=0", "page=-1", "page=last", "page=abc", "page-size=-5", "state=x", "date_creation=%ZZ", "state=1&state=3&page=2"]
        for _ in 0..<2_000 {
            var request = makeRequest(rng.pick(methods), rng.pick(paths), query: rng.pick(queries))
            request.body = Data(rng.pick(bodies).utf8)
            let status = sim.handle(request).status
            XCTAssertTrue((200...599).contains(status))
        }
    }
}

final class BackMarketConcurrencyTests: XCTestCase {
    func testConcurrentAcceptsAreEachAppliedExactlyOnce() async throws {
        let sim = BackMarketSimulator()
        try sim.start()
        defer { sim.stop() }
        let ids = (0..<30).map { _ in sim.addOrder().orderID }
        let client = TestClient(base: sim.baseURL)
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for id in ids + ids {  // every order accepted twice, concurrently
                group.addTask {
                    try await client.send("POST", "/ws/orders/\(id)", json: ["order_id": id, "new_state": 2, "sku": "SKU-IP12-64"]).status
                }
                group.addTask { try await client.send("GET", "/ws/orders/\(id)").status }
            }
            return try await group.reduce(into: [Int: Int]()) { $0[$1, default: 0] += 1 }
        }
        XCTAssertEqual(statuses[200], 90)
        XCTAssertEqual(statuses[400], 30, "the second accept of each order is refused")
        XCTAssertEqual(sim.appliedEffects.count, 30)
        XCTAssertEqual(Set(sim.appliedEffects.map(\.orderID)), Set(ids))
        XCTAssertEqual(sim.requestCount, 120)
    }
}
