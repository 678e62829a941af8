import Foundation
import XCTest

@testable import ChannelSimulator

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Builds a request to a Spartoo script the three ways clients send parameters.
func spartooRequest(_ script: String, _ parameters: [(String, String)], as kind: SpartooSimulator.BodyKind = .urlencoded,
                    method: String? = nil) -> HTTPRequest {
    func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? s
    }
    let form = parameters.map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&")
    switch kind {
    case .query:
        return HTTPRequest(method: method ?? "GET", path: "/mp/\(script)", rawQuery: form)
    case .urlencoded:
        return HTTPRequest(method: method ?? "POST", path: "/mp/\(script)",
                           headers: [("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")], body: Data(form.utf8))
    case .multipart:
        let boundary = "----ordersync\(UUID().uuidString)"
        var body = ""
        for (name, value) in parameters {
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
        }
        body += "--\(boundary)--\r\n"
        return HTTPRequest(method: method ?? "POST", path: "/mp/\(script)",
                           headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")], body: Data(body.utf8))
    }
}

/// The Spartoo code in a reply, read the way the notes suggest (errors, error/id, statut/id, lone integer).
func spartooCode(_ response: HTTPResponse) -> Int? {
    let text = response.bodyText
    if let lone = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) { return lone }
    for pattern in ["<errors>(-?[0-9]+)</errors>", "<id>(-?[0-9]+)</id>"] {
        if let range = text.range(of: pattern, options: .regularExpression) {
            return Int(text[range].filter { $0 == "-" || $0.isNumber })
        }
    }
    return nil
}

/// True when `data` is well-formed XML: the parser succeeds and every element it opened was closed
/// (Foundation's parser on Linux does not report a document that simply stops).
func isWellFormed(_ data: Data) -> Bool {
    final class Depth: NSObject, XMLParserDelegate {
        var depth = 0
        var closedRoot = false
        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) { depth += 1 }
        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            depth -= 1
            if depth == 0 { closedRoot = true }
        }
    }
    let parser = XMLParser(data: data)
    let delegate = Depth()
    parser.delegate = delegate
    return parser.parse() && delegate.depth == 0 && delegate.closedRoot
}

final class SpartooSimulatorTests: XCTestCase {
    let partner = "0A1B2C3D4E5F6789"
    var clock: SimulatorClock!
    var simulator: SpartooSimulator!

    override func setUp() {
        clock = SimulatorClock(start: SimDate.parse("2024-08-20T10:00:00Z")!)
        simulator = SpartooSimulator(partnerIDs: [partner], sites: ["fr", "es"], clock: clock.now)
    }

    private func call(_ script: String, _ parameters: [(String, String)], site: String = "fr",
                      as kind: SpartooSimulator.BodyKind = .urlencoded) -> HTTPResponse {
        simulator.handle(spartooRequest(script, parameters, as: kind), site: site)
    }

    private func export(_ parameters: [(String, String)], site: String = "fr") -> HTTPResponse {
        call("xml_export_orders.php", [("partenaire", partner)] + parameters, site: site)
    }

    private func update(_ id: String, _ status: Int, tracking: String? = nil, site: String = "fr") -> HTTPResponse {
        var parameters = [("partenaire", partner), ("oID", id), ("statut", String(status))]
        if let tracking { parameters.append(("tracking_number", tracking)) }
        return call("xml_maj_orders.php", parameters, site: site)
    }

    func testPartnerChecksAnswerCodesUnderHTTP200() {
        let missing = call("xml_export_orders.php", [("date", "2024-08-01:00:00:00")])
        XCTAssertEqual(missing.status, 200)
        XCTAssertEqual(spartooCode(missing), -1)
        XCTAssertEqual(spartooCode(call("xml_export_orders.php", [("partenaire", "FFFF"), ("date", "2024-08-01:00:00:00")])), -2)
        simulator.setDeactivated([partner])
        XCTAssertEqual(spartooCode(export([("date", "2024-08-01:00:00:00")])), -428)
        simulator.setDeactivated([])
        XCTAssertEqual(spartooCode(export([("date", "2024-08-01:00:00:00")])), 1)
        XCTAssertEqual(simulator.journal.map(\.code), [-1, -2, -428, 1])
        XCTAssertEqual(simulator.handle(spartooRequest("nope.php", []), site: "fr").status, 404)
    }

