import ChannelSimulator
import Foundation
import OrderSync
@testable import Connectors
import XCTest

/// Back Market's simulator and connector as a conformance subject.
final class BackMarketSubject: ConformanceSubject {
    let simulator = BackMarketSimulator(tokens: ["conf-token"])
    let channelID = "bm-conf"
    let hasAcceptStep = true

    init() throws { try simulator.start() }

    func makeConnector(logger: Logger) throws -> any ChannelConnector {
        let http = ChannelHTTP(transport: URLSessionTransport(), minimumSpacing: 0, timeout: 2, attempts: 2,
                               rateLimitPause: 1, logger: logger)
        return BackMarketChannel(id: channelID, baseURL: simulator.baseURL, token: Secret("conf-token"),
                                 userAgent: "BM-Conf-ordersync;ops@example.com", acceptLanguage: "fr-fr",
                                 imeiPatterns: [], acceptWithinHours: 24, resweepDays: 5, http: http, logger: logger)
    }

    func addNewOrder() -> String {
        String(simulator.addOrder(BackMarketSimulator.Order(lines: [.init(listing: "CONF-1", product: "Refurbished tablet")])).orderID)
    }

    func appliedCount(_ externalID: String, kind: JobKind) -> Int {
        let id = Int(externalID) ?? -1
        switch kind {
        case .accept: return simulator.appliedEffects(orderID: id, kind: .accept).count
        case .cancel: return simulator.appliedEffects(orderID: id, kind: .cancel).count
        case .ship: return simulator.appliedEffects(orderID: id, kind: .ship).count
        case .mirror: return 0
        // A line not yet accepted is refunded by new_state 4 (a cancel on Back Market).
        case .refund: return simulator.appliedEffects(orderID: id).filter { $0.kind == .refund || $0.kind == .cancel }.count
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

    func cancelOnChannel(_ externalID: String) { simulator.channelRefund(orderID: Int(externalID) ?? -1) }

    func stop() { simulator.stop() }
}

final class BackMarketConformanceTests: XCTestCase {
    var checks: ConformanceChecks!
    override func setUpWithError() throws { checks = try ConformanceChecks(BackMarketSubject()) }
    override func tearDown() { checks?.close() }

    func testPollImportsNewOrderOnce() async throws { try await checks.pollImportsNewOrderOnceAndRepollChangesNothing() }
    func testShipPushedExactlyOnce() async throws { try await checks.shipIsPushedExactlyOnceEvenWhenRepeated() }
    func testServerErrorsConverge() async throws { try await checks.serverErrorsConvergeOnceTheyStop() }
    func testMalformedBodyIsRetryable() async throws { try await checks.malformedBodyIsRetryableNeverNoOrders() }
    func testSlowReplyNoDuplicate() async throws { try await checks.slowReplyAfterApplyingDoesNotDuplicateTheEffect() }
    func testRefundOnceOrRefusedWithAdvice() async throws { try await checks.refundIsMadeOnceOrRefusedWithAdvice() }
    func testShipForChannelCancelledOrderDropped() async throws { try await checks.shipQueuedForAnOrderCancelledOnTheChannelIsDropped() }

    // Back Market's OAS as the oracle (BackMarketSpecChecks, Tests/Fixtures/specs/backmarket/).
    func testSpecRequestBodiesAndWriteRepliesValidate() async throws { try await BackMarketSpecChecks().requestBodiesValidate() }
    func testSpecSimulatorRepliesValidateAgainstOrder() async throws { try await BackMarketSpecChecks().simulatorRepliesValidate() }
    func testSpecShipperListIsSharedByConnectorAndSimulator() throws { try BackMarketSpecChecks().shipperListsAreTheSpecEnum() }
    func testSpecStatesAreTheSpecEnums() throws { try BackMarketSpecChecks().statesAreTheSpecEnums() }
    func testSpecValidatorRefusesWhatTheSpecRefuses() throws { try BackMarketSpecChecks().validatorRefusesWhatTheSpecRefuses() }
    func testSpecUndeclaredRequiredIsOnlyUpdateOrderID() throws { try BackMarketSpecChecks().undeclaredRequiredIsOnlyUpdateOrderID() }
}
