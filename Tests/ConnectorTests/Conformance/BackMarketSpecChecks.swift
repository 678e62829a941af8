import ChannelSimulator
import Foundation
import OrderSync
@testable import Connectors
import XCTest

/// Back Market's published OpenAPI file as the oracle (Tests/Fixtures/specs/backmarket/, see its README):
/// what the connector sends and what the simulator serves must validate against the extracted schemas, and
/// the connector and the simulator must hold the spec's `Shipper` list. Run by `BackMarketConformanceTests`.
struct BackMarketSpecChecks {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/specs/backmarket", isDirectory: true)

    /// The `schema` of one fixture file (`UpdateOrder`, `Order`, `Shipper`…).
    static func schema(_ name: String) throws -> JSONValue {
        let document = try JSONValue.parse(Data(contentsOf: directory.appendingPathComponent("\(name).json")))
        return try XCTUnwrap(document["schema"], "\(name).json has no schema")
    }

    static func enumValues(_ name: String) throws -> [JSONValue] {
        try XCTUnwrap(try schema(name)["enum"]?.array, "\(name).json has no enum")
    }

    /// Accept, cancel (4 and 5), ship with and without IMEI, ship after an orderline PATCH: every body sent
    /// validates (strictly: only declared fields) against `UpdateOrder` or the orderline PATCH schema, and
    /// every reply the simulator gave validates against `Order` or the PATCH reply schema.
    func requestBodiesValidate() async throws {
        let h = try BackMarketHarness()
        defer { h.close() }
        let toAccept = h.simulator.addOrder(.init(lines: [.phone(state: 1)]))
        let toCancel = h.simulator.addOrder(.init(lines: [.phone(state: 1), .laptop(state: 2)]))
        let withIMEI = h.simulator.addOrder(.init(lines: [.phone(state: 2)]))
        let withoutIMEI = h.simulator.addOrder(.init(lines: [.laptop(state: 2)]))
        let twoLines = h.simulator.addOrder(.init(lines: [.phone(state: 2), .laptop(state: 2)]))
        try await h.poller.pollOnce()

        let imei = luhnIMEI("35693803564380")
        let phoneLine = try XCTUnwrap(h.simulator.order(twoLines.orderID)?.lines.first).id
        let jobs: [(Int, JobKind, JobPayload)] = [
            (toAccept.orderID, .accept, JobPayload()),
            (toCancel.orderID, .cancel, JobPayload()),
            (withIMEI.orderID, .ship, BackMarketHarness.shipment(lines: [ShipLine(lineID: String(withIMEI.lines[0].id), imei: imei)])),
            (withoutIMEI.orderID, .ship, BackMarketHarness.shipment(tracking: "6A 0000 0000 002", carrierName: "DPD FR")),
            (twoLines.orderID, .ship, BackMarketHarness.shipment(tracking: "6A 0000 0000 003",
                                                                  lines: [ShipLine(lineID: String(phoneLine), imei: luhnIMEI("35209900176148"))])),
        ]
        for (orderID, kind, payload) in jobs {
            let job = try await h.process(try h.enqueue(orderID, kind, payload: payload))
            XCTAssertEqual(job.state, .done, "\(kind) \(orderID): \(job.lastError ?? "")")
        }

        let strict = SchemaSubsetValidator(strict: true), lenient = SchemaSubsetValidator()
        let updateOrder = try Self.schema("UpdateOrder"), order = try Self.schema("Order")
        let patch = try Self.schema("OrderlinePatch"), patchReply = try Self.schema("OrderlinePatchReply")
        var newStates: Set<Int> = [], shipBodiesWithIMEI = 0
        let posts = h.simulator.requests(method: "POST", pathPrefix: "/ws/orders/")
        for entry in posts {
            let body = try JSONValue.parse(entry.body)
            XCTAssertEqual(strict.problems(body, against: updateOrder), [], "POST \(entry.path) body")
            newStates.insert(body["new_state"]?.int ?? -1)
            if body["imei"] != nil { shipBodiesWithIMEI += 1 }
            XCTAssertEqual(entry.status, 200)
            XCTAssertEqual(lenient.problems(try JSONValue.parse(entry.responseBody), against: order), [], "POST \(entry.path) reply")
        }
        let patches = h.patches()
        for entry in patches {
            XCTAssertEqual(strict.problems(try JSONValue.parse(entry.body), against: patch), [], "PATCH \(entry.path) body")
            XCTAssertEqual(lenient.problems(try JSONValue.parse(entry.responseBody), against: patchReply), [], "PATCH reply")
        }
        XCTAssertEqual(newStates, [2, 3, 4, 5], "accept, ship, cancel before and after acceptance were all checked")
        XCTAssertEqual(shipBodiesWithIMEI, 1)
        XCTAssertEqual(patches.count, 1)
    }

