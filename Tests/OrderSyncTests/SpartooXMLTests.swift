import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// Spartoo fixtures in Tests/Fixtures/spartoo, found from this file's path.
enum SpartooFixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/spartoo", isDirectory: true)

    static func data(_ name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(name))
    }

    static func root(_ name: String) throws -> SpartooXMLElement {
        try SpartooXML.parse(try data(name))
    }

    static func orders(_ name: String) throws -> [SpartooXMLElement] {
        SpartooChannel.orderElements(try root(name))
    }

    static let mapper = SpartooMapper(channelID: "spartoo-fr")

    static func utc(_ text: String) -> Date { Timestamp.parse(text)! }
}

/// The XML layer on the fixtures: one vs many, CDATA, entities, declared encodings, codes, malformed input.
final class SpartooXMLTests: XCTestCase {
    func testSingleOrderFixtureMapsEveryField() throws {
        let elements = try SpartooFixture.orders("single-order.xml")
        XCTAssertEqual(elements.count, 1, "one <order> is still a list")
        let order = try SpartooFixture.mapper.order(from: elements[0], site: "fr").order
        XCTAssertEqual(order.ref.description, "spartoo-fr:3FF75E96C3434E92")
        XCTAssertEqual(order.site, "fr")
        XCTAssertEqual(order.status, .awaitingAcceptance)
        XCTAssertEqual(order.channelStatus, "11")
        XCTAssertEqual(order.createdAt, SpartooFixture.utc("2024-03-10T09:30:00Z"), "Paris winter time → UTC")
        XCTAssertEqual(order.updatedAt, SpartooFixture.utc("2024-03-10T09:31:00Z"))
        XCTAssertEqual(order.currency, "EUR")
        XCTAssertEqual(order.total?.description, "94.80")
        XCTAssertEqual(order.shippingTotal?.description, "4.90")
        XCTAssertNil(order.discountTotal)
        XCTAssertEqual(order.customer, Customer(name: "Hélène L'Hôte", email: "helene.lhote@example.fr", phone: "0612345678"))
        XCTAssertEqual(order.billingAddress, Address(name: "Hélène L'Hôte", company: "Dupont & Fils", line1: "12 rue de l'Église",
                                                     line2: "Bâtiment B", postcode: "69002", city: "Lyon", country: "FR",
                                                     phone: "0612345678"))
        XCTAssertEqual(order.shippingAddress, Address(name: "Marie Martin", line1: "5 avenue Foch", line2: "c/o Mme Durand",
                                                      postcode: "69100", city: "Villeurbanne", country: "FR", phone: "0612345678"))
        XCTAssertNil(order.pickupPoint)
        XCTAssertEqual(order.paymentMethod, "CB")
        XCTAssertEqual(order.shippingMethod, "Colissimo")
        XCTAssertNil(order.acceptBy, "left to Ingest: first sight + accept_within_hours")
        XCTAssertNil(order.carrier, "set by the core from shipping_rules")
        XCTAssertEqual(order.lines, [OrderLine(lineID: "987654-REF-123-42", sku: "REF-123-42", name: "Derby « Élégance »",
                                               brand: "Kickers", quantity: 1, unitPrice: Money("89.90"),
                                               options: ["size": "42", "color": "Noir", "reference": "REF-123"])])
    }

    func testManyOrdersWithCDATAEntitiesCommaDecimalsAndUnknownStatus() throws {
        let elements = try SpartooFixture.orders("many-orders.xml")
        XCTAssertEqual(elements.count, 3)
        let mapped = try elements.map { try SpartooFixture.mapper.order(from: $0, site: "fr") }
        let first = mapped[0].order
        XCTAssertEqual(first.status, .awaitingShipment)
        XCTAssertEqual(first.customer?.name, "François & Zoé D'Arcy <Jr>", "CDATA kept verbatim")
        XCTAssertEqual(first.total?.description, "279.80", "decimal comma read")
        XCTAssertEqual(first.createdAt, SpartooFixture.utc("2024-07-01T12:05:00Z"), "colon before the time; Paris summer time")
        XCTAssertEqual(first.shippingAddress, first.billingAddress, "empty delivery block falls back to the buyer")
        XCTAssertEqual(first.lines.map(\.lineID), ["111111-SNK-1-40", "222222"])
        XCTAssertEqual(first.lines.map(\.sku), ["SNK-1-40", "BOT-7"], "size reference, else the product reference")
        XCTAssertEqual(first.lines[0].name, "Sneakers & lacets")
        XCTAssertEqual(first.lines[0].quantity, 2)
        XCTAssertEqual(first.lines[0].unitPrice?.description, "99.95")

        let second = mapped[1].order
        XCTAssertEqual(second.status, .undelivered)
        XCTAssertEqual(second.billingAddress?.line1, "Calle de Alcalá 45", "house number from *_company, after the street in Spain")
        XCTAssertEqual(second.billingAddress?.company, "")
        XCTAssertEqual(second.billingAddress?.country, "ES")
        XCTAssertEqual(second.shippingAddress, second.billingAddress, "<delivery/> falls back to the buyer")
        XCTAssertEqual(second.lines[0].unitPrice?.description, "64.90", "final price of a quantity-1 line")
        XCTAssertEqual(second.extra["tracking_number"], "6A12345678901")

        let third = mapped[2]
        XCTAssertEqual(third.order.status, .onHold, "unknown status → on_hold")
        XCTAssertEqual(third.unknownStatus, 99)
        XCTAssertEqual(third.order.channelStatus, "99")
        XCTAssertEqual(third.order.lines[0].name, "Ballerines & nœud", "HTML entity &oelig; repaired")
        XCTAssertNil(third.order.customer?.email)
        XCTAssertNil(third.order.updatedAt)
    }

