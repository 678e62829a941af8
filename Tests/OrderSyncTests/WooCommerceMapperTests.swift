import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// The WooCommerce order mapping over real-shaped payloads (Tests/Fixtures/woocommerce/).
final class WooCommerceMapperTests: XCTestCase {
    let mapper = WooCommerceMapper(channelID: "shop")

    static func fixture(_ name: String) throws -> JSONValue {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/woocommerce/\(name).json")
        return try JSONValue.parse(try Data(contentsOf: url))
    }

    func map(_ name: String) throws -> Order { try mapper.order(from: try Self.fixture(name)) }

    func testBasicOrderMapsEveryContractField() throws {
        let order = try map("order-basic")
        XCTAssertEqual(order.ref.description, "shop:1042")
        XCTAssertEqual(order.channelType, "woocommerce")
        XCTAssertEqual(order.status, .awaitingShipment)
        XCTAssertEqual(order.channelStatus, "processing")
        // Only the _gmt dates are read: 09:30 local (Paris) is 08:30 UTC.
        XCTAssertEqual(order.createdAt.map(Timestamp.format), "2026-03-10T08:30:00Z")
        XCTAssertEqual(order.updatedAt.map(Timestamp.format), "2026-03-10T08:41:00Z")
        XCTAssertEqual(order.currency, "EUR")
        XCTAssertEqual(order.total?.description, "49.90")
        XCTAssertEqual(order.shippingTotal?.description, "4.08")
        XCTAssertEqual(order.discountTotal?.description, "0.00")
        XCTAssertEqual(order.coupons, [])
        XCTAssertEqual(order.customer, Customer(name: "Jean Dupont", email: "j.d@example.com", phone: "+33612345678"))
        XCTAssertEqual(order.shippingAddress?.line1, "10 rue X")
        XCTAssertEqual(order.shippingAddress?.phone, "+33612345678", "shipping phone falls back to billing")
        XCTAssertEqual(order.billingAddress?.postcode, "75003")
        XCTAssertEqual(order.paymentMethod, "Credit card (Stripe)")
        XCTAssertEqual(order.shippingMethod, "Colissimo")
        XCTAssertEqual(order.customerNote, "")
        XCTAssertNil(order.carrier, "the core sets the carrier from shipping_rules")
        XCTAssertNil(order.acceptBy)
        XCTAssertEqual(order.extra["number"], "1042")
        XCTAssertEqual(order.extra["total_tax"], "8.32")
        let line = try XCTUnwrap(order.lines.first)
        XCTAssertEqual(line.lineID, "311")
        XCTAssertEqual(line.sku, "TSHIRT-M")
        XCTAssertEqual(line.quantity, 1)
        XCTAssertEqual(line.unitPrice?.description, "45.00", "(total + total_tax) / quantity, never the float price")
        XCTAssertEqual(line.imageURL, "https://shop.example.com/wp-content/uploads/tshirt.jpg")
        XCTAssertEqual(line.options, [:])
        XCTAssertFalse(line.requiresIMEI)
    }

    func testDeletedProductHasNullSkuAndGuestWithoutEmail() throws {
        let order = try map("order-deleted-product")
        XCTAssertNil(order.lines[0].sku, "a deleted product has sku null")
        XCTAssertNil(order.lines[1].sku, "an empty sku is no sku")
        XCTAssertEqual(order.extra["product.320"], "88", "the product id is kept to identify the line")
        XCTAssertNil(order.extra["product.321"], "product id 0 means none")
        XCTAssertNil(order.lines[0].imageURL)
        XCTAssertEqual(order.lines[1].unitPrice?.description, "1.33", "3.98 / 3 rounded half up at 2 decimals")
        XCTAssertNil(order.shippingAddress, "an all-empty shipping block is no address")
        XCTAssertEqual(order.customer?.name, "Marie Curie")
        XCTAssertNil(order.customer?.email, "email may be null")
        XCTAssertNil(order.customer?.phone)
        XCTAssertEqual(order.paymentMethod, "bacs", "the method id when the title is empty")
        XCTAssertNil(order.shippingMethod)
    }

    func testVariationsTakeOptionsFromDisplayMeta() throws {
        let order = try map("order-variations")
        XCTAssertEqual(order.ref.externalID, "1050", "the ref uses the id")
        XCTAssertEqual(order.extra["number"], "A-20050", "the number is kept beside it")
        XCTAssertEqual(order.lines[0].options, ["Size": "M", "Colour": "Blue"], "hidden keys, markup and non-text values dropped")
        XCTAssertEqual(order.lines[1].options, ["Size": "L", "Gift message": "Happy birthday & more"])
        XCTAssertEqual(order.lines[0].unitPrice?.description, "54.90")
        XCTAssertEqual(order.extra["product.401"], "90/95")
        XCTAssertEqual(order.shippingAddress?.phone, "+4917000000", "shipping.phone is used when present")
        XCTAssertEqual(order.billingAddress?.company, "Müller GmbH")
        XCTAssertEqual(order.billingAddress?.line2, "3. OG")
        XCTAssertEqual(order.customerNote, "Ring twice")
        XCTAssertEqual(order.total?.description, "169.60")
    }

