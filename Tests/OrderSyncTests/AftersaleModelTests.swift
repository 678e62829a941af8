import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// The contract's `refunds` and `returns` on the normalized order, how Back Market and WooCommerce fill
/// them, and the returns table.
final class AftersaleModelTests: StoreTestCase {
    let bm = BackMarketMapper(channelID: "bm-eu", imeiPatterns: [], acceptWithinHours: 24)

    func bmOrder(_ lines: String, state: Int = 3) throws -> Order {
        try bm.order(from: JSONValue.parse(Data("""
            {"order_id":40012345,"state":\(state),"currency":"EUR","price":"400.00","shipping_price":"0.00",
             "orderlines":[\(lines)]}
            """.utf8)))
    }

    func testOrderJSONHasRefundsAndReturnsAsTheContractShows() throws {
        var order = Fixture.order("7", status: .shipped, channelStatus: "3")
        order.refunds = [Refund(amount: Money("49.90")!, reason: "damaged", createdAt: Timestamp.parse("2026-03-10T08:00:00Z"),
                                lines: ["L1": 1])]
        order.returns = [OrderReturn(returnRef: "spartoo-eu:R123", status: .waitingForReceipt, channelStatus: "2",
                                     reason: "too small", createdAt: Timestamp.parse("2026-03-11T08:00:00Z"), lines: ["L1": 1])]
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: OrderCoding.publicJSON(order)) as? [String: Any])
        let refund = try XCTUnwrap((json["refunds"] as? [[String: Any]])?.first)
        XCTAssertEqual(refund["amount"] as? String, "49.90", "a decimal string, never a float")
        XCTAssertEqual(refund["reason"] as? String, "damaged")
        XCTAssertEqual(refund["created_at"] as? String, "2026-03-10T08:00:00Z")
        XCTAssertEqual(refund["lines"] as? [String: Int], ["L1": 1])
        let ret = try XCTUnwrap((json["returns"] as? [[String: Any]])?.first)
        XCTAssertEqual(ret["return_ref"] as? String, "spartoo-eu:R123")
        XCTAssertEqual(ret["status"] as? String, "waiting_for_receipt")
        XCTAssertEqual(ret["channel_status"] as? String, "2")
        XCTAssertEqual(ret["created_at"] as? String, "2026-03-11T08:00:00Z")
        XCTAssertEqual(try OrderCoding.decode(OrderCoding.storedJSON(order)), order, "stored and read back whole")
        let bare = try XCTUnwrap(JSONSerialization.jsonObject(with: OrderCoding.publicJSON(Fixture.order("8"))) as? [String: Any])
        XCTAssertEqual((bare["refunds"] as? [Any])?.count, 0, "always present, empty when none")
        XCTAssertEqual((bare["returns"] as? [Any])?.count, 0)
    }

    func testBackMarketRefundedLinesBecomeRefundsOfTheirWholePrice() throws {
        let order = try bmOrder("""
            {"id":1,"state":3,"listing":"A","product":"Phone","quantity":1,"price":"300.00"},
            {"id":2,"state":5,"listing":"B","product":"Case","quantity":2,"price":"25.00"},
            {"id":3,"state":6,"listing":"C","product":"Cable","quantity":1,"price":"50.00","return_reason":21}
            """, state: 9)
        XCTAssertEqual(order.refunds, [
            Refund(amount: Money("50.00")!, reason: "refunded before shipping", createdAt: nil, lines: ["2": 2]),
            Refund(amount: Money("50.00")!, reason: "faulty on opening", createdAt: nil, lines: ["3": 1]),
        ])
        XCTAssertEqual(order.status, .shipped, "a live shipped line keeps the order shipped")
    }

    func testBackMarketReturnReasons11To13MeanUndeliveredOrLost() throws {
        let lost = try bmOrder(#"{"id":1,"state":6,"listing":"A","product":"P","quantity":1,"price":"9.00","return_reason":13}"#, state: 9)
        XCTAssertEqual(lost.status, .lost)
        let undelivered = try bmOrder(#"{"id":1,"state":6,"listing":"A","product":"P","quantity":1,"price":"9.00","return_reason":11}"#, state: 9)
        XCTAssertEqual(undelivered.status, .undelivered)
        let refunded = try bmOrder(#"{"id":1,"state":6,"listing":"A","product":"P","quantity":1,"price":"9.00","return_reason":22}"#, state: 9)
        XCTAssertEqual(refunded.status, .refunded)
        XCTAssertThrowsError(try bmOrder(#"{"id":1,"state":6,"listing":"A","product":"P","price":"9.00","return_reason":"x"}"#)) {
            XCTAssertTrue("\($0)".contains("orderlines[0].return_reason"), "\($0)")
        }
    }

    func testWooCommerceOrderRefundsBecomeRefunds() throws {
        let json = try JSONValue.parse(Data(#"[{"id":1101,"reason":"damaged","total":"-10.00"},{"id":1102,"refund":"","total":"-5.50"}]"#.utf8))
        XCTAssertEqual(try WooCommerceRefunds.orderRefunds(json), [
            Refund(amount: Money("10.00")!, reason: "damaged", createdAt: nil),
            Refund(amount: Money("5.50")!, reason: nil, createdAt: nil),
        ])
    }

    func testReturnsTableKeepsEachCaseOnceOpenOldestFirstAndCountsOpenPerChannel() throws {
        let ingest = Ingest(store: store, channelID: "sp-eu", autoAccept: false, rules: [], logger: Logger(level: .error, handler: InMemoryLogHandler()))
        func order(_ id: String, _ returns: [OrderReturn]) -> FetchedOrder {
            var o = Fixture.order(id, channel: "sp-eu", status: .shipped, channelStatus: "3")
            o.returns = returns
            return FetchedOrder(order: o, raw: Data(id.utf8))
        }
        let t = Timestamp.parse("2026-03-01T00:00:00Z")!
        let newer = OrderReturn(returnRef: "sp-eu:R2", status: .waitingForReceipt, channelStatus: "2", reason: nil,
                                createdAt: t.addingTimeInterval(86_400))
        let older = OrderReturn(returnRef: "sp-eu:R1", status: .waitingForLabel, channelStatus: "14", reason: "size",
                                createdAt: t)
        let closed = OrderReturn(returnRef: "sp-eu:R0", status: .refunded, channelStatus: "7", reason: nil,
                                 createdAt: t.addingTimeInterval(-86_400))
        try ingest.store(OrderPage(orders: [order("1", [newer]), order("2", [older, closed])]))
        XCTAssertEqual(try store.returns().map(\.value.returnRef), ["sp-eu:R1", "sp-eu:R2", "sp-eu:R0"])
        XCTAssertEqual(try store.openReturnCounts(), ["sp-eu": 2])
        var accepted = older
        accepted.status = .accepted; accepted.channelStatus = "4"
        try ingest.store(OrderPage(orders: [order("2", [accepted, closed])]))
        XCTAssertEqual(try store.returns(status: .accepted).map(\.value.returnRef), ["sp-eu:R1"], "updated, not added")
        XCTAssertEqual(try store.returns().count, 3)
        XCTAssertEqual(try store.openReturnCounts(), ["sp-eu": 1])
    }

    func testReturnsListingHasWooCommerceRefundsMarkedAsRefundsMergedOldestFirst() throws {
        let t = Timestamp.parse("2026-03-01T00:00:00Z")!
        let returns = Ingest(store: store, channelID: "sp-eu", autoAccept: false, rules: [], logger: Logger(level: .error, handler: InMemoryLogHandler()))
        var returned = Fixture.order("1", channel: "sp-eu", status: .shipped, channelStatus: "3")
        returned.returns = [OrderReturn(returnRef: "sp-eu:R1", status: .refunded, channelStatus: "7", reason: nil, createdAt: t.addingTimeInterval(86_400)),
                            OrderReturn(returnRef: "sp-eu:R2", status: .waitingForReceipt, channelStatus: "2", reason: nil,
                                        createdAt: t.addingTimeInterval(3 * 86_400))]
        try returns.store(OrderPage(orders: [FetchedOrder(order: returned, raw: Data("1".utf8))]))
        let shop = Ingest(store: store, channelID: "shop", autoAccept: false, rules: [], logger: Logger(level: .error, handler: InMemoryLogHandler()))
        var refunded = Fixture.order("77", channel: "shop", status: .shipped, channelStatus: "completed")
        refunded.refunds = [Refund(amount: Money("5.00")!, reason: "Late", createdAt: t.addingTimeInterval(2 * 86_400)),
                            Refund(amount: Money("12.50")!, reason: "Scratched", createdAt: t, lines: ["51234567": 1])]
        try shop.store(OrderPage(orders: [FetchedOrder(order: refunded, raw: Data("77".utf8))]))

        let all = try store.aftersaleCases(refundChannels: ["shop"])
        XCTAssertEqual(all.map(\.value.returnRef), ["sp-eu:R2", "shop:77/refund-1", "sp-eu:R1", "shop:77/refund-2"],
                       "open first, then oldest first across returns and refunds")
        let first = try XCTUnwrap(all.first { $0.value.returnRef == "shop:77/refund-1" })
        XCTAssertEqual(first.kind, .refund)
        XCTAssertEqual(first.value.status, .refunded)
        XCTAssertEqual(first.value.channelStatus, "refund")
        XCTAssertEqual(first.amount, Money("12.50"))
        XCTAssertEqual(first.value.reason, "Scratched")
        XCTAssertEqual(first.value.lines, ["51234567": 1])
        XCTAssertEqual(first.ref.description, "shop:77")
        XCTAssertEqual(try store.aftersaleCases(refundChannels: ["shop"], channel: "shop").count, 2)
        XCTAssertEqual(try store.aftersaleCases(refundChannels: ["shop"], status: .waitingForReceipt).map(\.value.returnRef), ["sp-eu:R2"])
        XCTAssertEqual(try store.aftersaleCases(refundChannels: []).count, 2, "only channels whose refunds are their cases")
    }
}

/// `report`'s after-sale figures and the open-returns metric.
final class AftersaleReportTests: StoreTestCase {
    func testReportCountsReturnRateRefundsLostUndeliveredAndOldOpenReturns() throws {
        let now = Timestamp.parse("2026-12-05T12:00:00Z")!
        let ingest = Ingest(store: store, channelID: "bm-eu", autoAccept: false, rules: [], logger: Logger(level: .error, handler: InMemoryLogHandler()))
        func order(_ id: String, _ status: OrderStatus, refunds: [String] = [], returns: [OrderReturn] = []) -> FetchedOrder {
            var o = Fixture.order(id, status: status, channelStatus: "x")
            o.createdAt = now.addingTimeInterval(-10 * 86_400)
            o.currency = "EUR"
            o.refunds = refunds.map { Refund(amount: Money($0)!, reason: nil, createdAt: nil) }
            o.returns = returns
            return FetchedOrder(order: o, raw: Data(id.utf8))
        }
        let old = OrderReturn(returnRef: "bm-eu:R1", status: .waitingForReceipt, channelStatus: "2", reason: nil,
                              createdAt: now.addingTimeInterval(-8 * 86_400))
        let recent = OrderReturn(returnRef: "bm-eu:R2", status: .received, channelStatus: "x", reason: nil,
                                 createdAt: now.addingTimeInterval(-86_400))
        try ingest.store(OrderPage(orders: [
            order("1", .shipped, refunds: ["10.10", "0.20"], returns: [old]), order("2", .lost, refunds: ["99.90"]),
            order("3", .undelivered), order("4", .shipped, returns: [recent]),
        ]), now: now)
        let figures = try SellerReport.build(store: store, channels: ["bm-eu"], days: 30, now: now).channels[0].aftersale
        XCTAssertEqual(figures.returnedOrders, 2)
        XCTAssertEqual(figures.returnRate, 0.5)
        XCTAssertEqual(figures.refundedAmount, "110.20", "decimal, never a float sum")
        XCTAssertEqual(figures.lost, 1)
        XCTAssertEqual(figures.undelivered, 1)
        XCTAssertEqual(figures.openReturnsOver7Days, 1)
        let metrics = try MetricsFile.render(config: try XCTUnwrap(ConfigFixture.parse(ConfigFixture.document())), store: store,
                                             metrics: Metrics(), now: now)
        XCTAssertTrue(metrics.contains("ordersync_returns_open{channel=\"bm-eu\"} 2"), metrics)
    }
}
