import Foundation
import XCTest

@testable import ChannelSimulator

final class WooCommerceFaultTests: XCTestCase {
    let simulator = WooCommerceSimulator()
    let orders = "/wp-json/wc/v3/orders"

    func testQueuedFaultsAnswerThenStop() {
        let order = simulator.addOrder()
        simulator.injectFault(.serverError(status: 503), count: 2, method: "GET", pathPrefix: "\(orders)/")
        XCTAssertEqual(simulator.handle(wooRequest("GET", orders)).status, 200, "prefix does not match the list")
        XCTAssertEqual(simulator.handle(wooRequest("GET", "\(orders)/\(order.id)")).status, 503)
        XCTAssertEqual(simulator.handle(wooRequest("GET", "\(orders)/\(order.id)")).status, 503)
        XCTAssertEqual(simulator.handle(wooRequest("GET", "\(orders)/\(order.id)")).status, 200)
        XCTAssertEqual(simulator.journal.compactMap(\.fault), ["server-error-503", "server-error-503"])
    }

    func testCaptchaEmptyMalformedAndBursts() {
        simulator.addOrder()
        simulator.injectFault(.captchaPage(status: 202))
        simulator.injectFault(.captchaPage(status: 200))
        simulator.injectFault(.emptyBody)
        simulator.injectFault(.malformedJSON)
        simulator.injectServiceUnavailableBurst(count: 2, retryAfter: 3)
        simulator.injectFault(.tooManyRequests(retryAfter: 5))
        let captcha = simulator.handle(wooRequest("GET", orders))
        XCTAssertEqual(captcha.status, 202)
        XCTAssertTrue(captcha.bodyText.contains("sgcaptcha"))
        XCTAssertEqual(simulator.handle(wooRequest("GET", orders)).status, 200)
        XCTAssertEqual(simulator.handle(wooRequest("GET", orders)).body.count, 0)
        let malformed = simulator.handle(wooRequest("GET", orders))
        XCTAssertEqual(malformed.status, 200)
        XCTAssertNil(try? JSONSerialization.jsonObject(with: malformed.body))
        XCTAssertEqual(simulator.handle(wooRequest("GET", orders)).header("Retry-After"), "3")
        XCTAssertEqual(simulator.handle(wooRequest("GET", orders)).status, 503)
        XCTAssertEqual(simulator.handle(wooRequest("GET", orders)).status, 429)
        XCTAssertEqual(simulator.handle(wooRequest("GET", orders)).status, 200)
        XCTAssertEqual(simulator.pendingFaultCount, 0)
    }

    func testServerErrorAfterApplyingStillAddsTheNote() {
        let order = simulator.addOrder()
        simulator.injectFault(.serverErrorAfterApplying(status: 502), method: "POST")
        let reply = simulator.handle(wooRequest("POST", "\(orders)/\(order.id)/notes", json: ["note": "Shipped", "customer_note": true]))
        XCTAssertEqual(reply.status, 502)
        XCTAssertEqual(simulator.customerNotes(orderID: order.id).count, 1)
        XCTAssertEqual(simulator.emails(orderID: order.id).count, 1)
    }

    func testDriftMovesAnOrderOutOfAFrozenWindowMidWalk() {
        let clock = SimulatorClock(start: SimDate.parse("2026-03-10T08:00:00Z")!)
        let sim = WooCommerceSimulator(clock: clock.now)
        var ids: [Int] = []
        for _ in 0..<5 {
            ids.append(sim.addOrder().id)
            clock.advance(by: 1)
        }
        sim.addPaginationDrift(orderID: ids[0], afterPage: 1, change: .touch)
        let query = "dates_are_gmt=true&modified_before=2026-03-10T08:00:05&orderby=modified&order=asc&per_page=2"
        let page1 = sim.handle(wooRequest("GET", orders, query: query + "&page=1"))
        XCTAssertEqual(page1.header("X-WP-Total"), "5")
        clock.advance(by: 10)
        let page2 = sim.handle(wooRequest("GET", orders, query: query + "&page=2"))
        XCTAssertEqual(page2.header("X-WP-Total"), "4", "the touched order left the frozen window")
        XCTAssertEqual((page2.jsonArray ?? []).compactMap { $0["id"] as? Int }, [ids[3], ids[4]],
                       "the shift skips ids[2]: what clients must detect")
    }

    func testGetBumpsModifiedWhenSwitchedOn() {
        let clock = SimulatorClock(start: SimDate.parse("2026-03-10T08:00:00Z")!)
        let sim = WooCommerceSimulator(clock: clock.now)
        let order = sim.addOrder()
        sim.updateConfiguration { $0.getBumpsModified = true }
        clock.advance(by: 30)
        _ = sim.handle(wooRequest("GET", "\(orders)/\(order.id)"))
        XCTAssertEqual(sim.order(order.id)?.dateModified, order.dateModified.addingTimeInterval(30))
    }

    func testRandomFaultsAreSeeded() {
        func run() -> [Int] {
            let sim = WooCommerceSimulator()
            sim.injectRandomFaults(probability: 0.5, seed: 7)
            return (0..<20).map { _ in sim.handle(wooRequest("GET", orders)).status }
        }
        let first = run()
        XCTAssertEqual(first, run())
        XCTAssertTrue(first.contains(200) && first.contains { $0 >= 500 })
    }

    func testGeneratedOrdersAreDeterministicAndVaried() {
        let a = WooCommerceSimulator(), b = WooCommerceSimulator()
        let now = SimDate.parse("2026-03-10T08:00:00Z")!
        let first = a.generateOrders(count: 30, seed: 3, now: now), second = b.generateOrders(count: 30, seed: 3, now: now)
        XCTAssertEqual(first, second)
        XCTAssertTrue(first.contains { $0.lineItems.contains { $0.sku == nil } }, "a deleted product")
        XCTAssertTrue(first.contains { $0.lineItems.contains { !$0.meta.isEmpty } }, "variations")
        XCTAssertTrue(first.allSatisfy { $0.number != String($0.id) }, "numbers differ from ids")
    }
}
