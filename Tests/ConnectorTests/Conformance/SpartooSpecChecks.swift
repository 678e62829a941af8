import ChannelSimulator
import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// The spec checks of the Spartoo conformance tests: the connector's requests, the simulator's replies and
/// both code tables against `Tests/Fixtures/specs/spartoo/` (Spartoo's documentation pages).
enum SpartooSpecChecks {
    /// Drives the connector through every call it makes (export by date and by oID, maj 2/3/41, slip in both
    /// reference forms) against the simulator and checks each request the simulator journaled.
    static func everyRequestUsesOnlyDocumentedParameters() async throws {
        let spec = try SpartooSpecOracle()
        let h = try SpartooConnectorHarness()
        defer { h.close() }
        let ship = h.simulator.addOrder(.new(site: "fr", status: 11, lines: 2))
        let cancel = h.simulator.addOrder(.new(site: "es", status: 11))
        try await h.poller.pollOnce()
        _ = try await h.channel.fetchOrder(externalID: "fr/\(ship.id)")
        for (order, kind, payload) in [(ship, JobKind.accept, JobPayload()),
                                       (ship, .ship, SpartooConnectorHarness.shipment("6A12345678901")),
                                       (cancel, .cancel, JobPayload())] {
            let job = try h.enqueue(order.id, kind, payload: payload)
            let done = try await h.process(job)
            XCTAssertEqual(done.state, .done, done.lastError ?? "")
        }
        let stored = try XCTUnwrap(try h.stored(ship.id))
        _ = try await h.channel.deliverySlip(for: stored)
        var journal = h.simulator.journal  // `seed` clears it
        h.simulator.updateConfiguration { $0.slipReference = .size }
        let sized = try await h.seed(.new(site: "es", status: 2))
        _ = try await h.channel.deliverySlip(for: try XCTUnwrap(try h.stored(sized.id)))
        journal += h.simulator.journal
        for entry in journal {
            let problems = spec.requestViolations(script: entry.script, method: entry.method, parameters: entry.parameters)
            XCTAssertEqual(problems, [], "request #\(entry.sequence) to \(entry.script)")
        }
        // The walk covered every call the connector makes.
        let exports = journal.filter { $0.script == "xml_export_orders.php" }
        XCTAssertTrue(exports.contains { $0.parameters["date"] != nil } && exports.contains { $0.parameters["oID"] != nil })
        XCTAssertEqual(Set(journal.filter { $0.script == "xml_maj_orders.php" }.compactMap { $0.parameters["statut"] }), ["2", "3", "41"])
        XCTAssertGreaterThanOrEqual(journal.filter { $0.script == "xml_export_bl.php" }.count, 3, "product form, −12, size form")
    }

    /// The oracle is not vacuous: it flags the mistakes it is there to catch.
    static func oracleFlagsUndocumentedRequests() throws {
        let spec = try SpartooSpecOracle()
        let maj = "xml_maj_orders.php"
        XCTAssertEqual(spec.requestViolations(script: maj, method: "POST", parameters: ["partenaire": "P", "oID": "1", "statut": "2"]), [])
        XCTAssertFalse(spec.requestViolations(script: maj, method: "POST", parameters: ["partner": "P", "oID": "1", "statut": "2"]).isEmpty)
        XCTAssertFalse(spec.requestViolations(script: maj, method: "POST", parameters: ["partenaire": "P", "oID": "1", "statut": "45"]).isEmpty)
        XCTAssertFalse(spec.requestViolations(script: maj, method: "POST", parameters: ["partenaire": "P", "oID": "1", "statut": "3"]).isEmpty)
        XCTAssertFalse(spec.requestViolations(script: "xml_export_orders.php", method: "POST",
                                              parameters: ["partenaire": "P", "date": "2024-03-01 00:00:00"]).isEmpty)
        XCTAssertFalse(spec.requestViolations(script: "xml_export_orders.php", method: "GET",
                                              parameters: ["partenaire": "P", "oID": "1"]).isEmpty)
        XCTAssertFalse(spec.slipRequestViolations("<root><order_id>1</order_id><products><product><reference>R</reference></product></products></root>").isEmpty)
        XCTAssertEqual(spec.slipRequestViolations("<root><order_id>3FF75E96C3434E92</order_id><products><product><reference_partenaire>39870-42</reference_partenaire><product_quantity>1</product_quantity></product></products></root>"), [])
        XCTAssertFalse(spec.replyViolations(script: maj, body: Data("<root><errors>-99</errors></root>".utf8)).isEmpty)
    }

