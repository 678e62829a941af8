import Foundation
import XCTest

@testable import ChannelSimulator

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A request to the WooCommerce simulator as a client would send it (Basic auth by default).
func wooRequest(_ method: String, _ path: String, query: String = "", json: Any? = nil,
                key: WooCommerceSimulator.APIKey? = WooCommerceSimulator.defaultKey, queryAuth: Bool = false) -> HTTPRequest {
    var headers: [(name: String, value: String)] = [("Accept", "application/json")]
    var rawQuery = query
    if let key {
        if queryAuth {
            rawQuery += (rawQuery.isEmpty ? "" : "&") + "consumer_key=\(key.consumerKey)&consumer_secret=\(key.consumerSecret)"
        } else {
            headers.append(("Authorization", "Basic " + Data("\(key.consumerKey):\(key.consumerSecret)".utf8).base64EncodedString()))
        }
    }
    let body = json.flatMap { try? JSONSerialization.data(withJSONObject: $0) } ?? Data()
    return HTTPRequest(method: method, path: path, rawQuery: rawQuery, headers: headers, body: body)
}

extension HTTPResponse {
    var jsonArray: [[String: Any]]? { (try? JSONSerialization.jsonObject(with: body)) as? [[String: Any]] }
    var wooCode: String? { jsonObject?["code"] as? String }
}

final class WooCommerceSimulatorTests: XCTestCase {
    let clock = SimulatorClock(start: SimDate.parse("2026-03-10T08:30:00Z")!)
    lazy var simulator = WooCommerceSimulator(clock: clock.now)
    let orders = "/wp-json/wc/v3/orders"

    func list(_ query: String) -> HTTPResponse { simulator.handle(wooRequest("GET", orders, query: query)) }

    // MARK: auth

    func testBasicAndQueryAuthWithWooCommerceErrorBodies() {
        simulator.addOrder()
        XCTAssertEqual(list("").status, 200)
        XCTAssertEqual(simulator.handle(wooRequest("GET", orders, queryAuth: true)).status, 200, "query-string auth")
        let none = simulator.handle(wooRequest("GET", orders, key: nil))
        XCTAssertEqual(none.status, 401)
        XCTAssertEqual(none.wooCode, "woocommerce_rest_cannot_view")
        XCTAssertEqual((none.jsonObject?["data"] as? [String: Any])?["status"] as? Int, 401)
        let badKey = simulator.handle(wooRequest("GET", orders, key: .init(consumerKey: "ck_nope", consumerSecret: "cs_x")))
        XCTAssertEqual(badKey.jsonObject?["message"] as? String, "Consumer key is invalid.")
        let badSecret = simulator.handle(wooRequest("GET", orders, key: .init(consumerKey: WooCommerceSimulator.defaultKey.consumerKey,
                                                                               consumerSecret: "cs_wrong"), queryAuth: true))
        XCTAssertEqual(badSecret.status, 401)
        XCTAssertEqual(badSecret.jsonObject?["message"] as? String, "Consumer secret is invalid.")
        XCTAssertEqual(badSecret.wooCode, "woocommerce_rest_authentication_error")
    }

    func testReadOnlyKeyCannotWriteAndStrippedHeaderSaysKeyMissing() {
        let order = simulator.addOrder()
        let reader = WooCommerceSimulator.APIKey(consumerKey: "ck_read", consumerSecret: "cs_read", permissions: .read)
        simulator.setKeys([reader, WooCommerceSimulator.defaultKey])
        XCTAssertEqual(simulator.handle(wooRequest("GET", orders, key: reader)).status, 200)
        let write = simulator.handle(wooRequest("PUT", "\(orders)/\(order.id)", json: ["status": "completed"], key: reader))
        XCTAssertEqual(write.status, 401)
        XCTAssertEqual(write.jsonObject?["message"] as? String, "The API key provided does not have write permissions.")
        XCTAssertEqual(simulator.order(order.id)?.status, "processing")
        simulator.updateConfiguration { $0.stripAuthorization = true }
        let stripped = list("")
        XCTAssertEqual(stripped.status, 401)
        XCTAssertEqual(stripped.jsonObject?["message"] as? String, "Consumer key is missing.")
        XCTAssertEqual(simulator.handle(wooRequest("GET", orders, queryAuth: true)).status, 200, "query auth survives the host")
    }

