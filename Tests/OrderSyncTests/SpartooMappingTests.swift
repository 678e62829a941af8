import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// Pure values of the Spartoo connector: statuses and push plans, Paris time, amounts, addresses,
/// quarantine rules, the slip request, the cursor.
final class SpartooMappingTests: XCTestCase {
    func testStatusesMapPerTheNotes() {
        let expected: [Int: OrderStatus] = [11: .awaitingAcceptance, 2: .awaitingShipment, 3: .shipped, 41: .cancelled,
                                            45: .lost, 47: .undelivered]
        for (code, status) in expected { XCTAssertEqual(SpartooStates.status(code), status, "\(code)") }
        XCTAssertNil(SpartooStates.status(14))
    }

    func testPushPlans() {
        typealias P = SpartooStates.Plan
        XCTAssertEqual(SpartooStates.plan(.accept, at: 11), P.send([2]))
        for code in [2, 3, 45, 47] {
            guard case .alreadyDone = SpartooStates.plan(.accept, at: code) else { return XCTFail("accept at \(code)") }
        }
        guard case .obsolete = SpartooStates.plan(.accept, at: 41) else { return XCTFail("accept at 41") }
        XCTAssertEqual(SpartooStates.plan(.ship, at: 11), P.send([2, 3]), "an order still at 11 is accepted first")
        XCTAssertEqual(SpartooStates.plan(.ship, at: 2), P.send([3]))
        guard case .alreadyDone = SpartooStates.plan(.ship, at: 3) else { return XCTFail("ship at 3") }
        guard case .obsolete = SpartooStates.plan(.ship, at: 41) else { return XCTFail("ship at 41") }
        XCTAssertEqual(SpartooStates.plan(.cancel, at: 11), P.send([41]))
        XCTAssertEqual(SpartooStates.plan(.cancel, at: 2), P.send([41]))
        guard case .alreadyDone = SpartooStates.plan(.cancel, at: 41) else { return XCTFail("cancel at 41") }
        for code in [3, 45, 47] {
            guard case .refuse = SpartooStates.plan(.cancel, at: code) else { return XCTFail("cancel at \(code)") }
        }
        guard case .refuse(let reason) = SpartooStates.plan(.accept, at: 99) else { return XCTFail("unknown status") }
        XCTAssertTrue(reason.contains("99"))
        XCTAssertTrue(SpartooStates.reached(2, from: 3))
        XCTAssertFalse(SpartooStates.reached(3, from: 2))
        XCTAssertFalse(SpartooStates.reached(41, from: 3))
    }

    func testParisTimeFollowsTheEUSummerTimeRule() {
        XCTAssertEqual(SpartooTime.parse("2024-01-15 12:00:00"), SpartooFixture.utc("2024-01-15T11:00:00Z"))
        XCTAssertEqual(SpartooTime.parse("2024-07-15 12:00:00"), SpartooFixture.utc("2024-07-15T10:00:00Z"))
        XCTAssertEqual(SpartooTime.parse("2024-03-31 01:59:59"), SpartooFixture.utc("2024-03-31T00:59:59Z"), "before the spring change")
        XCTAssertEqual(SpartooTime.parse("2024-03-31 03:00:00"), SpartooFixture.utc("2024-03-31T01:00:00Z"), "after it")
        XCTAssertEqual(SpartooTime.parse("2024-10-27 03:00:00"), SpartooFixture.utc("2024-10-27T02:00:00Z"), "after the autumn change")
        XCTAssertEqual(SpartooTime.parse("2024-07-15T12:00:00+02:00"), SpartooFixture.utc("2024-07-15T10:00:00Z"))
        XCTAssertEqual(SpartooTime.parse("2024-07-15T10:00:00Z"), SpartooFixture.utc("2024-07-15T10:00:00Z"))
        XCTAssertEqual(SpartooTime.parse("2024-07-15"), SpartooFixture.utc("2024-07-14T22:00:00Z"))
        XCTAssertNil(SpartooTime.parse("0000-00-00 00:00:00"))
        XCTAssertNil(SpartooTime.parse("hier"))
        XCTAssertEqual(SpartooTime.parameter(SpartooFixture.utc("2024-03-01T00:00:00Z")), "2024-03-01:01:00:00")
        XCTAssertEqual(SpartooTime.parameter(SpartooFixture.utc("2024-08-01T22:30:00Z")), "2024-08-02:00:30:00")
        XCTAssertEqual(SpartooTime.nextFullHour(after: SpartooFixture.utc("2024-08-01T22:30:10Z")), SpartooFixture.utc("2024-08-01T23:00:00Z"))
        for year in 2020...2030 {
            let day = SpartooTime.civil(SpartooTime.lastSunday(year: year, month: 3) * 86_400)
            XCTAssertEqual(day.month, 3); XCTAssertGreaterThan(day.day, 24)
        }
    }