    func testCouponsDiscountsAndFees() throws {
        let order = try map("order-coupons-fees")
        XCTAssertEqual(order.status, .onHold)
        XCTAssertEqual(order.coupons, ["welcome10", "spring"])
        XCTAssertEqual(order.discountTotal?.description, "10.00")
        XCTAssertEqual(order.total?.description, "41.00")
        XCTAssertEqual(order.extra["fees_total"], "4.17")
        XCTAssertEqual(order.extra["fees"], "Gift wrap: 4.17")
        XCTAssertEqual(order.lines[0].unitPrice?.description, "9.00", "after the discount: (30.00 + 6.00) / 4")
        XCTAssertEqual(order.shippingAddress?.phone, "", "no phone anywhere stays empty")
    }

    func testRefundsKeepTheStatusAndTheirSum() throws {
        let order = try map("order-refunds")
        XCTAssertEqual(order.status, .completed, "partial refunds keep the status")
        XCTAssertEqual(order.extra["refunded_total"], "15.50")
        XCTAssertEqual(order.lines[0].unitPrice?.description, "45.00")
    }

    func testNonUTCSiteUsesGMTDatesAndThreeDecimals() throws {
        let order = try map("order-non-utc")
        // New York 22:30 on the 9th is 02:30 UTC on the 10th: the local date would be off by a day.
        XCTAssertEqual(order.createdAt.map(Timestamp.format), "2026-03-10T02:30:00Z")
        XCTAssertEqual(order.updatedAt.map(Timestamp.format), "2026-03-10T03:59:59Z")
        XCTAssertEqual(order.total?.description, "26.645")
        XCTAssertEqual(order.lines[0].unitPrice?.description, "7.215", "dp follows the store's precision")
        XCTAssertEqual(order.currency, "USD")
        XCTAssertEqual(order.shippingAddress?.state, "NY")
    }

    func testPluginStatusIsKeptAndMappedOnHold() throws {
        let order = try map("order-plugin-status")
        XCTAssertEqual(order.status, .onHold)
        XCTAssertEqual(order.channelStatus, "shipped-partial")
        XCTAssertFalse(WooCommerceStatuses.isKnown(order.channelStatus))
        XCTAssertNil(order.shippingAddress, "an empty shipping object is no address")
        XCTAssertEqual(order.lines[0].unitPrice?.description, "12.00")
    }

    func testInvalidMoneyIsAnErrorNotAGuess() throws {
        XCTAssertThrowsError(try map("order-invalid-total")) { error in
            XCTAssertTrue("\(error)".contains("total"), "\(error)")
        }
        XCTAssertThrowsError(try mapper.order(from: .object([("status", .string("processing"))])))
        XCTAssertThrowsError(try mapper.order(from: .array([])))
    }

    func testMappingIsDeterministic() throws {
        let a = try OrderCoding.storedJSON(try map("order-variations"))
        let b = try OrderCoding.storedJSON(try map("order-variations"))
        XCTAssertEqual(a, b, "the same payload hashes the same (no rewrite on re-poll)")
    }

    func testStatusTable() {
        let table: [(String, OrderStatus)] = [
            ("pending", .pendingPayment), ("failed", .cancelled), ("processing", .awaitingShipment), ("on-hold", .onHold),
            ("completed", .completed), ("ready-for-pickup", .shipped), ("cancelled", .cancelled), ("trash", .cancelled),
            ("refunded", .refunded), ("wc-processing", .awaitingShipment), ("awaiting-pickup", .onHold),
        ]
        for (raw, status) in table { XCTAssertEqual(WooCommerceStatuses.status(raw), status, raw) }
        XCTAssertEqual(WooCommerceStatuses.status("processing", shippedByUs: true), .shipped)
        XCTAssertTrue(WooCommerceStatuses.drafts.contains("checkout-draft"))
        XCTAssertTrue(WooCommerceStatuses.isKnown("ready-for-pickup"))
    }

    func testShippedMarkerReadsShippedWhileProcessing() throws {
        guard case .object(var members) = try Self.fixture("order-basic") else { return XCTFail() }
        members.removeAll { $0.0 == "meta_data" }
        members.append(("meta_data", .array([.object([("id", .number("1")), ("key", .string("_ordersync_shipped")), ("value", .string("yes"))])])))
        let order = try mapper.order(from: .object(members))
        XCTAssertEqual(order.status, .shipped)
        XCTAssertEqual(order.channelStatus, "processing")
    }

    func testDecimalDivisionRoundsHalfAwayFromZero() {
        XCTAssertEqual(WooCommerceMapper.divide(Money("10.00")!, by: 3, scale: 2)?.description, "3.33")
        XCTAssertEqual(WooCommerceMapper.divide(Money("0.05")!, by: 2, scale: 2)?.description, "0.03")
        XCTAssertEqual(WooCommerceMapper.divide(Money("-0.05")!, by: 2, scale: 2)?.description, "-0.03")
        XCTAssertEqual(WooCommerceMapper.divide(Money("7")!, by: 2, scale: 0)?.description, "4")
        XCTAssertEqual(WooCommerceMapper.divide(Money("1.005")!, by: 1, scale: 2)?.description, "1.01")
        XCTAssertNil(WooCommerceMapper.divide(Money("1.00")!, by: 0, scale: 2))
    }
}