    // MARK: listing

    func testPerPageOver100IsRejectedAndPagingHeaders() {
        for _ in 0..<25 { simulator.addOrder() }
        let tooMany = list("per_page=101")
        XCTAssertEqual(tooMany.status, 400)
        XCTAssertEqual(tooMany.wooCode, "rest_invalid_param")
        XCTAssertEqual(tooMany.jsonObject?["message"] as? String, "Invalid parameter(s): per_page")
        XCTAssertEqual(list("per_page=0").status, 400)
        XCTAssertEqual(list("orderby=price").wooCode, "rest_invalid_param")
        XCTAssertEqual(list("status=nope").wooCode, "rest_invalid_param")
        XCTAssertEqual(list("modified_after=yesterday").wooCode, "rest_invalid_param")
        let first = list("per_page=10")
        XCTAssertEqual(first.jsonArray?.count, 10, "default per_page is 10; this asks for it")
        XCTAssertEqual(first.header("X-WP-Total"), "25")
        XCTAssertEqual(first.header("X-WP-TotalPages"), "3")
        XCTAssertTrue(first.header("Link")?.contains("page=2>; rel=\"next\"") == true, first.header("Link") ?? "")
        let last = list("per_page=10&page=3")
        XCTAssertEqual(last.jsonArray?.count, 5)
        XCTAssertTrue(last.header("Link")?.contains("rel=\"prev\"") == true)
        XCTAssertFalse(last.header("Link")?.contains("rel=\"next\"") == true)
        let past = list("per_page=10&page=4")
        XCTAssertEqual(past.status, 200)
        XCTAssertEqual(past.bodyText, "[]", "a page past the end is []")
        XCTAssertEqual(list("").jsonArray?.count, 10)
        XCTAssertEqual(list("per_page=100").jsonArray?.count, 25)
    }

    func testDefaultListingSkipsTrashAndDraftsButNamedStatusesWork() {
        let live = simulator.addOrder()
        let draft = simulator.addOrder(configure: { $0.status = "checkout-draft" })
        let trashed = simulator.addOrder()
        simulator.trashOrder(trashed.id)
        let plugin = simulator.addOrder(configure: { $0.status = "awaiting-pickup" })
        let ids = Set((list("per_page=100").jsonArray ?? []).compactMap { $0["id"] as? Int })
        XCTAssertEqual(ids, [live.id, plugin.id])
        XCTAssertEqual((list("status=trash").jsonArray ?? []).compactMap { $0["id"] as? Int }, [trashed.id])
        XCTAssertEqual((list("status=checkout-draft").jsonArray ?? []).compactMap { $0["id"] as? Int }, [draft.id])
        XCTAssertEqual(Set((list("status=processing,awaiting-pickup").jsonArray ?? []).compactMap { $0["id"] as? Int }), [live.id, plugin.id])
        XCTAssertEqual(simulator.handle(wooRequest("GET", "\(orders)/\(trashed.id)")).jsonObject?["status"] as? String, "trash")
        simulator.updateConfiguration { $0.draftsInAny = true }
        XCTAssertTrue((list("").jsonArray ?? []).contains { $0["id"] as? Int == draft.id })
    }