    func testAmountsAreDecimalWhateverTheSeparator() {
        XCTAssertEqual(SpartooMapper.parseMoney("89.90")?.description, "89.90")
        XCTAssertEqual(SpartooMapper.parseMoney("89,90")?.description, "89.90")
        XCTAssertEqual(SpartooMapper.parseMoney("1 234,50")?.description, "1234.50")
        XCTAssertEqual(SpartooMapper.parseMoney("1.234,50")?.description, "1234.50")
        XCTAssertEqual(SpartooMapper.parseMoney("1,234.50")?.description, "1234.50")
        XCTAssertEqual(SpartooMapper.parseMoney("12 €")?.description, "12")
        XCTAssertNil(SpartooMapper.parseMoney("dix"))
        XCTAssertNil(SpartooMapper.parseMoney("1e3"))
        // Plain amounts take a short way: the same results.
        XCTAssertEqual(SpartooMapper.parseMoney("-12.50")?.description, "-12.50")
        XCTAssertEqual(SpartooMapper.parseMoney("0.05")?.description, "0.05")
        XCTAssertEqual(SpartooMapper.parseMoney("7")?.description, "7")
        XCTAssertNil(SpartooMapper.parseMoney("1.2.3"))
        XCTAssertNil(SpartooMapper.parseMoney(""))
        XCTAssertNil(SpartooMapper.parseMoney("-"))
    }

    func testFinalPricePerUnitOrPerLineIsSettledByTheTotal() {
        let final = Money("40.00")!
        let perLine = SpartooMapper.unitPrices(fromFinal: [(0, final, 2)], lines: 1, total: Money("44.90"), shipping: Money("4.90"))
        XCTAssertEqual(perLine.map { $0.1.description }, ["20.00"])
        let perUnit = SpartooMapper.unitPrices(fromFinal: [(0, final, 2)], lines: 1, total: Money("84.90"), shipping: Money("4.90"))
        XCTAssertEqual(perUnit.map { $0.1.description }, ["40.00"])
        let unknown = SpartooMapper.unitPrices(fromFinal: [(0, final, 2)], lines: 1, total: Money("50.00"), shipping: nil)
        XCTAssertTrue(unknown.isEmpty, "neither fits: nothing invented")
    }

    func testAddressNormalization() throws {
        XCTAssertTrue(SpartooMapper.isHouseNumber("12"))
        XCTAssertTrue(SpartooMapper.isHouseNumber("12 bis"))
        XCTAssertTrue(SpartooMapper.isHouseNumber("3b"))
        XCTAssertFalse(SpartooMapper.isHouseNumber("Dupont & Fils"))
        XCTAssertFalse(SpartooMapper.isHouseNumber("3M France"))
        let xml = """
        <c><customers_firstname>Jean</customers_firstname><customers_company>7</customers_company>
        <customers_street_address>rue Victor Hugo</customers_street_address><customers_country>Belgique</customers_country></c>
        """
        let block = try SpartooXML.parse(Data(xml.utf8))
        let address = try XCTUnwrap(SpartooMapper.address(block, prefix: "customers", phone: "0470"))
        XCTAssertEqual(address.line1, "7 rue Victor Hugo")
        XCTAssertEqual(address.country, "BE")
        XCTAssertEqual(address.phone, "0470")
        XCTAssertEqual(SpartooMapper.normalizedCountry(iso: "", name: "Österreich"), "AT")
        XCTAssertEqual(SpartooMapper.normalizedCountry(iso: "", name: "uk"), "GB")
        XCTAssertEqual(SpartooMapper.normalizedCountry(iso: "", name: "Atlantis"), "Atlantis", "unknown names are kept")
        XCTAssertEqual(SpartooMapper.normalizedCountry(iso: "", name: "Pays-Bas"), "NL")
        XCTAssertEqual(SpartooMapper.normalizedCountry(iso: "", name: "ROYAUME-UNI"), "GB")
        XCTAssertNil(SpartooMapper.address(try SpartooXML.parse(Data("<d/>".utf8)), prefix: "delivery", phone: "1"))
    }

