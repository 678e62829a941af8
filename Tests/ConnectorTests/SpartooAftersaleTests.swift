import ChannelSimulator
import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// Spartoo after-sale pushes: lost / undelivered (statut 45 / 47 from 3 only) and return decisions.
final class SpartooAftersaleTests: SpartooTestCase, @unchecked Sendable {
    func testLostSendsStatut45FromShippedOnceAndTheRefusalNamesTheBackOfficeButton() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.new(site: "fr", status: 3))
        let done = try await h.process(try h.enqueue(order.id, .parcelLost))
        XCTAssertEqual(done.state, .done, done.lastError ?? "")
        XCTAssertEqual(h.updates().first?.parameters["statut"], "45")
        XCTAssertEqual(try h.stored(order.id)?.status, .lost)
        let again = try await h.process(try h.enqueue(order.id, .parcelLost, dedupeKey: "again"))
        XCTAssertTrue(again.result?.contains("already") == true, again.result ?? "")
        XCTAssertEqual(h.simulator.appliedEffects(orderID: order.id, kind: .parcelOutcome).count, 1)

        let other = try await h.seed(.new(site: "fr", status: 3))
        h.simulator.updateConfiguration { $0.acceptsParcelOutcomes = false }
        let refused = try await h.process(try h.enqueue(other.id, .parcelUndelivered))
        XCTAssertEqual(refused.state, .failed)
        XCTAssertTrue(refused.lastError?.contains("-5") == true, refused.lastError ?? "")
        XCTAssertTrue(refused.lastError?.contains("Problema de entrega") == true, refused.lastError ?? "")
    }

    func testReturnRefuseOnlyWhileAwaitedAndAcceptAfterRefusal() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.new(site: "fr", status: 3))
        h.simulator.addReturn(.init(site: "fr", returnID: "R7", orderID: order.id, status: 2, createdAt: Date()))
        func decide(_ accept: Bool, _ key: String) async throws -> Job {
            let payload = JobPayload(reason: "Worn", returnDecision: ReturnDecision(returnRef: "\(SpartooConnectorHarness.channelID):R7",
                                                                                  accept: accept, labelURL: nil))
            return try await h.process(try h.enqueue(order.id, .returnDecision, dedupeKey: key, payload: payload))
        }
        let refused = try await decide(false, "r1")
        XCTAssertEqual(refused.state, .done, refused.lastError ?? "")
        XCTAssertEqual(h.simulator.spartooReturn("R7")?.status, 3)
        let refusedAgain = try await decide(false, "r2")
        XCTAssertTrue(refusedAgain.result?.hasPrefix("already done") == true, refusedAgain.result ?? "")
        let accepted = try await decide(true, "a1")
        XCTAssertEqual(accepted.state, .done, accepted.lastError ?? "")
        XCTAssertEqual(h.simulator.spartooReturn("R7")?.status, 4, "→4 is allowed from 3")
        XCTAssertEqual(h.simulator.requests(script: "xml_maj_returns.php").count, 2, "one call per decision, none for the repeat")
        let lateRefusal = try await decide(false, "r3")
        XCTAssertEqual(lateRefusal.state, .failed)
        XCTAssertTrue(lateRefusal.lastError?.contains("-7") == true, lateRefusal.lastError ?? "")
    }
}
