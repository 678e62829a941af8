import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// The stored JSON's hash decides whether an order changed, so the order writer must write exactly the
/// bytes `JSONEncoder` writes from the `Encodable` conformances, for every order the mappers produce, for
/// awkward hand-made ones and for generated ones with every field set and unset.
final class OrderJSONWriterTests: XCTestCase {
    func reference(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    func assertSameBytes(_ order: Order, _ label: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let fast = try OrderCoding.storedJSON(order)
        let slow = try OrderCoding.encodedJSON(order, stored: true)
        XCTAssertEqual(String(decoding: fast, as: UTF8.self), String(decoding: slow, as: UTF8.self), label, file: file, line: line)
        XCTAssertEqual(String(decoding: try OrderCoding.publicJSON(order), as: UTF8.self),
                       String(decoding: try OrderCoding.encodedJSON(order, stored: false), as: UTF8.self), label, file: file, line: line)
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
        var bytes = JSONBytes(capacity: 8)
        bytes.object(dictionary) { $0.int($1) }
        XCTAssertEqual(String(decoding: bytes.out.data(), as: UTF8.self), String(decoding: try reference(dictionary), as: UTF8.self))
    }

    /// Generated orders: every optional field present or nil, every list empty or not, across seeds.
    /// Amounts are written digit by digit: the bytes must be `Money.description`'s, quoted, for every sign,
    /// scale and size (a zero before the point, zeros after it, the extremes of Int64).
    func testAmountsAreWrittenAsTheirDescription() throws {
        let units: [Int64] = [0, 1, 5, 9, 10, 99, 100, 105, 12345, 29900, -1, -5, -100, -29990, 1_000_000_007,
                              Int64.max, Int64.min, Int64.min + 1]
        for scale in [0, 1, 2, 3, 4, 8, 20] {
            for minor in units {
                let money = Money(minorUnits: minor, scale: scale)
                var writer = JSONBytes(capacity: 4)  // smaller than any amount: the buffer grows
                writer.money(money)
                XCTAssertEqual(String(decoding: writer.out.data(), as: UTF8.self), "\"\(money.description)\"", "\(minor) at scale \(scale)")
            }
        }
        var none = JSONBytes(capacity: 16)
        none.money(nil)
        XCTAssertEqual(String(decoding: none.out.data(), as: UTF8.self), "null")
    }

    func testGeneratedOrdersEncodeToJSONEncodersBytes() throws {
        var generator = SplitMix(seed: 17)
        for index in 0..<400 {
            try assertSameBytes(Self.generated(&generator, index), "generated #\(index)")
        }
    }

    static func generated(_ g: inout SplitMix, _ index: Int) -> Order {
        func maybe<T>(_ value: @autoclosure () -> T) -> T? { g.next() % 3 == 0 ? nil : value() }
        func text() -> String {
            let pieces = ["a", "Zé", "\"q\"", "back\\slash", "/", "📦", "\n", "\u{1}", " ", "0.10", "x-y", "\u{8}\u{C}"]
            return (0..<Int(g.next() % 4)).map { _ in pieces[Int(g.next() % UInt64(pieces.count))] }.joined()
        }
        func date() -> Date { Date(timeIntervalSince1970: Double(1_700_000_000 + Int(g.next() % 90_000_000)) + Double(g.next() % 1000) / 1000) }
        func money() -> Money { Money(minorUnits: Int64(g.next() % 200_000) - 1_000, scale: Int(g.next() % 3)) }
        func address() -> Address {
            Address(name: text(), company: text(), line1: text(), line2: text(), postcode: text(), city: text(),
                    state: text(), country: text(), phone: text())
        }
        func counts() -> [String: Int] {
            Dictionary(uniqueKeysWithValues: (0..<Int(g.next() % 3)).map { ("l\($0)" + text(), Int(g.next() % 5)) })
        }
        var order = Order(ref: OrderRef(channel: "ch\(index % 3)", externalID: "\(index)" + text()), channelType: ["backmarket", "spartoo", "woocommerce"][index % 3],
                          site: maybe(text()), status: OrderStatus.allCases[index % OrderStatus.allCases.count], channelStatus: text(),
                          createdAt: maybe(date()), updatedAt: maybe(date()), currency: maybe("EUR"), total: maybe(money()),
                          shippingTotal: maybe(money()), discountTotal: maybe(money()), coupons: (0..<Int(g.next() % 3)).map { _ in text() },
                          customer: maybe(Customer(name: text(), email: maybe(text()), phone: maybe(text()))),
                          shippingAddress: maybe(address()), billingAddress: maybe(address()),
                          pickupPoint: maybe(PickupPoint(id: text(), name: text(), address: address())),
                          paymentMethod: maybe(text()), shippingMethod: maybe(text()), carrier: maybe(text()), customerNote: maybe(text()),
                          acceptBy: maybe(date()), shipBy: maybe(date()), acceptedAt: maybe(date()))
        order.lines = (0..<Int(g.next() % 4)).map { n in
            OrderLine(lineID: "\(n)" + text(), sku: maybe(text()), name: text(), brand: maybe(text()), quantity: Int(g.next() % 5),
                      unitPrice: maybe(money()), options: Dictionary(uniqueKeysWithValues: (0..<Int(g.next() % 3)).map { ("o\($0)" + text(), text()) }),
                      imageURL: maybe(text()), requiresIMEI: g.next() % 2 == 0, imei: maybe(text()), serial: maybe(text()),
                      channelState: maybe(text()))
        }
        order.shipments = (0..<Int(g.next() % 3)).map { _ in
            Shipment(carrier: maybe(text()), trackingNumber: text(), trackingURL: maybe(text()), shippedAt: maybe(date()),
                     state: [.queued, .pushed, .failed][Int(g.next() % 3)], lineIDs: (0..<Int(g.next() % 3)).map { _ in text() })
        }
        order.refunds = (0..<Int(g.next() % 3)).map { _ in Refund(amount: money(), reason: maybe(text()), createdAt: maybe(date()), lines: counts()) }
        order.returns = (0..<Int(g.next() % 3)).map { n in
            OrderReturn(returnRef: "r:\(n)" + text(), status: ReturnStatus.allCases[Int(g.next() % UInt64(ReturnStatus.allCases.count))],
                        channelStatus: text(), reason: maybe(text()), createdAt: maybe(date()), lines: counts())
        }
        order.extra = Dictionary(uniqueKeysWithValues: (0..<Int(g.next() % 4)).map { ("k\($0)" + text(), text()) })
        return order
    }
}

/// A small seeded generator (SplitMix64), so generated cases are the same on every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