    func testUnusableOrdersThrowAndTheChannelQuarantinesThemKeepingTheRest() throws {
        let elements = try SpartooFixture.orders("quarantine.xml")
        XCTAssertEqual(elements.count, 4)
        XCTAssertNoThrow(try SpartooFixture.mapper.order(from: elements[0], site: "fr"))
        XCTAssertThrowsError(try SpartooFixture.mapper.order(from: elements[1], site: "fr")) {
            XCTAssertEqual($0 as? SpartooMapper.MappingError, .invalid("order_total"))
        }
        XCTAssertThrowsError(try SpartooFixture.mapper.order(from: elements[2], site: "fr")) {
            XCTAssertEqual($0 as? SpartooMapper.MappingError, .missing("orders_id"))
        }
        XCTAssertThrowsError(try SpartooFixture.mapper.order(from: elements[3], site: "fr")) {
            XCTAssertEqual($0 as? SpartooMapper.MappingError, .missing("products"))
        }
        let channel = SpartooChannel(id: "spartoo-fr", endpoints: [], partnerID: Secret("X"), transport: URLSessionTransport(),
                                     minimumSpacing: 0, logger: .discarding)
        let reply = try SpartooChannel.parseReply(try SpartooFixture.data("quarantine.xml"))
        XCTAssertEqual(reply.orderSegments.count, 4, "the orders were cut out of the reply")
        let (page, ids) = channel.page(SpartooChannel.items(of: reply, site: "fr"), site: "fr")
        XCTAssertEqual(page.orders.map(\.order.ref.externalID), ["GOOD000000000001"])
        XCTAssertEqual(ids, ["GOOD000000000001"])
        XCTAssertEqual(page.quarantined.map(\.externalID), ["BADTOTAL00000002", nil, "NOPRODUCTS000004"])
        XCTAssertTrue(page.quarantined[0].reason.contains("order_total"))
        XCTAssertTrue(String(decoding: page.quarantined[0].raw, as: UTF8.self).contains("dix euros"), "the order's own XML is kept")
        XCTAssertFalse(SpartooMapper.validID("es/123"))
        XCTAssertFalse(SpartooMapper.validID("a b"))
        XCTAssertTrue(SpartooMapper.validID("3FF75E96C3434E92"))
    }

    func testIDsWithASitePrefix() {
        XCTAssertTrue(SpartooChannel.split("es/3FF7") == ("es", "3FF7"))
        XCTAssertTrue(SpartooChannel.split("3FF7") == (nil, "3FF7"))
        XCTAssertEqual(SpartooChannel.slipFileName(OrderRef(channel: "sp", externalID: "es/3FF7")), "sp:es_3FF7.pdf")
        let element = try? SpartooFixture.orders("single-order.xml").first
        let mapped = element.flatMap { try? SpartooFixture.mapper.order(from: $0, site: "es", externalID: "es/3FF75E96C3434E92") }
        XCTAssertEqual(mapped?.order.ref.externalID, "es/3FF75E96C3434E92")
        XCTAssertEqual(mapped?.order.site, "es")
    }

