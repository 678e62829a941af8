import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// `BackMarketMapper`: Back Market order JSON → normalized `Order` (backmarket.md §1.8, §2, §5).
final class BackMarketMapperTests: XCTestCase {
    let mapper = BackMarketMapper(channelID: "bm-eu", imeiPatterns: BackMarketSettings.defaultIMEIRequiredFor,
                                  acceptWithinHours: 24)

    /// The documented `GET /ws/orders?state=1` result, with snake_case addresses as real payloads send them.
    static let snakeCase = """
        {"order_id":40012345,"state":1,"currency":"EUR","price":"299.00","shipping_price":"9.90",
         "date_creation":"2024-03-10T09:30:00+01:00","date_modification":"2024-03-10T08:41:00.123456Z",
         "date_payment":"2024-03-10T09:35:00+01:00","payment_method":"CARD","delivery_mode":"Colissimo Domicile",
         "shipper_display":"Colissimo","tracking_number":"",
         "shipping_address":{"first_name":"Jean","last_name":"Dupont","company":"ACME","street":"10 rue X",
            "street2":"Bât B","postal_code":"75003","city":"Paris","state_or_province":"IDF","country":"FR",
            "phone":"+33612345678","email":"j.d@example.com"},
         "billing_address":{"first_name":"Marie","last_name":"Dupont","street":"1 av Y","postal_code":"69001",
            "city":"Lyon","country":"FR"},
         "orderlines":[{"id":51234567,"state":1,"listing":"SKU-IP12-64","product":"iPhone 12 64 GB - Black",
            "brand":"Apple","quantity":1,"price":"299.00","condition":11,"imei":"","serial_number":""}]}
        """

    /// The OpenAPI spec's camelCase `Address`, string ids, no email anywhere.
    static let camelCase = """
        {"order_id":"40012399","state":"3","currency":"EUR","price":"1299.99","shipping_price":"0.01",
         "date_creation":"2024-03-10 08:00:00","date_payment":"2024-03-10T08:05:00Z",
         "shipper_display":"DHL Express",
         "shipping_address":{"firstName":"Anna","lastName":"Schmidt","street":"Hauptstr. 1","street2":"",
            "postalCode":"10115","city":"Berlin","state":"BE","country":"DE","phoneNumber":"+4930123456"},
         "orderlines":[
            {"id":"61000001","state":"2","listing":"CASE-01","product":"Leather case","quantity":2,"price":"15.00"},
            {"id":"61000002","state":"2","sku":"SM-G991B","title":"Samsung S21 128GB","quantity":1,"price":"1269.99",
             "imei_numbers":["352099001761481"],"serial_number":"R58N123"}]}
        """

    func map(_ text: String, patterns: [String]? = nil) throws -> Order {
        let m = patterns.map { BackMarketMapper(channelID: "bm-eu", imeiPatterns: $0, acceptWithinHours: 24) } ?? mapper
        return try m.order(from: try JSONValue.parse(Data(text.utf8)))
    }

    /// The mapping error's text, or nil when the payload maps.
    func mappingError(_ text: String) -> String? {
        do {
            _ = try map(text)
            return nil
        } catch {
            return String(describing: error)
        }
    }