    func testLocalAndGMTDatesAndTheZBoundShift() {
        // Paris is UTC+1 in March: the order was modified at 08:41 UTC, 09:41 local.
        let order = simulator.addOrder(configure: {
            $0.dateCreated = SimDate.parse("2026-03-10T08:30:00Z")!
            $0.dateModified = SimDate.parse("2026-03-10T08:41:00Z")!
        })
        let json = try? XCTUnwrap(simulator.handle(wooRequest("GET", "\(orders)/\(order.id)")).jsonObject)
        XCTAssertEqual(json?["date_modified"] as? String, "2026-03-10T09:41:00")
        XCTAssertEqual(json?["date_modified_gmt"] as? String, "2026-03-10T08:41:00")
        XCTAssertEqual(json?["number"] as? String, "\(order.id)")
        func count(_ query: String) -> Int { list(query).jsonArray?.count ?? -1 }
        XCTAssertEqual(count("dates_are_gmt=true&modified_after=2026-03-10T08:40:00&modified_before=2026-03-10T08:42:00"), 1)
        XCTAssertEqual(count("dates_are_gmt=true&modified_after=2026-03-10T08:41:00"), 0, "bounds are exclusive")
        // Without dates_are_gmt a naive bound is site-local time.
        XCTAssertEqual(count("modified_after=2026-03-10T09:40:00&modified_before=2026-03-10T09:42:00"), 1)
        XCTAssertEqual(count("modified_after=2026-03-10T08:40:00&modified_before=2026-03-10T08:42:00"), 0)
        // A Z bound is converted into the site zone first: 08:40Z becomes 09:40 and is compared with the GMT column.
        XCTAssertEqual(count("dates_are_gmt=true&modified_after=2026-03-10T08:40:00Z"), 0, "the Z-bound shift")
        XCTAssertEqual(count("dates_are_gmt=true&modified_after=2026-03-10T07:40:00Z"), 1)
    }

    func testOrderByModifiedAscendingWithIDTiebreak() {
        let a = simulator.addOrder()
        let b = simulator.addOrder()
        clock.advance(by: 60)
        simulator.modifyOrder(a.id) { _ in }
        let c = simulator.addOrder()
        let ids = (list("orderby=modified&order=asc").jsonArray ?? []).compactMap { $0["id"] as? Int }
        XCTAssertEqual(ids, [b.id, a.id, c.id])
        XCTAssertEqual((list("").jsonArray ?? []).compactMap { $0["id"] as? Int }, [c.id, b.id, a.id], "default: date desc, id desc")
    }

    // MARK: writes

    func testPutStatusAddsSystemNoteEmailAndBumpsModified() {
        let order = simulator.addOrder()
        clock.advance(by: 120)
        let put = simulator.handle(wooRequest("PUT", "\(orders)/\(order.id)", json: ["status": "completed"]))
        XCTAssertEqual(put.status, 200)
        XCTAssertEqual(put.jsonObject?["status"] as? String, "completed")
        XCTAssertEqual(put.jsonObject?["date_modified_gmt"] as? String, "2026-03-10T08:32:00")
        XCTAssertEqual(put.jsonObject?["date_completed_gmt"] as? String, "2026-03-10T08:32:00")
        XCTAssertEqual(put.jsonObject?["date_completed"] as? String, "2026-03-10T09:32:00")
        XCTAssertEqual(simulator.emails(orderID: order.id).map(\.template), ["customer_completed_order"])
        XCTAssertEqual(simulator.notes(orderID: order.id).map(\.note), ["Order status changed from Processing to Completed."])
        // The same status again: no transition, no e-mail.
        XCTAssertEqual(simulator.handle(wooRequest("PUT", "\(orders)/\(order.id)", json: ["status": "completed"])).status, 200)
        XCTAssertEqual(simulator.emails(orderID: order.id).count, 1)
        XCTAssertEqual(simulator.handle(wooRequest("PUT", "\(orders)/\(order.id)", json: ["status": "shipped"])).wooCode, "rest_invalid_param")
        XCTAssertEqual(simulator.handle(wooRequest("PUT", "\(orders)/999")).wooCode, "woocommerce_rest_shop_order_invalid_id")
        _ = simulator.handle(wooRequest("PUT", "\(orders)/\(order.id)", json: ["billing": ["first_name": "X"]]))
        XCTAssertEqual(simulator.appliedEffects(orderID: order.id, kind: .totalsRecalculated).count, 1)
    }

