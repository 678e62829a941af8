import ChannelSimulator
import Foundation
import OrderSync
@testable import Connectors
import XCTest

/// The WooCommerce spec oracle: every request body the connector sends and every reply the simulator
/// serves, checked against the schemas of WooCommerce's REST controllers and of the Shipment Tracking
/// extension (`Tests/Fixtures/specs/woocommerce/`). Runs over real sockets.
enum WooCommerceSpecChecks {
    /// Status and meta PUTs, note POSTs (customer and internal) and tracking POSTs (a known provider, a
    /// custom link, an unknown name falling back) as the connector sends them.
    static func requestsMatchTheSpec(_ test: WooCommerceTestCase) async throws {
        let orders = try WooCommerceSpecValidator.fixture("orders")
        let notes = try WooCommerceSpecValidator.fixture("order-notes")
        let tracking = try WooCommerceSpecValidator.fixture("shipment-tracking")
        var sent: [WooCommerceSimulator.JournalEntry] = []

        let noteStore = try test.makeHarness()
        let shipped = try await noteStore.seed()
        sent += try await run(noteStore, shipped.id, .ship, WooCommerceHarness.shipment())
        let cancelled = try await noteStore.seed()
        sent += try await run(noteStore, cancelled.id, .cancel, JobPayload(reason: "out of stock"))

        let markStore = try test.makeHarness(completeOnShip: false)
        let marked = try await markStore.seed()
        sent += try await run(markStore, marked.id, .ship, WooCommerceHarness.shipment())

        let trackingStore = try test.makeHarness(tracking: .shipmentTracking)
        for carrier in ["colissimo", "mondial-relay", "dpd"] {
            let order = try await trackingStore.seed()
            sent += try await run(trackingStore, order.id, .ship, WooCommerceHarness.shipment("TRK\(order.id)", carrier: carrier))
        }

        var counts: [String: Int] = [:]
        for entry in sent where entry.method != "GET" {
            let body = try XCTUnwrap(try JSONSerialization.jsonObject(with: entry.request.body), "\(entry.method) \(entry.path): no JSON body")
            let validator: WooCommerceSpecValidator
            if entry.path.hasSuffix("/notes") {
                validator = WooCommerceSpecValidator(schema: schema(notes), mode: .request, required: notes["create_required"] as? [String] ?? [])
            } else if entry.path.hasSuffix("/shipment-trackings") {
                validator = WooCommerceSpecValidator(schema: schema(tracking), mode: .request,
                                                     required: tracking["create_required"] as? [String] ?? [])
            } else {
                XCTAssertEqual(entry.method, "PUT", entry.path)
                validator = WooCommerceSpecValidator(schema: schema(orders), mode: .request)
            }
            let kind = "\(entry.method) \(entry.path.split(separator: "/").last.map(String.init) ?? "")"
            counts[entry.path.hasSuffix("/notes") ? "note" : entry.path.hasSuffix("/shipment-trackings") ? "tracking" : "order", default: 0] += 1
            XCTAssertEqual(validator.problems(body), [], "\(kind) body against the spec")
        }
        XCTAssertEqual(counts["note"], 3, "two customer notes and an internal note were checked")
        XCTAssertEqual(counts["tracking"], 3, "three tracking POSTs were checked")
        XCTAssertEqual(counts["order"], 6, "the status PUTs (completed ×4, cancelled) and the meta PUT were checked: \(counts)")
    }