    /// Orders of every kind the simulator generates: each listing page validates against the OAS list reply
    /// (whose `results` are `Order`s), and each single order against `Order`.
    func simulatorRepliesValidate() async throws {
        let h = try BackMarketHarness()
        defer { h.close() }
        h.simulator.generateOrders(count: 120, seed: 12)
        let validator = SchemaSubsetValidator()
        let list = try Self.schema("OrderList"), order = try Self.schema("Order")
        let transport = URLSessionTransport()
        func get(_ path: String, _ query: String = "") async throws -> JSONValue {
            var components = URLComponents(url: h.simulator.baseURL.appendingPathComponent(path), resolvingAgainstBaseURL: false)!
            if !query.isEmpty { components.percentEncodedQuery = query }
            let response = try await transport.send(ChannelRequest(method: "GET", url: components.url!, headers: [
                ("Authorization", "Basic \(BackMarketHarness.token)"), ("Accept", "application/json"),
                ("User-Agent", BackMarketHarness.userAgent),
            ]), timeout: 5)
            XCTAssertEqual(response.status, 200, path)
            return try JSONValue.parse(response.body)
        }
        var ids: [String] = [], states: Set<Int> = []
        for page in 1...3 {
            let reply = try await get("ws/orders", "page=\(page)&page-size=50")
            XCTAssertEqual(validator.problems(reply, against: list), [], "page \(page)")
            for item in reply["results"]?.array ?? [] {
                ids.append(item["order_id"]?.text ?? "")
                states.insert(item["state"]?.int ?? -1)
            }
        }
        XCTAssertGreaterThan(ids.count, 100, "the listing was read")
        XCTAssertGreaterThan(states.count, 3, "orders in several states were checked: \(states)")
        for id in ids.prefix(40) {
            let reply = try await get("ws/orders/\(id)")
            XCTAssertEqual(validator.problems(reply, against: order), [], "order \(id)")
        }
    }

    /// The connector's and the simulator's shipper lists are the spec's `Shipper` enum, in order and spelling.
    func shipperListsAreTheSpecEnum() throws {
        let spec = try Self.enumValues("Shipper").map { try XCTUnwrap($0.text) }
        XCTAssertEqual(spec.count, 95)
        XCTAssertTrue(spec.contains("DHL  EXPRESS"), "the two-space spelling is kept")
        XCTAssertEqual(BackMarketShippers.known.map { Array($0.unicodeScalars) }, spec.map { Array($0.unicodeScalars) })
        XCTAssertEqual(BackMarketSimulator.specShippers.map { Array($0.unicodeScalars) }, spec.map { Array($0.unicodeScalars) })
    }

    /// The order and line states the simulator produces and the connector writes are the spec's.
    func statesAreTheSpecEnums() throws {
        let orderStates = Set(try Self.enumValues("OrderState").compactMap(\.int))
        let lineStates = try Self.enumValues("OrderLineState").compactMap(\.int)
        XCTAssertEqual(orderStates, [0, 10, 1, 3, 8, 9])
        XCTAssertEqual(lineStates, [0, 9, 8, 1, 2, 3, 4, 5, 6, 7])
        for a in lineStates {
            for b in lineStates {
                for shipped in [false, true] {
                    let derived = BackMarketSimulator.deriveOrderState(lineStates: [a, b], shippedFinal: shipped)
                    XCTAssertTrue(orderStates.contains(derived), "lines \(a),\(b) → order \(derived)")
                }
            }
        }
    }

    /// The validator is not vacuous: bodies the spec refuses are refused.
    func validatorRefusesWhatTheSpecRefuses() throws {
        let strict = SchemaSubsetValidator(strict: true), updateOrder = try Self.schema("UpdateOrder")
        func problems(_ text: String) throws -> [String] { strict.problems(try JSONValue.parse(Data(text.utf8)), against: updateOrder) }
        XCTAssertEqual(try problems(#"{"order_id":1,"new_state":3,"tracking_number":"T","shipper":"DPD FR"}"#), [])
        XCTAssertEqual(try problems(#"{"order_id":1}"#), ["$: required new_state is missing"])
        XCTAssertEqual(try problems(#"{"order_id":"1","new_state":2}"#), ["$.order_id: expected integer, got \"1\""])
        XCTAssertEqual(try problems(#"{"order_id":1,"new_state":11}"#), ["$.new_state: 11 is not one of the 10 allowed values"])
        XCTAssertEqual(try problems(#"{"order_id":1,"new_state":3,"imei":"3569380356438091"}"#),
                       ["$.imei: 16 characters, more than maxLength 15"])
        XCTAssertEqual(try problems(#"{"order_id":1,"new_state":3,"carrier":"DPD"}"#), ["$: carrier is not a property of the schema"])
        let patch = try Self.schema("OrderlinePatch")
        XCTAssertEqual(strict.problems(.object([]), against: patch), ["$: 0 properties, fewer than minProperties 1"])
        let order = try Self.schema("Order")
        XCTAssertEqual(SchemaSubsetValidator().problems(try JSONValue.parse(Data(#"{"order_id":1,"orderlines":[{"state":12}],"country_code":"FR"}"#.utf8)), against: order),
                       ["$.orderlines[0].state: 12 is not one of the 10 allowed values", "$.country_code: \"FR\" is not one of the 16 allowed values"])
    }

    /// The spec's `UpdateOrder.required` names `id`, which it does not declare (the body field is `order_id`):
    /// the only required name the validator cannot check.
    func undeclaredRequiredIsOnlyUpdateOrderID() throws {
        XCTAssertEqual(SchemaSubsetValidator.undeclaredRequired(try Self.schema("UpdateOrder")), ["id"])
        for name in ["Order", "OrderLine", "OrderlinePatch", "OrderList"] {
            XCTAssertEqual(SchemaSubsetValidator.undeclaredRequired(try Self.schema(name)), [], name)
        }
    }
}