    func testNotesCustomerAndInternalWithTypeFilter() {
        let order = simulator.addOrder()
        let path = "\(orders)/\(order.id)/notes"
        let added = simulator.handle(wooRequest("POST", path, json: ["note": "Shipped, tracking X1.", "customer_note": true]))
        XCTAssertEqual(added.status, 201)
        XCTAssertEqual(added.jsonObject?["customer_note"] as? Bool, true)
        XCTAssertEqual(simulator.handle(wooRequest("POST", path, json: ["note": "internal"])).status, 201)
        XCTAssertEqual(simulator.handle(wooRequest("POST", path, json: ["customer_note": true])).wooCode, "rest_missing_callback_param")
        XCTAssertEqual(simulator.handle(wooRequest("GET", path, query: "type=customer")).jsonArray?.count, 1)
        XCTAssertEqual(simulator.handle(wooRequest("GET", path, query: "type=internal")).jsonArray?.count, 1)
        XCTAssertEqual(simulator.handle(wooRequest("GET", path)).jsonArray?.count, 2)
        XCTAssertEqual(simulator.emails(orderID: order.id).map(\.template), ["customer_note"])
        XCTAssertEqual(simulator.appliedEffects(orderID: order.id, kind: .customerNote).count, 1)
        XCTAssertEqual(simulator.order(order.id)?.dateModified, order.dateModified, "a note does not touch the order")
        let noteID = (added.jsonObject?["id"] as? Int) ?? 0
        XCTAssertEqual(simulator.handle(wooRequest("DELETE", "\(path)/\(noteID)")).status, 501)
        XCTAssertEqual(simulator.handle(wooRequest("DELETE", "\(path)/\(noteID)", query: "force=true")).status, 200)
    }

    func testCustomTrackingLinkIsStoredVerbatim() {
        let order = simulator.addOrder()
        let path = "/wp-json/wc-shipment-tracking/v3/orders/\(order.id)/shipment-trackings"
        for link in ["https://www.mondialrelay.fr/suivi/?n=MR1&cp=75003&lang=fr", "https://t.example/?code=%1$s&cp=%2$s"] {
            let reply = simulator.handle(wooRequest("POST", path, json: [
                "tracking_number": "MR1", "custom_tracking_provider": "Mondial Relay", "custom_tracking_link": link]))
            XCTAssertEqual(reply.status, 201)
            XCTAssertEqual(reply.jsonObject?["tracking_link"] as? String, link, "shown word for word, never formatted")
            XCTAssertEqual(reply.jsonObject?["tracking_provider"] as? String, "Mondial Relay")
            let id = reply.jsonObject?["tracking_id"] as? String ?? ""
            XCTAssertEqual(simulator.handle(wooRequest("GET", path + "/" + id)).jsonObject?["tracking_link"] as? String, link)
            XCTAssertEqual(simulator.trackings(orderID: order.id).last?.customLink, link)
        }
    }