    func publicJSON(_ order: Order) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: OrderCoding.publicJSON(order)) as? [String: Any])
    }

    // MARK: Snake case

    func testSnakeCaseOrderIdentityAndStatus() throws {
        let order = try map(Self.snakeCase)
        XCTAssertEqual(order.ref, OrderRef(channel: "bm-eu", externalID: "40012345"))
        XCTAssertEqual(order.channelType, "backmarket")
        XCTAssertNil(order.site)
        XCTAssertEqual(order.status, .awaitingAcceptance)
        XCTAssertEqual(order.channelStatus, "1")
        XCTAssertEqual(order.currency, "EUR")
        XCTAssertEqual(order.paymentMethod, "CARD")
        XCTAssertEqual(order.shippingMethod, "Colissimo Domicile", "delivery_mode first")
        XCTAssertNil(order.carrier, "the carrier comes from shipping_rules, not the connector")
        XCTAssertEqual(order.coupons, [])
        XCTAssertNil(order.discountTotal)
        XCTAssertNil(order.customerNote)
        XCTAssertNil(order.pickupPoint)
        XCTAssertNil(order.extra["tracking_number"], "an empty tracking number is no tracking number")
    }

    func testSnakeCaseAddressesAndCustomer() throws {
        let order = try map(Self.snakeCase)
        XCTAssertEqual(order.shippingAddress, Address(name: "Jean Dupont", company: "ACME", line1: "10 rue X", line2: "Bât B",
                                                      postcode: "75003", city: "Paris", state: "IDF", country: "FR",
                                                      phone: "+33612345678"))
        XCTAssertEqual(order.billingAddress, Address(name: "Marie Dupont", line1: "1 av Y", postcode: "69001",
                                                     city: "Lyon", country: "FR"))
        XCTAssertEqual(order.customer, Customer(name: "Jean Dupont", email: "j.d@example.com", phone: "+33612345678"))
    }

    func testDatesWithOffsetsAndMicrosecondsAreStoredAsUTC() throws {
        let order = try map(Self.snakeCase)
        XCTAssertEqual(order.createdAt.map(Timestamp.format), "2024-03-10T08:30:00Z")
        XCTAssertEqual(try XCTUnwrap(order.updatedAt).timeIntervalSince1970, 1_710_060_060.123456, accuracy: 1e-6)
        // accept_by = date_payment (+01:00) + 24 h
        XCTAssertEqual(order.acceptBy.map(Timestamp.format), "2024-03-11T08:35:00Z")
        let json = try publicJSON(order)
        XCTAssertEqual(json["created_at"] as? String, "2024-03-10T08:30:00Z")
        XCTAssertEqual(json["updated_at"] as? String, "2024-03-10T08:41:00Z")
        XCTAssertEqual(json["accept_by"] as? String, "2024-03-11T08:35:00Z")
    }

    func testAcceptByFollowsAcceptWithinHoursAndOnlyForOrdersAwaitingAcceptance() throws {
        let mapper12 = BackMarketMapper(channelID: "bm-eu", imeiPatterns: [], acceptWithinHours: 12)
        let order = try mapper12.order(from: JSONValue.parse(Data(Self.snakeCase.utf8)))
        XCTAssertEqual(order.acceptBy.map(Timestamp.format), "2024-03-10T20:35:00Z")
        XCTAssertNil(try map(Self.camelCase).acceptBy, "state 3 needs no acceptance")
    }

    func testTotalIsPricePlusShippingPriceAsExactDecimalStrings() throws {
        let order = try map(Self.snakeCase)
        XCTAssertEqual(order.total?.description, "308.90")
        XCTAssertEqual(order.shippingTotal?.description, "9.90")
        let camel = try map(Self.camelCase)
        XCTAssertEqual(camel.total?.description, "1300.00")
        XCTAssertEqual(camel.shippingTotal?.description, "0.01")
        let json = try publicJSON(camel)
        XCTAssertEqual(json["total"] as? String, "1300.00")
        XCTAssertEqual(json["shipping_total"] as? String, "0.01")
        XCTAssertTrue(json["discount_total"] is NSNull)
    }

    func testTotalWithoutShippingPriceKeepsThePricePrecisionAndNumbersAreAccepted() throws {
        let order = try map(#"{"order_id":1,"state":3,"price":12.5,"orderlines":[{"id":2,"state":2,"price":12.5}]}"#)
        XCTAssertEqual(order.total?.description, "12.5")
        XCTAssertNil(order.shippingTotal)
        XCTAssertEqual(order.lines.first?.unitPrice?.description, "12.5")
        let big = try map(#"{"order_id":1,"state":3,"price":"12345678901234567.89","shipping_price":"0.01","orderlines":[]}"#)
        XCTAssertEqual(big.total?.description, "12345678901234567.90")
        let noPrice = try map(#"{"order_id":1,"state":3,"shipping_price":"5.00","orderlines":[]}"#)
        XCTAssertNil(noPrice.total, "no price: no invented total")
    }

    func testSnakeCaseLine() throws {
        let order = try map(Self.snakeCase)
        XCTAssertEqual(order.lines, [OrderLine(
            lineID: "51234567", sku: "SKU-IP12-64", name: "iPhone 12 64 GB - Black", brand: "Apple", quantity: 1,
            unitPrice: Money("299.00"), options: ["condition": "11"], imageURL: nil, requiresIMEI: true,
            imei: nil, serial: nil, channelState: "1")])
    }

    // MARK: Camel case

    /// The OAS `Address` schema (Tests/Fixtures/specs/backmarket/Order.json) names the phone `phoneNumber` and the
    /// region `state`; the mapper reads exactly those names, and the old guesses (`phone`, `stateOrProvince`) are not
    /// in the schema.
    func testCamelCaseAddressReadsPhoneNumberAndState() throws {
        let spec = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.specURL("Order"))) as? [String: Any])
        let address = try XCTUnwrap(((((spec["schema"] as? [String: Any])?["properties"] as? [String: Any])?["shipping_address"]
            as? [String: Any])?["properties"] as? [String: Any]))
        XCTAssertNotNil(address["phoneNumber"])
        XCTAssertNotNil(address["state"])
        XCTAssertNil(address["phone"])
        XCTAssertNil(address["stateOrProvince"])

        let order = try map("""
            {"order_id":7,"state":3,"orderlines":[],"shipping_address":{"firstName":"Victor","lastName":"Hugo",
             "street":"3, Imaginary Street","postalCode":"94105","city":"San Francisco","state":"California",
             "country":"US","phoneNumber":"+14155550100"}}
            """)
        XCTAssertEqual(order.shippingAddress?.phone, "+14155550100")
        XCTAssertEqual(order.shippingAddress?.state, "California")
        XCTAssertEqual(order.customer?.phone, "+14155550100")
    }

    static func specURL(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/specs/backmarket/\(name).json")
    }

    func testCamelCaseAddressAndMissingEmail() throws {
        let order = try map(Self.camelCase)
        XCTAssertEqual(order.ref.externalID, "40012399")
        XCTAssertEqual(order.status, .awaitingShipment)
        XCTAssertEqual(order.channelStatus, "3")
        XCTAssertEqual(order.shippingAddress, Address(name: "Anna Schmidt", line1: "Hauptstr. 1", postcode: "10115",
                                                      city: "Berlin", state: "BE", country: "DE", phone: "+4930123456"))
        XCTAssertNil(order.billingAddress)
        XCTAssertEqual(order.customer, Customer(name: "Anna Schmidt", email: nil, phone: "+4930123456"))
        XCTAssertEqual(order.shippingMethod, "DHL Express", "shipper_display when there is no delivery_mode")
        XCTAssertNil(order.updatedAt)
        XCTAssertEqual(order.createdAt.map(Timestamp.format), "2024-03-10T08:00:00Z")
        let customer = try XCTUnwrap(try publicJSON(order)["customer"] as? [String: Any])
        XCTAssertTrue(customer["email"] is NSNull, "missing email is printed as null")
    }

    func testCamelCaseLines() throws {
        let order = try map(Self.camelCase)
        XCTAssertEqual(order.lines.count, 2)
        let caseLine = order.lines[0], phone = order.lines[1]
        XCTAssertEqual(caseLine.lineID, "61000001")
        XCTAssertEqual(caseLine.sku, "CASE-01")
        XCTAssertEqual(caseLine.quantity, 2)
        XCTAssertEqual(caseLine.unitPrice?.description, "15.00")
        XCTAssertEqual(caseLine.options, [:])
        XCTAssertNil(caseLine.brand)
        XCTAssertFalse(caseLine.requiresIMEI)
        XCTAssertEqual(phone.sku, "SM-G991B", "sku when there is no listing")
        XCTAssertEqual(phone.name, "Samsung S21 128GB", "title when there is no product")
        XCTAssertEqual(phone.imei, "352099001761481", "imei_numbers[0] when imei is absent")
        XCTAssertEqual(phone.serial, "R58N123")
        XCTAssertEqual(phone.channelState, "2")
    }

    func testEmailFromTheBillingAddressWhenShippingHasNone() throws {
        let order = try map("""
            {"order_id":7,"state":3,"shipping_address":{"first_name":"A","last_name":"B"},
             "billing_address":{"first_name":"A","last_name":"B","email":"a.b@example.com"},"orderlines":[]}
            """)
        XCTAssertEqual(order.customer?.email, "a.b@example.com")
    }

    func testNoAddressMeansNoCustomer() throws {
        let order = try map(#"{"order_id":7,"state":3,"shipping_address":{},"billing_address":null,"orderlines":[]}"#)
        XCTAssertNil(order.shippingAddress)
        XCTAssertNil(order.billingAddress)
        XCTAssertNil(order.customer)
    }

    // MARK: requires_imei

    func testRequiresIMEIFromDefaultGlobsOnTitleOrSKU() throws {
        func line(_ product: String, _ listing: String) -> String {
            #"{"id":1,"state":2,"product":"\#(product)","listing":"\#(listing)"}"#
        }
        let cases: [(String, String, Bool)] = [
            ("Apple IPHONE 13", "X-1", true),
            ("Refurbished smartphone", "X-2", true),
            ("Galaxy S21", "X-3", true),
            ("Google Pixel 7", "X-4", true),
            ("MacBook Air", "SKU-IPHONE-CASE", true),  // SKU match
            ("AirPods Pro", "AP-2", false),
            ("iPad Air", "IPAD-1", false),
        ]
        for (product, listing, expected) in cases {
            let order = try map(#"{"order_id":1,"state":3,"orderlines":[\#(line(product, listing))]}"#)
            XCTAssertEqual(order.lines.first?.requiresIMEI, expected, "\(product) / \(listing)")
        }
    }

    func testRequiresIMEIFromConfiguredGlobs() throws {
        let payload = """
            {"order_id":1,"state":3,"orderlines":[
              {"id":1,"state":2,"product":"iPhone 12","listing":"PH-001"},
              {"id":2,"state":2,"product":"Tablet","listing":"tab-phone-7"},
              {"id":3,"state":2,"product":"Charger","listing":"CH-1"}]}
            """
        let order = try map(payload, patterns: ["ph-???", "*PHONE-?"])
        XCTAssertEqual(order.lines.map(\.requiresIMEI), [true, true, false])
        XCTAssertEqual(try map(payload, patterns: []).lines.map(\.requiresIMEI), [false, false, false])
    }

    // MARK: Status through the mapper

    func testChannelStatusKeepsTheOrderStateAndLineStatesAreKept() throws {
        let shipped = try map(#"{"order_id":1,"state":9,"orderlines":[{"id":1,"state":3},{"id":2,"state":6}]}"#)
        XCTAssertEqual(shipped.status, .shipped)
        XCTAssertEqual(shipped.channelStatus, "9")
        XCTAssertEqual(shipped.lines.map(\.channelState), ["3", "6"])
        XCTAssertEqual(try map(#"{"order_id":1,"state":1,"orderlines":[{"id":1,"state":9}]}"#).status, .onHold)
        XCTAssertEqual(try map(#"{"order_id":1,"state":8,"orderlines":[{"id":1,"state":1}]}"#).status, .cancelled)
        XCTAssertEqual(try map(#"{"order_id":1,"state":1,"orderlines":[{"id":1,"state":8}]}"#).status, .pendingPayment)
    }

    func testTrackingNumberOnTheChannelIsKeptInExtra() throws {
        let order = try map(#"{"order_id":1,"state":9,"tracking_number":"6A123","orderlines":[{"id":1,"state":3}]}"#)
        XCTAssertEqual(order.extra["tracking_number"], "6A123")
    }

    // MARK: Malformed orders

    func testMalformedOrdersThrowNamingTheField() {
        let cases: [(String, String)] = [
            (#"[]"#, "invalid field order (not an object)"),
            (#"{"state":1,"orderlines":[]}"#, "missing field order_id"),
            (#"{"order_id":"","state":1,"orderlines":[]}"#, "missing field order_id"),
            (#"{"order_id":"40-12","state":1,"orderlines":[]}"#, "missing field order_id"),
            (#"{"order_id":1,"orderlines":[]}"#, "missing field state"),
            (#"{"order_id":1,"state":"x","orderlines":[]}"#, "missing field state"),
            (#"{"order_id":1,"state":1}"#, "missing field orderlines"),
            (#"{"order_id":1,"state":1,"orderlines":{}}"#, "missing field orderlines"),
            (#"{"order_id":1,"state":1,"orderlines":[{"id":1,"state":1},{"state":1}]}"#, "missing field orderlines[1].id"),
            (#"{"order_id":1,"state":1,"orderlines":[{"id":1}]}"#, "missing field orderlines[0].state"),
            (#"{"order_id":1,"state":1,"orderlines":[{"id":1,"state":1,"quantity":0}]}"#, "invalid field orderlines[0].quantity"),
            (#"{"order_id":1,"state":1,"orderlines":[{"id":1,"state":1,"quantity":"two"}]}"#, "invalid field orderlines[0].quantity"),
            (#"{"order_id":1,"state":1,"orderlines":[{"id":1,"state":1,"quantity":1.5}]}"#, "invalid field orderlines[0].quantity"),
            (#"{"order_id":1,"state":1,"orderlines":[{"id":1,"state":1,"quantity":-1}]}"#, "invalid field orderlines[0].quantity"),
            (#"{"order_id":1,"state":1,"orderlines":[{"id":1,"state":1,"price":"12,00"}]}"#, "invalid field orderlines[0].price"),
            (#"{"order_id":1,"state":1,"price":"12,00","orderlines":[]}"#, "invalid field price"),
            (#"{"order_id":1,"state":1,"price":"1.00","shipping_price":true,"orderlines":[]}"#, "invalid field shipping_price"),
            (#"{"order_id":1,"state":1,"date_creation":"yesterday","orderlines":[]}"#, "invalid field date_creation"),
            (#"{"order_id":1,"state":3,"date_modification":"2024-13-01T00:00:00Z","orderlines":[]}"#, "invalid field date_modification"),
            (#"{"order_id":1,"state":1,"date_payment":"10/03/2024","orderlines":[]}"#, "invalid field date_payment"),
        ]
        for (payload, message) in cases {
            XCTAssertEqual(mappingError(payload), message, payload)
        }
    }

    func testNullAndEmptyOptionalFieldsAreNotErrors() throws {
        let order = try map("""
            {"order_id":1,"state":3,"price":null,"shipping_price":null,"date_creation":"","date_modification":null,
             "currency":"","payment_method":"","orderlines":[{"id":1,"state":2,"brand":"","image":"","imei":""},
                {"id":2,"state":2,"quantity":null},{"id":3,"state":2,"quantity":"3"}]}
            """)
        XCTAssertNil(order.total)
        XCTAssertNil(order.createdAt)
        XCTAssertNil(order.currency)
        XCTAssertNil(order.paymentMethod)
        XCTAssertNil(order.lines[0].brand)
        XCTAssertNil(order.lines[0].imageURL)
        XCTAssertNil(order.lines[0].imei)
        XCTAssertEqual(order.lines.map(\.quantity), [1, 1, 3], "absent or null quantity is 1; a numeric string counts")
    }
}
