import ChannelSimulator
import Foundation
@testable import OrderSync
@testable import Connectors
import XCTest

/// Refunds on a WooCommerce store: one POST carrying the job's key, read back before any retry, the
/// gateway only when asked, refusals permanent with WooCommerce's text. The simulator as WooCommerce's
/// `wc_create_refund` behaves, checked against the refunds schema.
final class WooCommerceRefundTests: WooCommerceTestCase, @unchecked Sendable {
    static func payload(amount: String? = nil, lines: [String: Int] = [:], gateway: Bool = false,
                        reason: String = "Damaged on arrival") -> JobPayload {
        JobPayload(reason: reason, refund: RefundRequest(amount: amount.flatMap { Money($0) }, lines: lines, viaGateway: gateway))
    }

    func testRefundPostsOnceWithTheJobKeyNoGatewayAndReadsRefundsFirst() async throws {
        let h = try makeHarness()
        let order = try await h.seed()
        let job = try await h.process(try h.enqueue(order.id, .refund, payload: Self.payload(amount: "10.00")))
        XCTAssertEqual(job.state, .done, job.lastError ?? "")
        let post = try XCTUnwrap(h.posts(order.id, "/refunds").first)
        let body = try XCTUnwrap(post.jsonBody)
        XCTAssertEqual(body["amount"] as? String, "10.00", "a decimal string")
        XCTAssertEqual(body["reason"] as? String, "Damaged on arrival")
        XCTAssertEqual(body["api_refund"] as? Bool, false, "the gateway is not called unless --via-gateway")
        XCTAssertEqual(body["api_restock"] as? Bool, false)
        XCTAssertEqual(body["meta_data"] as? [[String: String]], [["key": "ordersync_refund_key", "value": String(job.id)]])
        let paths = h.simulator.journal.map { "\($0.method) \($0.path.replacingOccurrences(of: "/wp-json/wc/v3/orders/\(order.id)", with: ""))" }
        XCTAssertEqual(Array(paths.prefix(3)), ["GET ", "GET /refunds", "POST /refunds"], "the refunds are read before the POST")
        XCTAssertEqual(h.simulator.refunds(orderID: order.id).map(\.total), ["-10.00"])
        XCTAssertEqual(h.simulator.refunds(orderID: order.id).first?.refundedPayment, false)
        XCTAssertEqual(try h.stored(order.id)?.refunds.map(\.amount.description), ["10.00"], "the order as the store shows it")
        XCTAssertEqual(h.simulator.emails(orderID: order.id).map(\.template), ["customer_partially_refunded_order"])

        // The same job again (after a crash before the commit): the key is found, nothing is posted.
        h.simulator.clearJournal()
        try h.store.reschedule(job.id, at: Date(), error: "test: crash before the commit")
        let again = try await h.process(job.id)
        XCTAssertEqual(again.state, .done)
        XCTAssertTrue(again.result?.hasPrefix("already done") == true, again.result ?? "")
        XCTAssertTrue(h.posts(order.id, "/refunds").isEmpty)
        XCTAssertEqual(h.simulator.refunds(orderID: order.id).count, 1)
    }

    func testRefundWhoseReplyIsLostIsReadBackNotPostedAgain() async throws {
        let h = try makeHarness()
        let order = try await h.seed()
        h.simulator.injectFault(.serverErrorAfterApplying(status: 502), count: 1, method: "POST",
                                pathPrefix: "/wp-json/wc/v3/orders/\(order.id)/refunds")
        let jobID = try h.enqueue(order.id, .refund, payload: Self.payload(lines: [order.lineItems[0].id.description: 1]))
        let first = try await h.process(jobID)
        XCTAssertEqual(first.state, .queued, "the outcome is unknown: retried, never blindly")
        XCTAssertEqual(h.posts(order.id, "/refunds").count, 1, "one POST: the transport does not repeat a money-moving call")
        let done = try await h.drain(jobID)
        XCTAssertEqual(done.state, .done, done.lastError ?? "")
        XCTAssertEqual(h.posts(order.id, "/refunds").count, 1, "the retry read the refund back")
        XCTAssertEqual(h.simulator.refunds(orderID: order.id).map(\.total), ["-45.00"], "the line's gross price, once")
    }