    /// Orders pages, one order (every one), notes, a created note, a status PUT's order, trackings, one
    /// tracking, a created tracking and the providers list, as the simulator serves them.
    static func repliesMatchTheSpec(_ test: WooCommerceTestCase) async throws {
        let orders = try WooCommerceSpecValidator.fixture("orders")
        let notes = try WooCommerceSpecValidator.fixture("order-notes")
        let tracking = try WooCommerceSpecValidator.fixture("shipment-tracking")
        let h = try test.makeHarness(tracking: .shipmentTracking)
        let generated = h.simulator.generateOrders(count: 40, seed: 7)
        h.simulator.trashOrder(generated[0].id)
        h.simulator.setStatus(generated[1].id, "awaiting-pickup")
        let store = Fetcher(base: h.simulator.baseURL, key: WooCommerceHarness.key)
        let statuses = h.simulator.configuration.pluginStatuses + ["trash"]
        let order = WooCommerceSpecValidator(schema: schema(orders), mode: .reply, extraEnum: ["status": statuses])
        let note = WooCommerceSpecValidator(schema: schema(notes), mode: .reply)
        let entry = WooCommerceSpecValidator(schema: tracking["reply_schema"] as? [String: Any] ?? [:], mode: .reply)
        var checked = 0

        for page in 1...3 {
            let list = try await store.json("GET", "wc/v3/orders", query: "status=any&per_page=20&page=\(page)") as? [Any] ?? []
            for element in list { XCTAssertEqual(order.problems(element), [], "orders page \(page)"); checked += 1 }
        }
        for generatedOrder in generated {
            let id = generatedOrder.id
            let one = try await store.json("GET", "wc/v3/orders/\(id)")
            XCTAssertEqual(order.problems(one), [], "order \(id)")
            for element in try await store.json("GET", "wc/v3/orders/\(id)/notes", query: "type=any") as? [Any] ?? [] {
                XCTAssertEqual(note.problems(element), [], "order \(id) notes")
            }
            checked += 1
        }
        let id = generated[2].id
        let created = try await store.json("POST", "wc/v3/orders/\(id)/notes", body: ["note": "Parcel left today", "customer_note": true])
        XCTAssertEqual(note.problems(created), [], "created note")
        XCTAssertNotNil((created as? [String: Any])?["id"] as? Int)
        let updated = try await store.json("PUT", "wc/v3/orders/\(id)", body: ["status": "completed"])
        XCTAssertEqual(order.problems(updated), [], "PUT reply")

        let trackings = "wc-shipment-tracking/v3/orders/\(id)/shipment-trackings"
        let added = try await store.json("POST", trackings, body: ["tracking_provider": "Colissimo", "tracking_number": "6A1"])
        _ = try await store.json("POST", trackings, body: ["custom_tracking_provider": "DPD France", "tracking_number": "D1",
                                                           "custom_tracking_link": "https://www.dpd.fr/trace/D1"])
        XCTAssertEqual(entry.problems(added), [], "created tracking")
        XCTAssertEqual(Set((added as? [String: Any])?.keys.map { $0 } ?? []), Set(tracking["reply_properties"] as? [String] ?? []),
                       "the extension answers exactly its five fields")
        let listed = try await store.json("GET", trackings) as? [Any] ?? []
        XCTAssertEqual(listed.count, 2)
        for element in listed { XCTAssertEqual(entry.problems(element), [], "trackings list") }
        let trackingID = (added as? [String: Any])?["tracking_id"] as? String ?? ""
        let single = try await store.json("GET", trackings + "/" + trackingID)
        XCTAssertEqual(entry.problems(single), [], "one tracking")

        let providerReply = try await store.json("GET", trackings + "/providers")
        let providers = try XCTUnwrap(providerReply as? [String: Any])
        XCTAssertFalse(providers.isEmpty)
        for (country, group) in providers {
            let names = try XCTUnwrap(group as? [String: Any], "\(country): an object of provider name → link format")
            XCTAssertTrue(names.values.allSatisfy { ($0 as? String)?.contains("%1$s") == true }, "\(country): link formats")
        }
        XCTAssertGreaterThan(checked, 40)
    }

    private static func schema(_ fixture: [String: Any]) -> [String: Any] { fixture["schema"] as? [String: Any] ?? [:] }

    /// Runs one job to done and returns what it wrote (seeding clears the journal, so it is read here).
    private static func run(_ h: WooCommerceHarness, _ id: Int, _ kind: JobKind,
                            _ payload: JobPayload) async throws -> [WooCommerceSimulator.JournalEntry] {
        let job = try await h.process(try h.enqueue(id, kind, payload: payload))
        XCTAssertEqual(job.state, .done, job.lastError ?? "")
        return h.simulator.journal.filter { $0.method != "GET" }
    }
}

/// Plain requests to a simulated store over the connector's own transport, JSON in and out.
private struct Fetcher {
    let base: URL
    let key: WooCommerceSimulator.APIKey
    let transport = URLSessionTransport()

    func json(_ method: String, _ path: String, query: String = "", body: [String: Any]? = nil) async throws -> Any {
        var url = base.appendingPathComponent("wp-json/" + path)
        if !query.isEmpty { url = URL(string: url.absoluteString + "?" + query) ?? url }
        let basic = Data("\(key.consumerKey):\(key.consumerSecret)".utf8).base64EncodedString()
        var headers = [("Authorization", "Basic \(basic)"), ("Accept", "application/json")]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let request = ChannelRequest(method: method, url: url, headers: headers,
                                     body: try body.map { try JSONSerialization.data(withJSONObject: $0) })
        let response = try await transport.send(request, timeout: 5)
        XCTAssertTrue((200..<300).contains(response.status), "\(method) \(path): HTTP \(response.status)")
        return try JSONSerialization.jsonObject(with: response.body)
    }
}