    func testPickupPointBecomesThePickupPoint() throws {
        let element = try XCTUnwrap(try SpartooFixture.orders("pickup-point.xml").first)
        let order = try SpartooFixture.mapper.order(from: element, site: "fr").order
        XCTAssertEqual(order.pickupPoint, PickupPoint(id: "012345", name: "Tabac L'Étoile & Presse", address: Address(
            name: "Tabac L'Étoile & Presse", line1: "3 place du Marché", postcode: "69003", city: "Lyon", country: "FR")))
        XCTAssertEqual(order.shippingAddress?.name, "Chloé Bénard")
        XCTAssertEqual(order.shippingMethod, "Mondial Relay")
        XCTAssertEqual(order.extra["relay_type"], "MONDIAL_RELAY")
        XCTAssertEqual(order.createdAt, SpartooFixture.utc("2024-08-15T21:30:00Z"))
    }

    /// libxml2 refuses a document over 10 MB handed over in one piece; a large site's 10-day window is bigger.
    func testAReplyOverTenMegabytesIsParsedWhole() throws {
        let text = String(decoding: try SpartooFixture.data("single-order.xml"), as: UTF8.self)
        let start = try XCTUnwrap(text.range(of: "<order>")), end = try XCTUnwrap(text.range(of: "</order>"))
        let order = String(text[start.lowerBound..<end.upperBound])
        let count = 11_000_000 / order.utf8.count + 1
        var document = String(text[..<start.lowerBound])
        document.reserveCapacity(count * (order.utf8.count + 4) + 200)
        for index in 0..<count {
            document += order.replacingOccurrences(of: "3FF75E96C3434E92", with: String(format: "%016X", index))
        }
        document += String(text[end.upperBound...])
        XCTAssertGreaterThan(document.utf8.count, 10_500_000)
        let elements = SpartooChannel.orderElements(try SpartooXML.parse(Data(document.utf8)))
        XCTAssertEqual(elements.count, count)
        XCTAssertEqual(elements.last?.string("orders_id"), String(format: "%016X", count - 1))
    }

    func testEmptyListIsNotAnError() throws {
        let root = try SpartooFixture.root("empty-list.xml")
        XCTAssertEqual(SpartooChannel.orderElements(root).count, 0)
        XCTAssertEqual(SpartooCode.find(in: root), SpartooCode(1))
        let reply = try SpartooChannel.parseReply(try SpartooFixture.data("empty-list.xml"))
        XCTAssertTrue(SpartooChannel.isExport(reply))
    }

    func testErrorResponseCodeAndClassification() throws {
        let code = try XCTUnwrap(SpartooCode.find(in: try SpartooFixture.root("error-response.xml")))
        XCTAssertEqual(code.value, -2)
        XCTAssertEqual(code.text, "Partenaire inconnu")
        let error = code.error(operation: "list orders", site: "fr")
        XCTAssertEqual(error.kind, .unauthorized)
        XCTAssertTrue(error.message.contains("partner_id"), error.message)
        XCTAssertEqual(SpartooCode.find(in: try SpartooFixture.root("update-reply.xml")), SpartooCode(1))
    }

