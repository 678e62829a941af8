import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// The stored JSON's hash decides whether an order changed, so the fast encoder must write exactly the
/// bytes `JSONEncoder` writes, for every order the mappers produce and for awkward hand-made ones.
final class CompactJSONEncoderTests: XCTestCase {
    func reference(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    func assertSameBytes(_ order: Order, _ label: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let fast = try XCTUnwrap(CompactJSONEncoder.encode(OrderCoding.Stored(order: order)), label, file: file, line: line)
        let slow = try reference(OrderCoding.Stored(order: order))
        XCTAssertEqual(String(decoding: fast, as: UTF8.self), String(decoding: slow, as: UTF8.self), label, file: file, line: line)
        XCTAssertEqual(try OrderCoding.publicJSON(order), try reference(order), label, file: file, line: line)
        XCTAssertEqual(try OrderCoding.storedJSON(try OrderCoding.decode(fast)), fast, "\(label): reads back", file: file, line: line)
    }

    func testEveryMappedFixtureEncodesToJSONEncodersBytes() throws {
        let woo = WooCommerceMapper(channelID: "shop")
        for name in ["order-basic", "order-coupons-fees", "order-deleted-product", "order-non-utc", "order-plugin-status",
                     "order-refunds", "order-variations"] {
            try assertSameBytes(try woo.order(from: try WooCommerceMapperTests.fixture(name)), name)
        }
        for name in ["single-order.xml", "many-orders.xml", "pickup-point.xml", "iso-8859-1.xml"] {
            for element in try SpartooFixture.orders(name) {
                try assertSameBytes(try SpartooFixture.mapper.order(from: element, site: "fr").order, name)
            }
        }
        let bm = BackMarketMapper(channelID: "bm-eu", imeiPatterns: BackMarketSettings.defaultIMEIRequiredFor, acceptWithinHours: 24)
        for text in [BackMarketMapperTests.snakeCase, BackMarketMapperTests.camelCase] {
            try assertSameBytes(try bm.order(from: try JSONValue.parse(Data(text.utf8))), "back market")
        }
    }

    func testAwkwardKeysAndStringsEncodeToJSONEncodersBytes() throws {
        var order = Order(ref: OrderRef(channel: "bm-eu", externalID: "40012345"), channelType: "backmarket",
                          status: .awaitingAcceptance, channelStatus: "1", currency: "EUR", total: Money("129.90"))
        order.extra = ["relay_type": "MONDIAL_RELAY", "Zeta": "upper", "alpha": "x", "line10": "10", "line2": "2",
                       "a-b": "dash", "é": "accent", "b_2": "digit", "": "empty", "Alpha": "cap"]
        order.customerNote = "quote \" backslash \\ slash / newline \n tab \t bell \u{7} emoji 📦 nul \u{0} backspace \u{8} formfeed \u{C}"
        order.coupons = ["SUMMER/10", ""]
        order.createdAt = Date(timeIntervalSince1970: 1_773_131_400)
        order.lines = [OrderLine(lineID: "1", sku: "A", name: "Phone", quantity: 2, unitPrice: Money("64.95"),
                                 options: ["size": "42", "Color": "red"], requiresIMEI: true, imei: "356938035643809")]
        order.shipments = [Shipment(carrier: "colissimo", trackingNumber: "6A123", trackingURL: "https://t.example/?n=6A123",
                                    shippedAt: Date(timeIntervalSince1970: 1_773_200_000), state: .pushed, lineIDs: ["1"])]
        try assertSameBytes(order, "awkward")
    }

    func testKeyOrderMatchesJSONEncoderOnMixedKeys() throws {
        var keys = ["a", "b", "_a", "a_", "aa", "a1", "a10", "a2", "A", "B", "Ab", "aB", "é", "e", "z", "Z", "-", "0", "10", "9"]
        keys.shuffle()
        let dictionary = Dictionary(uniqueKeysWithValues: keys.map { ($0, 1) })
        let fast = try XCTUnwrap(CompactJSONEncoder.encode(dictionary))
        XCTAssertEqual(String(decoding: fast, as: UTF8.self), String(decoding: try reference(dictionary), as: UTF8.self))
    }

    func testOtherKindsAreLeftToJSONEncoder() {
        XCTAssertNil(CompactJSONEncoder.encode(["at": Date()]))
        XCTAssertNil(CompactJSONEncoder.encode([1.5]))
    }
}
