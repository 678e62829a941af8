import Foundation
import XCTest

@testable import ChannelSimulator

/// `POST /orders` and `GET /products?sku=` as `WC_REST_Orders_V2_Controller` and WooCommerce's stock and
/// e-mail hooks behave: what the store-as-fulfilment-desk mirrors rely on.
final class WooCommerceSimulatorCreateTests: XCTestCase {
    let clock = SimulatorClock(start: SimDate.parse("2026-03-10T08:30:00Z")!)
    lazy var simulator = WooCommerceSimulator(clock: clock.now)
    let orders = "/wp-json/wc/v3/orders"

    func create(_ body: [String: Any]) -> HTTPResponse { simulator.handle(wooRequest("POST", orders, json: body)) }

    func testProductsAreFoundBySku() {
        let phone = simulator.addProduct(.init(name: "iPhone 13", sku: "IP13", price: "199.00", stock: 3))
        simulator.addProduct(.init(name: "Case", sku: "CASE", price: "10.00"))
        let found = simulator.handle(wooRequest("GET", "/wp-json/wc/v3/products", query: "sku=IP13"))
        XCTAssertEqual(found.status, 200)
        XCTAssertEqual(found.jsonArray?.map { $0["id"] as? Int }, [phone.id])
        XCTAssertEqual(simulator.handle(wooRequest("GET", "/wp-json/wc/v3/products", query: "sku=NOPE")).jsonArray?.count, 0)
    }

    func testSetPaidMovesAPendingOrderToProcessingWithTheStatusNoteAndReducesStockOnce() {
        let phone = simulator.addProduct(.init(name: "iPhone 13", sku: "IP13", price: "199.00", stock: 3))
        let reply = create(["set_paid": true, "billing": ["first_name": "Jean", "email": "jean@example.com"],
                            "line_items": [["product_id": phone.id, "quantity": 2]],
                            "shipping_lines": [["method_id": "flat_rate", "method_title": "Colissimo", "total": "5.00"]],
                            "meta_data": [["key": "ordersync_ref", "value": "bm-eu:1"]]])
        XCTAssertEqual(reply.status, 201)
        let json = reply.jsonObject ?? [:]
        XCTAssertEqual(json["status"] as? String, "processing")
        XCTAssertEqual(json["total"] as? String, "403.00", "two at the product's price plus shipping")
        XCTAssertNotNil(json["date_paid_gmt"] as? String)
        let id = json["id"] as? Int ?? -1
        XCTAssertEqual(simulator.product(phone.id)?.stock, 1)
        XCTAssertEqual(simulator.notes(orderID: id).map(\.note), ["Order status changed from Pending payment to Processing."])
        XCTAssertEqual(simulator.emails(orderID: id).map(\.template), ["customer_processing_order", "new_order"])
        // Completing and cancelling: stock comes back once, on cancel only.
        _ = simulator.handle(wooRequest("PUT", "\(orders)/\(id)", json: ["status": "completed"]))
        XCTAssertEqual(simulator.product(phone.id)?.stock, 1, "reduced once, not again on completed")
        _ = simulator.handle(wooRequest("PUT", "\(orders)/\(id)", json: ["status": "cancelled"]))
        XCTAssertEqual(simulator.product(phone.id)?.stock, 3, "restored on cancel")
    }

    func testALineWithoutProductReferenceIsRefusedAndAnUnknownSkuGivesALineWithoutProduct() {
        let refused = create(["line_items": [["name": "Mystery", "quantity": 1, "total": "9.00"]]])
        XCTAssertEqual(refused.status, 400)
        XCTAssertEqual(refused.wooCode, "woocommerce_rest_required_product_reference")
        let reply = create(["line_items": [["sku": "UNKNOWN", "name": "Mystery", "quantity": 1, "total": "9.00"]]])
        XCTAssertEqual(reply.status, 201)
        let line = (reply.jsonObject?["line_items"] as? [[String: Any]])?.first ?? [:]
        XCTAssertEqual(line["product_id"] as? Int, 0)
        XCTAssertEqual(line["name"] as? String, "Mystery")
        XCTAssertEqual(line["total"] as? String, "9.00")
        XCTAssertEqual(reply.jsonObject?["status"] as? String, "pending", "no set_paid, no status: pending")
    }

    func testAnOrderWithoutBillingEmailSendsNoCustomerEmail() {
        let reply = create(["set_paid": true, "line_items": [["sku": "X", "name": "X", "total": "1.00"]]])
        let id = reply.jsonObject?["id"] as? Int ?? -1
        XCTAssertEqual(simulator.emails(orderID: id).map(\.recipient), ["admin"], "only the shop's new-order e-mail")
    }
}