    func testShipmentTrackingEndpointsAndAbsentExtension() {
        let order = simulator.addOrder()
        let path = "/wp-json/wc-shipment-tracking/v3/orders/\(order.id)/shipment-trackings"
        let custom = simulator.handle(wooRequest("POST", path, json: [
            "tracking_number": "6A123", "custom_tracking_provider": "Colissimo",
            "custom_tracking_link": "https://t.example/?code=6A123&cp=75003", "date_shipped": "2026-03-11"]))
        XCTAssertEqual(custom.status, 201)
        XCTAssertEqual((custom.jsonObject?["tracking_id"] as? String)?.count, 32)
        XCTAssertEqual(custom.jsonObject?["tracking_link"] as? String, "https://t.example/?code=6A123&cp=75003")
        let known = simulator.handle(wooRequest("POST", path, json: ["tracking_number": "X9", "tracking_provider": "Colissimo"]))
        XCTAssertEqual(known.jsonObject?["tracking_link"] as? String, "https://www.laposte.fr/outils/suivre-vos-envois?code=X9")
        XCTAssertEqual(known.jsonObject?["tracking_provider"] as? String, "Colissimo")
        let slug = simulator.handle(wooRequest("POST", path, json: ["tracking_number": "X10", "tracking_provider": "dhl-intraship-de"]))
        XCTAssertEqual(slug.jsonObject?["tracking_provider"] as? String, "DHL Intraship (DE)", "a slug matches as the extension compares")
        let unknown = simulator.handle(wooRequest("POST", path, json: ["tracking_number": "X11", "tracking_provider": "DPD France"]))
        XCTAssertEqual(unknown.status, 201)
        XCTAssertEqual(unknown.jsonObject?["tracking_provider"] as? String, "", "an unknown name shows no provider")
        XCTAssertEqual(unknown.jsonObject?["tracking_link"] as? String, "", "and no link")
        XCTAssertEqual(simulator.handle(wooRequest("GET", path)).jsonArray?.count, 4)
        let providers = simulator.handle(wooRequest("GET", path + "/providers")).jsonObject
        XCTAssertEqual((providers?["France"] as? [String: String])?["Colissimo"], "https://www.laposte.fr/outils/suivre-vos-envois?code=%1$s",
                       "country → name → link format, as the extension answers")
        XCTAssertEqual(simulator.appliedEffects(orderID: order.id, kind: .tracking).count, 4)
        simulator.updateConfiguration { $0.shipmentTrackingInstalled = false }
        let absent = simulator.handle(wooRequest("GET", path))
        XCTAssertEqual(absent.status, 404)
        XCTAssertEqual(absent.wooCode, "rest_no_route")
    }

    func testBatchLimitAndUpdates() {
        let a = simulator.addOrder(), b = simulator.addOrder()
        let tooMany = simulator.handle(wooRequest("POST", "\(orders)/batch", json: ["update": (0..<101).map { ["id": $0] }]))
        XCTAssertEqual(tooMany.status, 413)
        XCTAssertEqual(tooMany.wooCode, "woocommerce_rest_request_entity_too_large")
        let done = simulator.handle(wooRequest("POST", "\(orders)/batch", json: ["update": [["id": a.id, "status": "completed"]], "delete": [b.id]]))
        XCTAssertEqual(done.status, 200)
        XCTAssertEqual(simulator.order(a.id)?.status, "completed")
        XCTAssertEqual(simulator.order(b.id)?.status, "trash")
    }

    func testUnknownRoutesAndThemePages() {
        XCTAssertEqual(simulator.handle(wooRequest("GET", "/wp-json/wc/v3/coupons")).wooCode, "rest_no_route")
        XCTAssertEqual(simulator.handle(wooRequest("GET", "/shop/")).status, 404)
        XCTAssertTrue(simulator.handle(wooRequest("GET", "/shop/")).bodyText.contains("<html"))
    }

    func testOverSocketsWithURLSession() async throws {
        try simulator.start()
        defer { simulator.stop() }
        simulator.addOrder()
        let key = WooCommerceSimulator.defaultKey
        let url = URL(string: "\(simulator.baseURL.absoluteString)\(orders)?consumer_key=\(key.consumerKey)&consumer_secret=\(key.consumerSecret)")!
        let (data, response) = try await URLSession.shared.data(from: url)
        XCTAssertEqual((response as? HTTPURLResponse)?.statusCode, 200)
        XCTAssertEqual((try JSONSerialization.jsonObject(with: data) as? [Any])?.count, 1)
        XCTAssertEqual(simulator.listRequests().count, 1)
    }
}