    func testExportByDateOrIDWithSitesKeptApart() {
        let old = simulator.addOrder(.init(site: "fr", purchasedAt: SimDate.parse("2024-07-01T10:00:00Z")))
        let recent = simulator.addOrder(.init(site: "fr", status: 2, purchasedAt: SimDate.parse("2024-08-15T10:00:00Z")))
        let spanish = simulator.addOrder(.init(site: "es", purchasedAt: SimDate.parse("2024-08-15T10:00:00Z")))
        XCTAssertEqual(spartooCode(export([])), -3)
        XCTAssertEqual(spartooCode(export([("date", "yesterday")])), -3)
        let window = export([("date", "2024-08-10:00:00:00")])
        XCTAssertTrue(window.bodyText.contains(recent.id) && !window.bodyText.contains(old.id) && !window.bodyText.contains(spanish.id))
        XCTAssertTrue(isWellFormed(window.body))
        XCTAssertTrue(export([("date", "2024-06-10 00:00:00")]).bodyText.contains(old.id), "space before the time too")
        let filtered = export([("date", "2024-06-10:00:00:00"), ("statut", "11")])
        XCTAssertTrue(filtered.bodyText.contains(old.id) && !filtered.bodyText.contains(recent.id))
        XCTAssertEqual(spartooCode(export([("date", "2030-01-01:00:00:00")])), 1, "an empty list is a success")
        XCTAssertTrue(export([("oID", spanish.id)], site: "es").bodyText.contains(spanish.id))
        XCTAssertEqual(spartooCode(export([("oID", spanish.id)], site: "fr")), -6, "another site's order is not found here")
        XCTAssertTrue(export([("oID", old.id)]).bodyText.contains("<date_purchased>2024-07-01 12:00:00</date_purchased>"),
                      "dates are Paris wall time")
    }

    func testParametersFromQueryUrlencodedAndMultipartAlike() {
        let order = simulator.addOrder(.init(site: "fr"))
        for kind in [SpartooSimulator.BodyKind.query, .urlencoded, .multipart] {
            let reply = call("xml_export_orders.php", [("partenaire", partner), ("oID", order.id)], as: kind)
            XCTAssertTrue(reply.bodyText.contains(order.id), "\(kind)")
        }
        XCTAssertEqual(simulator.journal.map(\.bodyKind), [.query, .urlencoded, .multipart])
        XCTAssertEqual(spartooCode(call("xml_export_orders.php", [("partner", partner), ("oID", order.id)])), -1)
        simulator.updateConfiguration { $0.acceptEnglishAliases = true }
        XCTAssertEqual(spartooCode(call("xml_export_orders.php", [("partner", partner), ("oID", order.id)])), 1)
        XCTAssertEqual(spartooCode(call("xml_maj_orders.php", [("partner", partner), ("oID", order.id), ("status", "2")])), 1)
    }

