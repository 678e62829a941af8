import ChannelSimulator
import Foundation
import OrderSync
import XCTest

/// `expected_dispatch_date` as the OAS `Order` schema gives it (`2022-04-29T09:35:24`: date-time without
/// an offset; "only applicable for orders not already SENT"), read into `ship_by`.
final class BackMarketDispatchDateTests: BackMarketTestCase, @unchecked Sendable {
    func testExpectedDispatchDateInTheOASShapeBecomesShipByAndIsNullOnceShipped() async throws {
        let h = try makeHarness()
        var template = BackMarketSimulator.Order(lines: [.init(state: 2, product: "Nintendo Switch")])
        let dispatch = try XCTUnwrap(Timestamp.parse("2026-03-12T16:00:00Z"))
        template.expectedDispatchDate = dispatch
        let order = try await h.seed(template)
        let raw = String(decoding: try XCTUnwrap(try h.store.order(h.ref(order.orderID))?.raw), as: UTF8.self)
        XCTAssertTrue(raw.contains("\"expected_dispatch_date\":\"2026-03-12T16:00:00\""), raw)
        XCTAssertEqual(try h.stored(order.orderID)?.shipBy, dispatch)

        let job = try await h.process(try h.enqueue(order.orderID, .ship, payload: BackMarketHarness.shipment()))
        XCTAssertEqual(job.state, .done, job.lastError ?? "")
        let after = String(decoding: try XCTUnwrap(try h.store.order(h.ref(order.orderID))?.raw), as: UTF8.self)
        XCTAssertFalse(after.contains("expected_dispatch_date"), "left out once shipped (the OAS types it as a non-nullable string)")
        XCTAssertEqual(try h.stored(order.orderID)?.shipBy, dispatch, "ship_by never moves")
    }
}
