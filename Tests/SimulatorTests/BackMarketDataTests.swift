import Foundation
import XCTest

@testable import ChannelSimulator

final class BackMarketDataTests: XCTestCase {
    private let fixedNow = Date(timeIntervalSince1970: 1_710_064_500)  // 2024-03-10T09:55:00Z

    func testGeneratedOrdersAreDeterministicAndVaried() {
        let first = BackMarketSimulator().generateOrders(count: 120, seed: 3, now: fixedNow)
        let second = BackMarketSimulator().generateOrders(count: 120, seed: 3, now: fixedNow)
        XCTAssertEqual(first, second)
        XCTAssertNotEqual(first, BackMarketSimulator().generateOrders(count: 120, seed: 4, now: fixedNow))

        let states = Set(first.map(\.state))
        XCTAssertTrue(states.isSuperset(of: [1, 3, 9, 10]), "\(states)")
        XCTAssertTrue(first.contains { $0.shippingAddress.email == nil })
        XCTAssertTrue(first.contains { $0.lines.count > 1 })
        XCTAssertTrue(first.contains { $0.lines.contains { $0.quantity == 2 } })
        XCTAssertTrue(first.contains { $0.lines.contains { $0.product.hasPrefix("MacBook") } })
        let names = first.map { $0.shippingAddress.firstName + " " + $0.shippingAddress.lastName }
        XCTAssertTrue(names.contains { $0.contains("é") || $0.contains("ü") })
        XCTAssertTrue(names.contains { $0.contains("'") })
        XCTAssertTrue(first.contains { $0.paymentCompletesAt != nil && $0.datePayment == nil })
        for order in first {
            XCTAssertNotNil(SimMoney.cents(order.price ?? ""), "price is a decimal string")
            for line in order.lines {
                XCTAssertNotEqual(line.id, order.orderID)
                XCTAssertTrue(line.imei.isEmpty || BackMarketSimulator.isValidIMEI(line.imei), line.imei)
                XCTAssertTrue((9...12).contains(line.condition))
            }
        }
        let styles = Set(first.map(\.dateStyle))
        XCTAssertEqual(styles.count, 4, "Z, +01:00 and microsecond forms all appear")
    }

    func testScheduledPaymentTurnsOrderTenIntoOne() {
        let clock = SimulatorClock(start: fixedNow)
        let sim = BackMarketSimulator(clock: clock.now)
        let order = sim.addOrder(BackMarketSimulator.Order(lines: [.init(state: 8)], datePayment: nil, paymentCompletesAt: fixedNow.addingTimeInterval(30)))
        XCTAssertEqual(order.state, 10)
        XCTAssertEqual(sim.handle(makeRequest("GET", "/ws/orders", query: "state=1")).jsonObject?["count"] as? Int, 0)
        clock.advance(by: 30)
        let listed = sim.handle(makeRequest("GET", "/ws/orders", query: "state=1")).jsonObject
        XCTAssertEqual(listed?["count"] as? Int, 1)
        XCTAssertEqual(sim.order(order.orderID)?.dateModification, fixedNow.addingTimeInterval(30))
        sim.failPayment(sim.makeNewOrder().orderID)
        XCTAssertEqual(sim.allOrders().last?.state, 8)
    }

    func testOrderJSONShape() throws {
        let sim = BackMarketSimulator()
        let order = sim.addOrder(
            BackMarketSimulator.Order(
                dateCreation: fixedNow, dateModification: fixedNow, datePayment: fixedNow, dateStyle: .microsecondsParis,
                shippingAddress: .init(firstName: "Hélène", lastName: "Müller", email: nil), deliveryMode: nil, shipperDisplay: "Colissimo"))
        let json = try XCTUnwrap(sim.handle(makeRequest("GET", "/ws/orders/\(order.orderID)")).jsonObject)
        XCTAssertEqual(json["order_id"] as? Int, order.orderID)
        XCTAssertEqual(json["price"] as? String, "299.00")
        XCTAssertEqual(json["shipping_price"] as? String, "0.00")
        XCTAssertEqual(json["date_payment"] as? String, "2024-03-10T10:55:00.000000+01:00")
        XCTAssertEqual(json["shipper_display"] as? String, "Colissimo")
        XCTAssertNil(json["delivery_mode"])
        let address = try XCTUnwrap(json["shipping_address"] as? [String: Any])
        XCTAssertEqual(address["first_name"] as? String, "Hélène")
        XCTAssertNil(address["email"])
        let line = try XCTUnwrap((json["orderlines"] as? [[String: Any]])?.first)
        XCTAssertEqual(line["listing"] as? String, "SKU-IP12-64")
        XCTAssertEqual(line["price"] as? String, "299.00")
        XCTAssertEqual(line["imei"] as? String, "")
        XCTAssertEqual(sim.handle(makeRequest("GET", "/ws/orders/123")).status, 404)
        XCTAssertEqual(sim.handle(makeRequest("GET", "/ws/orders/abc")).status, 404)
    }