    /// Every reply the simulator serves, success and each error path, against the documented shapes and codes.
    static func everySimulatorReplyParsesAgainstTheDocumentedShape() throws {
        let spec = try SpartooSpecOracle()
        let partner = "0A1B2C3D4E5F6789"
        let simulator = SpartooSimulator(partnerIDs: [partner, "DEAC000000000000"], sites: ["fr"])
        simulator.setDeactivated(["DEAC000000000000"])
        var template = SpartooSimulator.Order.new(site: "fr", status: 2, lines: 2)
        template.relay = SpartooSimulator.Relay()
        let order = simulator.addOrder(template)
        let shipped = simulator.addOrder(.new(site: "fr", status: 3))
        let slip = { (reference: String) in
            "<root><order_id>\(order.id)</order_id><products><product><reference_partenaire>\(reference)</reference_partenaire><product_quantity>1</product_quantity></product></products></root>"
        }
        let export = "xml_export_orders.php", maj = "xml_maj_orders.php", bl = "xml_export_bl.php"
        let calls: [(String, [(String, String)], Int)] = [
            (export, [("partenaire", partner), ("date", "2020-01-01:00:00:00")], 1),
            (export, [("partenaire", partner), ("oID", order.id)], 1),
            (export, [("partenaire", partner), ("date", "2020-01-01:00:00:00"), ("statut", "45")], 1),
            (export, [("partenaire", partner), ("oID", "0000000000000000")], -6),
            (export, [("partenaire", partner)], -3),
            (export, [("date", "2020-01-01:00:00:00")], -1),
            (export, [("partenaire", "FFFFFFFFFFFFFFFF"), ("oID", order.id)], -2),
            (export, [("partenaire", "DEAC000000000000"), ("oID", order.id)], -428),
            (maj, [("partenaire", partner), ("oID", order.id)], -5),
            (maj, [("partenaire", partner), ("oID", order.id), ("statut", "2")], -9),
            (maj, [("partenaire", partner), ("oID", shipped.id), ("statut", "41")], -7),
            (maj, [("partenaire", partner), ("oID", "0000000000000000"), ("statut", "2")], -6),
            (maj, [("partenaire", partner), ("oID", order.id), ("statut", "3"), ("tracking_number", "6A1")], 1),
            (bl, [("partenaire", partner)], -11),
            (bl, [("partenaire", partner), ("xml", "<root><order_id>")], -15),
            (bl, [("partenaire", partner), ("xml", slip("NOPE"))], -12),
            (bl, [("partenaire", partner), ("xml", slip("REF-1"))], 1),
        ]
        for (script, parameters, expected) in calls {
            let response = simulator.handle(request(script, parameters), site: "fr")
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(spec.replyViolations(script: script, body: response.body), [], "\(script) \(parameters.map(\.0))")
            XCTAssertEqual(simulator.journal.last?.code, expected, "\(script) \(parameters.map(\.0))")
        }
        simulator.updateConfiguration { $0.hourlyQuota = 0 }
        let limited = simulator.handle(request(export, [("partenaire", partner), ("oID", order.id)]), site: "fr")
        XCTAssertEqual(spec.replyViolations(script: export, body: limited.body), [])
        XCTAssertEqual(simulator.journal.last?.code, -429)
        // Every code the simulator answered is in the table.
        XCTAssertTrue(Set(simulator.journal.compactMap(\.code)).isSubset(of: spec.orderCodes))
    }

    /// The connector's `SpartooCode`, the simulator and the fixture share one code table.
    static func connectorAndSimulatorShareTheCodeTable() throws {
        let spec = try SpartooSpecOracle()
        XCTAssertEqual(Set(SpartooCode.documented.keys), spec.orderCodes)
        XCTAssertEqual(Set(SpartooSimulator.codes), spec.orderCodes)
        for code in spec.orderCodes { XCTAssertNotEqual(SpartooCode.meaning(code), "undocumented", "\(code)") }
    }

    private static func request(_ script: String, _ parameters: [(String, String)]) -> HTTPRequest {
        let form = parameters.map { FormEncoding.escape($0.0) + "=" + FormEncoding.escape($0.1) }.joined(separator: "&")
        return HTTPRequest(method: "POST", path: "/mp/\(script)",
                           headers: [("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")], body: Data(form.utf8))
    }
}
