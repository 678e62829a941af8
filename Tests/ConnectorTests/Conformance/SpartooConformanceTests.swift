import ChannelSimulator
import Foundation
import OrderSync
@testable import Connectors
import XCTest

/// Spartoo's simulator and connector as a conformance subject (two sites; new orders go to the first).
final class SpartooSubject: ConformanceSubject {
    let simulator = SpartooSimulator(partnerIDs: ["C0FFEE0123456789"], sites: ["fr", "es"])
    let channelID = "spartoo-conf"
    let hasAcceptStep = true

    init() throws { try simulator.start() }

    func makeConnector(logger: Logger) throws -> any ChannelConnector {
        SpartooChannel(id: channelID, endpoints: simulator.sites.map { SpartooEndpoint(site: $0, baseURL: simulator.baseURL(site: $0)) },
                       partnerID: Secret("C0FFEE0123456789"), transport: URLSessionTransport(), minimumSpacing: 0, timeout: 2,
                       readAttempts: 2, rateLimitPause: 1, logger: logger)
    }

    func addNewOrder() -> String {
        simulator.addOrder(SpartooSimulator.Order(site: "fr", products: [.init(reference: "CONF-1", sizeReference: "CONF-1-39")])).id
    }

    func appliedCount(_ externalID: String, kind: JobKind) -> Int {
        switch kind {
        case .accept: simulator.appliedEffects(orderID: externalID, kind: .accept).count
        case .cancel: simulator.appliedEffects(orderID: externalID, kind: .cancel).count
        case .ship: simulator.appliedEffects(orderID: externalID, kind: .ship).count
        case .mirror: 0
        case .refund: simulator.appliedEffects(orderID: externalID).count
        case .parcelLost, .parcelUndelivered: simulator.appliedEffects(orderID: externalID, kind: .parcelOutcome).count
        case .returnDecision: simulator.appliedEffects(orderID: externalID).filter { $0.kind == .returnAccepted || $0.kind == .returnRefused }.count
        }
    }

    func injectServerErrors(count: Int) { simulator.injectFault(.serverError(status: 503), count: count) }
    func injectMalformedBody(count: Int) { simulator.injectFault(.malformedXML, count: count) }
    func injectSlowApplyingReply(seconds: TimeInterval) {
        simulator.injectFault(.slow(seconds: seconds), count: 1, script: "xml_maj_orders.php")
    }
    func faultsOff() { simulator.faultsOff() }

    func shipment(trackingNumber: String) -> ShipmentRequest {
        // Spartoo takes no carrier name: the carrier key stays local.
        ShipmentRequest(carrierKey: "colissimo", carrierName: nil, trackingNumber: trackingNumber,
                        trackingURL: "https://example.com/t/\(trackingNumber)", shippedAt: Date(), lines: [], wholeOrder: true)
    }

    func cancelOnChannel(_ externalID: String) { simulator.setStatus(site: "fr", id: externalID, status: 41) }
    func stop() { simulator.stop() }
}

final class SpartooConformanceTests: XCTestCase {
    var checks: ConformanceChecks!
    override func setUpWithError() throws { checks = try ConformanceChecks(SpartooSubject()) }
    override func tearDown() { checks?.close() }

    func testPollImportsNewOrderOnce() async throws { try await checks.pollImportsNewOrderOnceAndRepollChangesNothing() }
    func testShipPushedExactlyOnce() async throws { try await checks.shipIsPushedExactlyOnceEvenWhenRepeated() }
    func testServerErrorsConverge() async throws { try await checks.serverErrorsConvergeOnceTheyStop() }
    func testMalformedBodyIsRetryable() async throws { try await checks.malformedBodyIsRetryableNeverNoOrders() }
    func testSlowReplyNoDuplicate() async throws { try await checks.slowReplyAfterApplyingDoesNotDuplicateTheEffect() }
    func testRefundOnceOrRefusedWithAdvice() async throws { try await checks.refundIsMadeOnceOrRefusedWithAdvice() }
    func testShipForChannelCancelledOrderDropped() async throws { try await checks.shipQueuedForAnOrderCancelledOnTheChannelIsDropped() }

    // Spartoo's published spec as the oracle (Tests/Fixtures/specs/spartoo/).
    func testSpecEveryRequestUsesOnlyDocumentedParameters() async throws {
        try await SpartooSpecChecks.everyRequestUsesOnlyDocumentedParameters()
    }
    func testSpecOracleFlagsUndocumentedRequests() throws { try SpartooSpecChecks.oracleFlagsUndocumentedRequests() }
    func testSpecEverySimulatorReplyParses() throws { try SpartooSpecChecks.everySimulatorReplyParsesAgainstTheDocumentedShape() }
    func testSpecConnectorAndSimulatorShareTheCodeTable() throws { try SpartooSpecChecks.connectorAndSimulatorShareTheCodeTable() }
}