    func testDuplicateOrderAndNewOrders() {
        let sim = BackMarketSimulator()
        let original = sim.addOrder()
        let duplicate = try? XCTUnwrap(sim.duplicateOrder(original.orderID))
        XCTAssertNotEqual(duplicate?.orderID, original.orderID)
        XCTAssertEqual(duplicate?.lines.first?.listing, original.lines.first?.listing)
        XCTAssertNotEqual(duplicate?.lines.first?.id, original.lines.first?.id)
        let fresh = sim.makeNewOrder()
        XCTAssertEqual(fresh.state, 1)
        XCTAssertNotEqual(fresh.orderID, sim.makeNewOrder().orderID)
    }

    func testOrderStateDerivation() {
        let derive = BackMarketSimulator.deriveOrderState
        XCTAssertEqual(derive([1, 2], false), 1)
        XCTAssertEqual(derive([2, 3], false), 3)
        XCTAssertEqual(derive([3, 4], false), 3)
        XCTAssertEqual(derive([3, 4], true), 9)
        XCTAssertEqual(derive([8], false), 10)
        XCTAssertEqual(derive([9, 1], false), 0)
        XCTAssertEqual(derive([7, 7], false), 8)
        XCTAssertEqual(derive([4, 6], false), 9)
    }

    func testDateParsingAndFormatting() {
        let instant = Date(timeIntervalSince1970: 1_710_059_700)  // 2024-03-10T08:35:00Z
        for text in ["2024-03-10T08:35:00Z", "2024-03-10T09:35:00+01:00", "2024-03-10T09:35:00+0100", "2024-03-10 08:35:00",
                     "2024-03-10T08:35:00.000000Z", "2024-03-10t03:35:00-05:00", "2024-03-10T08:35Z"] {
            XCTAssertEqual(SimDate.parse(text), instant, text)
        }
        XCTAssertEqual(SimDate.parse("2024-03-10T08:35:00.25Z")?.timeIntervalSince1970, 1_710_059_700.25)
        XCTAssertEqual(SimDate.parse("2024-03-10"), Date(timeIntervalSince1970: 1_710_028_800))
        for bad in ["", "2024-13-01", "2024-02-30T00:00:00Z", "2024-03-10T25:00:00Z", "2024-03-10T08:35:00 01:00", "yesterday"] {
            XCTAssertNil(SimDate.parse(bad), bad)
        }
        XCTAssertEqual(SimDate.format(instant), "2024-03-10T08:35:00Z")
        XCTAssertEqual(SimDate.format(instant, style: .paris), "2024-03-10T09:35:00+01:00")
        XCTAssertEqual(SimDate.format(instant.addingTimeInterval(0.123456), style: .microsecondsUTC), "2024-03-10T08:35:00.123456Z")
        XCTAssertEqual(SimDate.format(Date(timeIntervalSince1970: -1)), "1969-12-31T23:59:59Z")
    }

    func testIMEIAndMoneyHelpers() {
        XCTAssertTrue(BackMarketSimulator.isValidIMEI("356938035643809"))
        XCTAssertFalse(BackMarketSimulator.isValidIMEI("356938035643808"))
        XCTAssertFalse(BackMarketSimulator.isValidIMEI("35693803564380"))
        XCTAssertFalse(BackMarketSimulator.isValidIMEI("35693803564380a"))
        XCTAssertEqual(SimMoney.cents("299.9"), 29_990)
        XCTAssertNil(SimMoney.cents("1.234"))
        XCTAssertEqual(SimMoney.format(5), "0.05")
    }
}
