import ChannelSimulator
import Foundation
import OrderSync
@testable import Connectors
import XCTest

/// Back Market after-sale: whole-line refunds (read first, 5 before shipping / 6 after with a return
/// reason) and channel-side refunds read back as refunds, lost and undelivered.
final class BackMarketAftersaleTests: BackMarketTestCase, @unchecked Sendable {
    func testRefundOfAShippedLineSends6WithAReturnReasonOnceAndALineAlreadyRefundedIsDone() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.init(lines: [.phone(state: 3, listing: "A"), .laptop(state: 2, listing: "B")]))
        let shipped = String(order.lines[0].id), accepted = String(order.lines[1].id)
        let payload = JobPayload(reason: "Screen scratched", refund: RefundRequest(amount: nil, lines: [shipped: 1, accepted: 1], viaGateway: false))
        let job = try await h.process(try h.enqueue(order.orderID, .refund, payload: payload))
        XCTAssertEqual(job.state, .done, job.lastError ?? "")
        let id = order.orderID
        XCTAssertEqual(h.posts(id).map(\.fields), [
            ["order_id": .number(id), "new_state": .number(6), "sku": .string("A"), "return_reason": .number(25),
             "return_message": .string("Screen scratched")],
            ["order_id": .number(id), "new_state": .number(5), "sku": .string("B")],
        ])
        XCTAssertEqual(h.simulator.order(id)?.lines.map(\.state), [6, 5])
        XCTAssertEqual(try h.stored(id)?.refunds.count, 2, "the refunds as Back Market shows them")
        h.simulator.clearJournal()
        let again = try await h.process(try h.enqueue(id, .refund, dedupeKey: "again", payload: payload))
        XCTAssertTrue(again.result?.hasPrefix("already done") == true, again.result ?? "")
        XCTAssertTrue(h.posts(id).isEmpty, "lines already at their target: nothing sent")
    }

    func testBackMarketRefundForALostParcelReadsAsLost() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.init(lines: [.phone(state: 3)]))
        XCTAssertEqual(h.simulator.channelRefund(orderID: order.orderID, returnReason: 13), 1)
        let read = try await h.channel.fetchOrder(externalID: String(order.orderID))
        XCTAssertEqual(read?.order.status, .lost)
        XCTAssertEqual(read?.order.refunds.first?.reason, "parcel lost")
        XCTAssertEqual(read?.order.refunds.first?.amount.description, "299.00")
    }
}