    func testTransitionsAndTheirCodes() {
        let order = simulator.addOrder(.init(site: "fr"))
        XCTAssertEqual(spartooCode(call("xml_maj_orders.php", [("partenaire", partner), ("oID", order.id)])), -5)
        XCTAssertEqual(spartooCode(update("0000000000000000", 2)), -6)
        XCTAssertEqual(spartooCode(update(order.id, 2, site: "es")), -6, "wrong host")
        XCTAssertEqual(spartooCode(update(order.id, 3, tracking: "X")), -7, "3 only from 2")
        XCTAssertEqual(spartooCode(update(order.id, 45)), -7, "45 only from 3")
        XCTAssertEqual(spartooCode(update(order.id, 11)), -9, "same status")
        XCTAssertEqual(spartooCode(update(order.id, 2)), 1)
        XCTAssertEqual(spartooCode(update(order.id, 2)), -9)
        XCTAssertEqual(spartooCode(update(order.id, 3)), -5, "3 needs a tracking number")
        XCTAssertEqual(spartooCode(update(order.id, 3, tracking: "TRK&1é 2")), 1)
        XCTAssertEqual(spartooCode(update(order.id, 41)), -7, "no cancel after shipping")
        let effects = simulator.appliedEffects(orderID: order.id)
        XCTAssertEqual(effects.map(\.kind), [.accept, .ship])
        XCTAssertEqual(effects.last?.details["tracking_number"], "TRK&1é 2", "& and é survive the form encoding")
        XCTAssertEqual(simulator.order(site: "fr", id: order.id)?.status, 3)
        let other = simulator.addOrder(.init(site: "fr"))
        XCTAssertEqual(spartooCode(update(other.id, 41)), 1)
        XCTAssertEqual(simulator.appliedEffects(orderID: other.id, kind: .cancel).count, 1)
        // The documentation lists 3 → 45 and 3 → 47 among the moves a partner may make.
        let shipped = simulator.addOrder(.init(site: "fr", status: 3))
        XCTAssertEqual(spartooCode(update(shipped.id, 47)), 1)
        XCTAssertEqual(spartooCode(update(shipped.id, 45)), -7, "only from 3")
        XCTAssertEqual(simulator.appliedEffects(orderID: shipped.id).map(\.kind), [.parcelOutcome])
    }

    func testHourlyQuotaPerSiteAndClockHour() {
        simulator.updateConfiguration { $0.hourlyQuota = 3 }
        for _ in 0..<3 { XCTAssertEqual(spartooCode(export([("date", "2024-08-01:00:00:00")])), 1) }
        XCTAssertEqual(spartooCode(export([("date", "2024-08-01:00:00:00")])), -429)
        XCTAssertEqual(spartooCode(export([("date", "2024-08-01:00:00:00")], site: "es")), 1, "counted per host")
        XCTAssertEqual(simulator.quotaCalls(site: "fr"), 4)
        clock.advance(by: 3600)
        XCTAssertEqual(spartooCode(export([("date", "2024-08-01:00:00:00")])), 1, "a new clock hour")
    }

    func testDeliverySlipIsABase64PDF() throws {
        let order = simulator.addOrder(.init(site: "es", status: 2))
        let slip = "xml_export_bl.php"
        XCTAssertEqual(spartooCode(call(slip, [("partenaire", partner)], site: "es")), -11)
        XCTAssertEqual(spartooCode(call(slip, [("partenaire", partner), ("xml", "<root><order_id>")], site: "es")), -15)
        let xml = "<root><order_id>\(order.id)</order_id><products><product><reference_partenaire><![CDATA[REF-123]]></reference_partenaire><product_quantity>1</product_quantity></product></products></root>"
        XCTAssertEqual(spartooCode(call(slip, [("partenaire", partner), ("xml", xml)], site: "fr")), -6)
        let reply = call(slip, [("partenaire", partner), ("xml", xml)], site: "es", as: .multipart)
        XCTAssertEqual(spartooCode(reply), 1)
        let text = reply.bodyText
        let start = try XCTUnwrap(text.range(of: "<pdf>")), end = try XCTUnwrap(text.range(of: "</pdf>"))
        let pdf = try XCTUnwrap(Data(base64Encoded: String(text[start.upperBound..<end.lowerBound]), options: .ignoreUnknownCharacters))
        XCTAssertTrue(pdf.starts(with: Array("%PDF-1.4".utf8)))
        let pdfText = String(decoding: pdf, as: UTF8.self)
        XCTAssertTrue(pdfText.contains(order.id) && pdfText.hasSuffix("%%EOF\n"))
        // The cross-reference offset points at the `xref` keyword.
        let startxref = try XCTUnwrap(pdfText.range(of: "startxref\n"))
        let offset = try XCTUnwrap(Int(pdfText[startxref.upperBound...].prefix { $0.isNumber }))
        XCTAssertTrue(pdf[offset...].starts(with: Array("xref".utf8)))
        XCTAssertEqual(SlipRequest.parse(xml)?.products.first?.reference, "REF-123")
        // Products are known by the partner's product reference; a size reference is −12 unless the switch says so.
        let sized = xml.replacingOccurrences(of: "REF-123]]", with: "REF-123-42]]")
        XCTAssertEqual(spartooCode(call(slip, [("partenaire", partner), ("xml", sized)], site: "es")), -12)
        simulator.updateConfiguration { $0.slipReference = .size }
        XCTAssertEqual(spartooCode(call(slip, [("partenaire", partner), ("xml", sized)], site: "es")), 1)
        XCTAssertEqual(spartooCode(call(slip, [("partenaire", partner), ("xml", xml)], site: "es")), -12)
    }

