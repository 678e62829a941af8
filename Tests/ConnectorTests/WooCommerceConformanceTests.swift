import ChannelSimulator
import Foundation
import OrderSync
@testable import Connectors
import XCTest

/// WooCommerce's simulator and connector as a conformance subject (no accept step: ships directly;
/// "the shipment reached the channel" = a customer note carrying the tracking number).
final class WooCommerceSubject: ConformanceSubject {
    let simulator = WooCommerceSimulator(keys: [.init(consumerKey: "ck_conf", consumerSecret: "cs_conf")])
    let channelID = "woo-conf"
    let hasAcceptStep = false

    init() throws { try simulator.start() }

    func makeConnector(logger: Logger) throws -> any ChannelConnector {
        let http = ChannelHTTP(transport: URLSessionTransport(), minimumSpacing: 0, timeout: 2, attempts: 2,
                               rateLimitPause: 1, logger: logger)
        return WooCommerceChannel(id: channelID, baseURL: simulator.baseURL, consumerKey: Secret("ck_conf"),
                                  consumerSecret: Secret("cs_conf"), resweepDays: 5, http: http, logger: logger)
    }

    func addNewOrder() -> String {
        // Modified a minute ago: inside the poll's frozen window whatever the second the poll starts in.
        let past = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down) - 60)
        return String(simulator.addOrder(WooCommerceSimulator.Order(dateCreated: past, dateModified: past)).id)
    }

    func appliedCount(_ externalID: String, kind: JobKind) -> Int {
        let id = Int(externalID) ?? -1
        switch kind {
        case .accept: return 0
        case .cancel:
            return simulator.appliedEffects(orderID: id, kind: .statusChange).filter { $0.details["to"] == "cancelled" }.count
        case .ship: return simulator.appliedEffects(orderID: id, kind: .customerNote).count
        case .mirror: return simulator.appliedEffects.filter { $0.kind == .created }.count
        case .refund: return simulator.appliedEffects(orderID: id, kind: .refund).count
        case .returnDecision, .parcelLost, .parcelUndelivered: return 0
        }
    }

    func injectServerErrors(count: Int) { simulator.injectFault(.serverError(status: 503), count: count) }
    func injectMalformedBody(count: Int) { simulator.injectFault(.malformedJSON, count: count) }
    func injectSlowApplyingReply(seconds: TimeInterval) {
        simulator.injectFault(.slow(seconds: seconds), count: 1, method: "POST")
    }
    func faultsOff() { simulator.faultsOff() }

    func shipment(trackingNumber: String) -> ShipmentRequest {
        ShipmentRequest(carrierKey: "colissimo", carrierName: "Colissimo", trackingNumber: trackingNumber,
                        trackingURL: "https://example.com/t/\(trackingNumber)", shippedAt: Date(), lines: [], wholeOrder: true)
    }

    func cancelOnChannel(_ externalID: String) { simulator.setStatus(Int(externalID) ?? -1, "cancelled") }
    func stop() { simulator.stop() }
}

final class WooCommerceConformanceTests: XCTestCase {
    var checks: ConformanceChecks!
    override func setUpWithError() throws { checks = try ConformanceChecks(WooCommerceSubject()) }
    override func tearDown() { checks?.close() }

    func testPollImportsNewOrderOnce() async throws { try await checks.pollImportsNewOrderOnceAndRepollChangesNothing() }
    func testShipPushedExactlyOnce() async throws { try await checks.shipIsPushedExactlyOnceEvenWhenRepeated() }
    func testServerErrorsConverge() async throws { try await checks.serverErrorsConvergeOnceTheyStop() }
    func testMalformedBodyIsRetryable() async throws { try await checks.malformedBodyIsRetryableNeverNoOrders() }
    func testSlowReplyNoDuplicate() async throws { try await checks.slowReplyAfterApplyingDoesNotDuplicateTheEffect() }
    func testRefundOnceOrRefusedWithAdvice() async throws { try await checks.refundIsMadeOnceOrRefusedWithAdvice() }
    func testShipForChannelCancelledOrderDropped() async throws { try await checks.shipQueuedForAnOrderCancelledOnTheChannelIsDropped() }
}

/// The spec oracle for WooCommerce: requests and simulator replies against the published schemas.
final class WooCommerceSpecConformanceTests: WooCommerceTestCase, @unchecked Sendable {
    func testRequestBodiesMatchTheSpec() async throws { try await WooCommerceSpecChecks.requestsMatchTheSpec(self) }
    func testSimulatorRepliesMatchTheSpec() async throws { try await WooCommerceSpecChecks.repliesMatchTheSpec(self) }

    func testTheValidatorRejectsWhatTheSpecForbids() throws {
        let orders = try WooCommerceSpecValidator.fixture("orders")
        let schema = orders["schema"] as? [String: Any] ?? [:]
        let request = WooCommerceSpecValidator(schema: schema, mode: .request)
        XCTAssertEqual(request.problems(["status": "completed", "meta_data": [["key": "k", "value": "v"]]]), [])
        XCTAssertEqual(request.problems(["status": "shipped", "total": "9.90", "line_itemz": []]).count, 3,
                       "an unknown status, a read-only property and an unknown property")
        XCTAssertEqual(request.problems(["billing": ["email": NSNull()]]), [], "[\"string\",\"null\"] admits null")
        XCTAssertEqual(request.problems(["customer_id": "7"]).count, 1, "an integer is not a string")
        let reply = WooCommerceSpecValidator(schema: schema, mode: .reply)
        XCTAssertEqual(reply.problems(["id": 1, "_links": [:], "line_items": [["quantity": 1.5]]]).count, 1,
                       "unknown reply fields pass; a fractional quantity does not")
        let tracking = try WooCommerceSpecValidator.fixture("shipment-tracking")
        let post = WooCommerceSpecValidator(schema: tracking["schema"] as? [String: Any] ?? [:], mode: .request,
                                            required: tracking["create_required"] as? [String] ?? [])
        XCTAssertEqual(post.problems(["tracking_provider": "Colissimo"]), ["$.tracking_number: required, missing"])
        XCTAssertEqual(post.problems(["tracking_number": "1", "tracking_id": "x"]).count, 1, "tracking_id is read-only")
    }
}