    func testISO88591DeclaredDocumentIsConvertedBeforeParsing() throws {
        let data = try SpartooFixture.data("iso-8859-1.xml")
        XCTAssertNil(String(data: data, encoding: .utf8), "the fixture really is Latin-1")
        let element = try XCTUnwrap(SpartooChannel.orderElements(try SpartooXML.parse(data)).first)
        let order = try SpartooFixture.mapper.order(from: element, site: "de").order
        XCTAssertEqual(order.customer?.name, "Hélène Müller-Besançon")
        XCTAssertEqual(order.billingAddress?.line1, "Schloßstraße 5a")
        XCTAssertEqual(order.billingAddress?.city, "Köln")
        XCTAssertEqual(order.billingAddress?.country, "DE")
        XCTAssertEqual(order.lines[0].name, "Bottes « Cœur » d’hiver", "numeric reference and the Windows-1252 quote")
        XCTAssertEqual(order.lines[0].sku, "Cœur-1")
        XCTAssertEqual(order.status, .shipped)
        XCTAssertEqual(order.createdAt, SpartooFixture.utc("2024-10-27T00:30:00Z"), "the repeated autumn hour reads as summer time")
    }

    func testMalformedXMLIsAClearErrorNeverACrash() throws {
        XCTAssertThrowsError(try SpartooXML.parse(try SpartooFixture.data("malformed.xml"))) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("not well-formed XML"), text)
            XCTAssertTrue(text.contains("line"), text)
        }
        XCTAssertThrowsError(try SpartooChannel.parseReply(Data("<html><body>Maintenance</body></html>".utf8)))
        XCTAssertThrowsError(try SpartooChannel.parseReply(Data()))
        XCTAssertThrowsError(try SpartooXML.parse(Data("<!DOCTYPE r [<!ENTITY a \"aaaa\">]><r>&a;</r>".utf8)))
        // Every truncation of a real reply either parses or throws: never a crash, never a hang.
        let full = try SpartooFixture.data("many-orders.xml")
        for length in stride(from: 0, to: full.count, by: 37) {
            _ = try? SpartooXML.parse(full.prefix(length))
        }
    }

    func testSanitizerRepairsBareAmpersandsAndHTMLEntitiesButNotCDATA() throws {
        let xml = "<r><a>Dupont & Fils &eacute;t&eacute; &amp; &#233; &#xE9; &bogus; &</a><b><![CDATA[a & b &eacute;]]></b>\u{1}</r>"
        let root = try SpartooXML.parse(Data(xml.utf8))
        XCTAssertEqual(root.string("a"), "Dupont & Fils été & é é &bogus; &")
        XCTAssertEqual(root.string("b"), "a & b &eacute;")
    }

    func testCodeIsFoundLiberally() throws {
        func code(_ xml: String) throws -> Int? { SpartooCode.find(in: try SpartooXML.parse(Data(xml.utf8)))?.value }
        XCTAssertEqual(try code("<root><errors>-7</errors></root>"), -7)
        XCTAssertEqual(try code("<root><errors><error><id>-15</id><description>x</description></error></errors></root>"), -15)
        XCTAssertEqual(try code("<root><statut><id>-429</id></statut></root>"), -429)
        XCTAssertEqual(try code("<root><statut>-9</statut></root>"), -9)
        XCTAssertEqual(try code("<root>-6</root>"), -6)
        XCTAssertNil(try code("<root><orders><order><errors><error><id>-1</id></error></errors></order></orders></root>"),
                     "an order's own errors are not the reply's code")
        XCTAssertEqual(try SpartooChannel.parseReply(Data(" -2\n".utf8)).code, SpartooCode(-2))
        XCTAssertNil(try SpartooChannel.parseReply(Data("<root><bl/></root>".utf8)).code)
    }

    func testSlipReplyDecodesToAPDF() throws {
        let root = try SpartooFixture.root("slip.xml")
        let pdf = try XCTUnwrap(SpartooChannel.slipPDF(in: root, orderID: "3FF75E96C3434E92"))
        XCTAssertTrue(pdf.starts(with: Array("%PDF".utf8)))
        XCTAssertEqual(SpartooCode.find(in: root), SpartooCode(1))
    }

    func testSerializedElementRoundTrips() throws {
        let element = try XCTUnwrap(try SpartooFixture.orders("many-orders.xml").first)
        let again = try SpartooXML.parse(Data(element.xml.utf8))
        XCTAssertEqual(again.path("customers/customers_lastname")?.value, "D'Arcy <Jr>")
        XCTAssertEqual(try SpartooFixture.mapper.order(from: again, site: "fr").order,
                       try SpartooFixture.mapper.order(from: element, site: "fr").order, "the raw payload maps the same")
    }
}

/// The name scanner's ASCII mask is the name rule itself, byte for byte.
final class SpartooNameMaskTests: XCTestCase {
    func testTheMaskAnswersLikeTheRuleForEveryASCIIByte() {
        for byte in UInt8(0)..<0x80 {
            XCTAssertEqual(SpartooXMLReader.continuesNameMask(byte), SpartooXMLReader.continuesName(byte), "byte \(byte)")
        }
    }
}