    func testFaults() {
        let order = simulator.addOrder(.init(site: "fr"))
        simulator.injectFault(.serverError(status: 503), script: "xml_export_orders.php")
        XCTAssertEqual(export([("oID", order.id)]).status, 503)
        simulator.injectFault(.serverErrorAfterApplying(status: 502))
        XCTAssertEqual(update(order.id, 2).status, 502)
        XCTAssertEqual(simulator.appliedEffects(orderID: order.id, kind: .accept).count, 1, "applied despite the 502")
        simulator.injectFault(.malformedXML)
        let malformed = export([("oID", order.id)])
        XCTAssertEqual(malformed.status, 200)
        XCTAssertFalse(isWellFormed(malformed.body))
        simulator.injectFault(.truncatedBody)
        XCTAssertFalse(isWellFormed(export([("oID", order.id)]).body))
        simulator.injectFault(.htmlPage)
        XCTAssertTrue(export([("oID", order.id)]).bodyText.hasPrefix("<!DOCTYPE html>"))
        simulator.injectFault(.quotaExceeded)
        XCTAssertEqual(spartooCode(export([("oID", order.id)])), -429)
        simulator.injectFault(.dropConnection)
        XCTAssertTrue(export([("oID", order.id)]).abortConnection)
        simulator.injectFault(.latin1Body, site: "fr")
        let latin = export([("oID", order.id)])
        XCTAssertTrue(latin.bodyText.hasPrefix("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"))
        XCTAssertNil(String(data: latin.body, encoding: .utf8), "really Latin-1 bytes (the default order has accents)")
        XCTAssertEqual(simulator.pendingFaultCount, 0)
        XCTAssertEqual(simulator.journal.compactMap(\.fault), ["server-error-503", "server-error-after-applying-502", "malformed-xml",
                                                               "truncated-body", "html-page", "quota-exceeded", "drop-connection",
                                                               "latin1-body"])
        simulator.injectRandomFaults(probability: 1, faults: [.serverError(status: 500)])
        XCTAssertEqual(export([("oID", order.id)]).status, 500)
        simulator.faultsOff()
        XCTAssertEqual(export([("oID", order.id)]).status, 200)
    }