    func testSlipRequestEscapesWhatItSends() throws {
        let lines = [OrderLine(lineID: "1", sku: "RÉF&1]]>x", name: "", quantity: 2, unitPrice: nil),
                     OrderLine(lineID: "2", sku: nil, name: "", quantity: 1, unitPrice: nil)]
        let xml = SpartooChannel.slipRequest(orderID: "3FF7", references: SpartooChannel.slipReferences(lines, .product),
                                             quantities: lines.map(\.quantity))
        let root = try SpartooXML.parse(Data(xml.utf8))
        XCTAssertEqual(root.string("order_id"), "3FF7")
        let products = root.child("products")?.children(named: "product") ?? []
        XCTAssertEqual(products.map { $0.string("reference_partenaire") }, ["RÉF&1]]>x", "2"])
        XCTAssertEqual(products.map { $0.string("product_quantity") }, ["2", "1"])
        XCTAssertEqual(FormEncoding.escape("a&b é+c"), "a%26b%20%C3%A9%2Bc")
    }

    func testCursorWindowAndRoundTrip() throws {
        let now = SpartooFixture.utc("2024-08-20T12:00:00Z")
        var cursor = SpartooCursor()
        XCTAssertEqual(cursor.windowStart(site: "fr", now: now, windowDays: 10), now.addingTimeInterval(-10 * 86_400))
        cursor.sites["fr"] = .init(windowStart: now, lastSuccess: now.addingTimeInterval(-20 * 86_400))
        XCTAssertEqual(cursor.windowStart(site: "fr", now: now, windowDays: 10), now.addingTimeInterval(-21 * 86_400),
                       "after an outage the window reaches back to the last success minus a day")
        cursor.sites["fr"] = .init(windowStart: now, lastSuccess: now.addingTimeInterval(-60 * 86_400))
        XCTAssertEqual(cursor.windowStart(site: "fr", now: now, windowDays: 10), now.addingTimeInterval(-30 * 86_400))
        let text = try cursor.encoded()
        XCTAssertEqual(SpartooCursor.decode(text), cursor)
        XCTAssertEqual(SpartooCursor.decode("not json"), SpartooCursor())
        // A cursor saved with a set of open orders keeps its positions and drops the set when saved again.
        let older = #"{"last_reread":"2024-08-20T11:00:00Z","open":{"fr":{"A":"2024-08-19"}},"sites":{"fr":{"last_success":"2024-08-20T12:00:00Z","window_start":"2024-08-10T12:00:00Z"}}}"#
        let migrated = SpartooCursor.decode(older)
        XCTAssertEqual(migrated.sites["fr"]?.windowStart, SpartooFixture.utc("2024-08-10T12:00:00Z"))
        XCTAssertEqual(try migrated.encoded(), #"{"sites":{"fr":{"last_success":"2024-08-20T12:00:00Z","window_start":"2024-08-10T12:00:00Z"}}}"#)
    }

    /// ASCII country names are folded byte by byte; the key must be Foundation's for every one of them.
    func testTheASCIICountryKeyIsFoundationsFolding() {
        let printable = (0x20...0x7E).map { String(UnicodeScalar(UInt8($0))) }
        for character in printable {
            for text in [character, "Ab" + character + "Z-y", character + character] {
                XCTAssertEqual(SpartooMapper.countryKey(text), SpartooMapper.foldedCountryKey(text), text)
            }
        }
        for name in ["France", "PAYS-BAS", "Royaume-Uni", "united KINGDOM", "Czech-Republic", "Atlantis", ""] {
            XCTAssertEqual(SpartooMapper.countryKey(name), SpartooMapper.foldedCountryKey(name), name)
        }
        XCTAssertEqual(SpartooMapper.countryKey("Österreich"), "osterreich", "non-ASCII goes through Foundation")
    }

    /// The address block's element names are the prefix's, whatever the prefix.
    func testAddressFieldNamesFollowThePrefix() {
        for prefix in ["customers", "delivery", "billing"] {
            let names = SpartooMapper.AddressFields.of(prefix)
            XCTAssertEqual([names.company, names.streetAddress, names.street, names.countryISO, names.country, names.firstname,
                            names.lastname, names.suburb, names.postcode, names.city, names.state],
                           ["company", "street_address", "street", "country_iso", "country", "firstname", "lastname", "suburb",
                            "postcode", "city", "state"].map { prefix + "_" + $0 })
        }
    }
}