    func testGatewayRefusalIsPermanentWithItsText() async throws {
        let h = try makeHarness()
        let order = try await h.seed()
        h.simulator.setRefundGateway(order.id, .refuses("Stripe: charge already refunded"))
        let job = try await h.process(try h.enqueue(order.id, .refund, payload: Self.payload(amount: "5.00", gateway: true)))
        XCTAssertEqual(job.state, .failed)
        XCTAssertTrue(job.lastError?.contains("Stripe: charge already refunded") == true, job.lastError ?? "")
        XCTAssertEqual(h.posts(order.id, "/refunds").count, 1)
        XCTAssertTrue(h.simulator.refunds(orderID: order.id).isEmpty, "a refused refund is deleted again")

        h.simulator.setRefundGateway(order.id, .unsupported)
        let cod = try await h.process(try h.enqueue(order.id, .refund, dedupeKey: "cod", payload: Self.payload(amount: "5.00", gateway: true)))
        XCTAssertEqual(cod.state, .failed)
        XCTAssertTrue(cod.lastError?.contains("does not support automatic refunds") == true, cod.lastError ?? "")
    }

    func testGatewayRefundWhenAskedAndFullRefundTurnsTheOrderRefunded() async throws {
        let h = try makeHarness()
        let order = try await h.seed()
        let job = try await h.process(try h.enqueue(order.id, .refund, payload: Self.payload(amount: "49.90", gateway: true)))
        XCTAssertEqual(job.state, .done, job.lastError ?? "")
        XCTAssertEqual(h.posts(order.id, "/refunds").first?.jsonBody?["api_refund"] as? Bool, true)
        XCTAssertEqual(h.simulator.refunds(orderID: order.id).first?.refundedPayment, true)
        XCTAssertEqual(h.simulator.order(order.id)?.status, "refunded")
        XCTAssertEqual(try h.stored(order.id)?.status, .refunded)
    }

    // MARK: the simulator as WooCommerce

    func testSimulatorAmountWinsRemainingIsCheckedAndRepliesMatchTheSchema() async throws {
        let h = try makeHarness()
        let order = h.simulator.addOrder(WooCommerceHarness.order())
        let lineID = order.lineItems[0].id
        let refunds = try WooCommerceSpecValidator.fixture("refunds")
        let validator = WooCommerceSpecValidator(schema: refunds["schema"] as? [String: Any] ?? [:], mode: .reply)
        let requestValidator = WooCommerceSpecValidator(schema: refunds["schema"] as? [String: Any] ?? [:], mode: .request)
        let basic = Data("\(WooCommerceHarness.key.consumerKey):\(WooCommerceHarness.key.consumerSecret)".utf8).base64EncodedString()
        func post(_ body: [String: Any]) async throws -> (Int, [String: Any]) {
            XCTAssertEqual(requestValidator.problems(body.filter { $0.key != "line_items" && $0.key != "api_restock" }), [])
            let response = h.simulator.handle(HTTPRequest(method: "POST", path: "/wp-json/wc/v3/orders/\(order.id)/refunds",
                                                          headers: [("Authorization", "Basic " + basic), ("Content-Type", "application/json")],
                                                          body: try JSONSerialization.data(withJSONObject: body)))
            return (response.status, (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:])
        }
        // amount wins over the lines' totals
        let (status, made) = try await post(["amount": "3.00", "reason": "", "api_refund": false,
                                             "line_items": [["id": lineID, "quantity": 1, "refund_total": 37.50]]])
        XCTAssertEqual(status, 201)
        XCTAssertEqual(made["amount"] as? String, "3.00")
        XCTAssertEqual(validator.problems(made), [])
        XCTAssertEqual(((made["line_items"] as? [[String: Any]])?.first?["quantity"]) as? Int, -1)
        // no amount: summed from the lines (excl. tax + tax)
        let (_, summed) = try await post(["line_items": [["id": lineID, "quantity": 1, "refund_total": "10.00",
                                                          "refund_tax": [["id": 1, "refund_total": "2.00"]]]], "api_refund": false])
        XCTAssertEqual(summed["amount"] as? String, "12.00")
        // more than what remains (49.90 − 15.00)
        let (over, refusal) = try await post(["amount": "34.91", "api_refund": false])
        XCTAssertEqual(over, 500)
        XCTAssertEqual(refusal["code"] as? String, "woocommerce_rest_cannot_create_order_refund")
        XCTAssertEqual(refusal["message"] as? String, "Invalid refund amount.")
        let (zero, zeroRefusal) = try await post(["amount": "0.00"])
        XCTAssertEqual(zero, 400)
        XCTAssertEqual(zeroRefusal["code"] as? String, "woocommerce_rest_invalid_order_refund")
        XCTAssertEqual(h.simulator.refunds(orderID: order.id).count, 2)
        XCTAssertEqual(h.simulator.order(order.id)?.status, "processing", "a partial refund keeps the status")
    }
}