    func testGeneratedOrdersAreRealisticAndWellFormed() {
        let orders = simulator.generateOrders(count: 40, seed: 7)
        XCTAssertEqual(Set(orders.map(\.site)), ["fr", "es"])
        XCTAssertTrue(orders.contains { $0.relay != nil }, "pickup points")
        XCTAssertTrue(orders.contains { $0.products.count > 1 }, "multi-line orders")
        XCTAssertTrue(orders.contains { $0.delivery == nil }, "empty delivery blocks")
        XCTAssertTrue(orders.contains { $0.useCDATA })
        XCTAssertTrue(orders.contains { $0.status == 11 } && orders.contains { $0.status == 3 })
        XCTAssertEqual(Set(orders.map(\.id)).count, 40)
        XCTAssertTrue(orders.allSatisfy { $0.id.count == 16 && $0.id.allSatisfy(\.isHexDigit) })
        for site in ["fr", "es"] {
            let reply = export([("date", "2024-08-01:00:00:00")], site: site)
            XCTAssertTrue(isWellFormed(reply.body), site)
            XCTAssertTrue(reply.bodyText.contains("&amp;") || reply.bodyText.contains("<![CDATA["), site)
            XCTAssertTrue(reply.bodyText.contains("'"), "apostrophes")
        }
        let again = SpartooSimulator(partnerIDs: [partner], sites: ["fr", "es"], clock: clock.now)
        XCTAssertEqual(again.generateOrders(count: 40, seed: 7), orders, "repeatable")
        simulator.updateConfiguration { $0.encoding = .isoLatin1; $0.decimalComma = true }
        let latin = export([("date", "2024-08-01:00:00:00")])
        XCTAssertTrue(latin.bodyText.hasPrefix("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"))
        XCTAssertTrue(isWellFormed(latin.body))
        XCTAssertTrue(latin.bodyText.contains(",00</shipping_price>") || latin.bodyText.contains(",90</shipping_price>"))
    }

    func testTimedEvents() {
        simulator.updateConfiguration {
            $0.newOrderEvery = 60
            $0.shippedOutcome = .init(status: 45, after: 3600)
            $0.autoCancelAfter = 86_400
        }
        let shipped = simulator.addOrder(.init(site: "fr", status: 3, trackingNumber: "T1"))
        let waiting = simulator.addOrder(.init(site: "fr"))
        clock.advance(by: 150)
        _ = export([("oID", shipped.id)])
        XCTAssertEqual(simulator.allOrders().count, 4, "two new orders in 150 s, one per site in turn")
        XCTAssertEqual(Set(simulator.allOrders().map(\.site)), ["fr", "es"])
        simulator.updateConfiguration { $0.newOrderEvery = nil }
        clock.advance(by: 3600)
        _ = export([("oID", shipped.id)])
        XCTAssertEqual(simulator.order(site: "fr", id: shipped.id)?.status, 45)
        clock.advance(by: 86_400)
        _ = export([("oID", shipped.id)])
        XCTAssertEqual(simulator.order(site: "fr", id: waiting.id)?.status, 41)
        XCTAssertTrue(simulator.appliedEffects.isEmpty, "Spartoo's own moves are not client effects")
    }

    func testErrorShapes() {
        simulator.updateConfiguration { $0.errorShape = .nested }
        let nested = export([])
        XCTAssertTrue(nested.bodyText.contains("<errors><error><id>-3</id>"), nested.bodyText)
        simulator.updateConfiguration { $0.errorShape = .loneInteger }
        XCTAssertEqual(export([]).bodyText, "-3")
    }

    func testServesEachSiteOnItsOwnPortOverSockets() async throws {
        try simulator.start()
        defer { simulator.stop() }
        let order = simulator.addOrder(.init(site: "es"))
        XCTAssertNotEqual(simulator.baseURL(site: "fr"), simulator.baseURL(site: "es"))
        XCTAssertEqual(simulator.hosts["es"], simulator.baseURL(site: "es").absoluteString)
        var request = URLRequest(url: simulator.baseURL(site: "es").appendingPathComponent("mp/xml_export_orders.php"))
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data("partenaire=\(partner)&oID=\(order.id)".utf8)
        let (data, response) = try await URLSession(configuration: .ephemeral).data(for: request)
        XCTAssertEqual((response as? HTTPURLResponse)?.statusCode, 200)
        XCTAssertTrue(String(decoding: data, as: UTF8.self).contains(order.id))
        XCTAssertEqual(simulator.requests(script: "xml_export_orders.php", site: "es").count, 1)
    }
}
