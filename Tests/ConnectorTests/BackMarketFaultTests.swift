import ChannelSimulator
import Foundation
import OrderSync
@testable import Connectors
import XCTest

/// Faults from the simulator: each one classified, and each converging once it stops.
final class BackMarketFaultTests: BackMarketTestCase, @unchecked Sendable {
    /// Runs a poll that must fail and returns its error.
    private func failingPoll(_ h: BackMarketHarness, file: StaticString = #filePath, line: UInt = #line) async -> ChannelError? {
        do {
            try await h.poller.pollOnce()
            XCTFail("the poll should have failed", file: file, line: line)
            return nil
        } catch let error as ChannelError {
            return error
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
            return nil
        }
    }

    private func gap(after fault: String, in h: BackMarketHarness) throws -> TimeInterval {
        let journal = h.simulator.journal
        let index = try XCTUnwrap(journal.firstIndex { $0.fault == fault })
        XCTAssertLessThan(index + 1, journal.count, "no request after the fault")
        return journal[index + 1].time.timeIntervalSince(journal[index].time)
    }

    // MARK: in-call retries

    func testServerErrorsAreRetriedWithinTheCall() async throws {
        let h = try makeHarness()
        h.simulator.generateOrders(count: 12, seed: 5)
        h.simulator.injectFault(.serverError(status: 500), method: "GET", pathPrefix: "/ws/orders")
        h.simulator.injectFault(.serverError(status: 502), method: "GET", pathPrefix: "/ws/orders")

        try await h.poller.pollOnce()
        XCTAssertEqual(Array(h.simulator.journal.prefix(3).map(\.status)), [500, 502, 200])
        XCTAssertEqual(try h.store.orderCounts()[BackMarketHarness.channelID], 12)

        h.simulator.makeNewOrder()
        h.simulator.injectFault(.serverError(status: 503), method: "GET", pathPrefix: "/ws/orders")
        h.simulator.injectFault(.dropConnection, method: "GET", pathPrefix: "/ws/orders")
        h.simulator.clearJournal()
        try await h.poller.pollOnce()
        XCTAssertEqual(Array(h.simulator.journal.prefix(3).map(\.status)), [503, 0, 200])
        XCTAssertEqual(try h.store.orderCounts()[BackMarketHarness.channelID], 13)
    }

    func testRateLimitWithoutRetryAfterWaitsThePause() async throws {
        let h = try makeHarness()
        h.simulator.generateOrders(count: 3, seed: 2)
        h.simulator.injectFault(.tooManyRequests(retryAfter: nil), method: "GET")

        try await h.poller.pollOnce()

        XCTAssertGreaterThanOrEqual(try gap(after: "too-many-requests", in: h), 0.95)
        XCTAssertEqual(try h.store.orderCounts()[BackMarketHarness.channelID], 3)
    }

    func testRateLimitWithRetryAfterIsHonoured() async throws {
        let h = try makeHarness()
        h.simulator.generateOrders(count: 3, seed: 2)
        h.simulator.injectFault(.tooManyRequests(retryAfter: 2), method: "GET")

        try await h.poller.pollOnce()

        XCTAssertGreaterThanOrEqual(try gap(after: "too-many-requests", in: h), 1.95)
        XCTAssertEqual(try h.store.orderCounts()[BackMarketHarness.channelID], 3)
    }

    func testGoingOverTheRateLimitBlocksThenConverges() async throws {
        let h = try makeHarness { $0.rateLimit = 3 }
        h.simulator.generateOrders(count: 120, seed: 9)

        try await h.poller.pollOnce()

        let limited = h.simulator.journal.filter { $0.fault == "rate-limit" }
        XCTAssertFalse(limited.isEmpty, "the simulator blocked the client at least once")
        XCTAssertGreaterThanOrEqual(try gap(after: "rate-limit", in: h), 0.95)
        XCTAssertEqual(try h.store.orderCounts()[BackMarketHarness.channelID], 120)
    }

    func testSlowListReplyTimesOutThenSucceeds() async throws {
        let h = try makeHarness()
        h.simulator.generateOrders(count: 3, seed: 4)
        h.simulator.injectFault(.slow(seconds: 2.6), method: "GET", pathPrefix: "/ws/orders")

        try await h.poller.pollOnce()

        XCTAssertEqual(h.simulator.journal.first?.fault, "slow-2.6s")
        XCTAssertEqual(try h.store.orderCounts()[BackMarketHarness.channelID], 3)
        XCTAssertTrue(h.logs.entries.contains { entry in
            entry.message == "request retried" && entry.fields.contains { $0.0 == "error" && $0.1.description.contains("timed out") }
        })
    }

    // MARK: errors surfaced to the poller

    func testMalformedJSONIsRetryableAndNeverReadAsNoOrders() async throws {
        let h = try makeHarness()
        h.simulator.generateOrders(count: 8, seed: 6)
        h.simulator.injectFault(.malformedJSON, count: 3, method: "GET", pathPrefix: "/ws/orders")

        let error = await failingPoll(h)
        XCTAssertEqual(error?.isRetryable, true)
        XCTAssertEqual(error?.httpStatus, 200)
        XCTAssertNil(try h.store.cursor(channel: BackMarketHarness.channelID), "cursor not advanced")
        XCTAssertEqual(try h.store.orderCounts()[BackMarketHarness.channelID] ?? 0, 0)

        h.simulator.faultsOff()
        try await h.poller.pollOnce()
        XCTAssertEqual(try h.store.orderCounts()[BackMarketHarness.channelID], 8)
        XCTAssertNotNil(try h.store.cursor(channel: BackMarketHarness.channelID))
    }

    func testMalformedJSONOnALaterPollKeepsTheCursor() async throws {
        let h = try makeHarness()
        h.simulator.generateOrders(count: 8, seed: 6)
        try await h.poller.pollOnce()
        let cursor = try h.store.cursor(channel: BackMarketHarness.channelID)
        let newOrder = h.simulator.makeNewOrder()
        h.simulator.injectFault(.malformedJSON, count: 100, method: "GET", pathPrefix: "/ws/orders")

        let error = await failingPoll(h)
        XCTAssertEqual(error?.isRetryable, true)
        XCTAssertEqual(try h.store.cursor(channel: BackMarketHarness.channelID), cursor)

        h.simulator.faultsOff()
        try await h.poller.pollOnce()
        XCTAssertEqual(try h.stored(newOrder.orderID)?.status, .awaitingAcceptance)
    }

    func testCloudflareBlockPageIsRetryable() async throws {
        let h = try makeHarness()
        h.simulator.generateOrders(count: 4, seed: 8)
        h.simulator.injectFault(.cloudflareForbidden, count: 3, method: "GET")

        let error = await failingPoll(h)
        XCTAssertEqual(error?.isRetryable, true)
        XCTAssertEqual(error?.httpStatus, 403)
        XCTAssertEqual(h.simulator.requests().count, 3, "retried within the call")

        h.simulator.faultsOff()
        try await h.poller.pollOnce()
        XCTAssertEqual(try h.store.orderCounts()[BackMarketHarness.channelID], 4)
    }

    func testBotChallengeJSONIsRetryableEvenWithoutCloudflareHeaders() async throws {
        let h = try makeHarness { $0.cloudflareHeaders = false }
        h.simulator.generateOrders(count: 4, seed: 8)
        h.simulator.injectFault(.botChallenge, count: 3, method: "GET")

        let error = await failingPoll(h)
        XCTAssertEqual(error?.isRetryable, true)
        XCTAssertEqual(error?.httpStatus, 403)

        h.simulator.faultsOff()
        try await h.poller.pollOnce()
        XCTAssertEqual(try h.store.orderCounts()[BackMarketHarness.channelID], 4)
    }

    func testRevokedTokenIsUnauthorizedAndRecordedInChannelHealth() async throws {
        let h = try makeHarness()
        h.simulator.generateOrders(count: 4, seed: 8)
        h.simulator.setTokens(["another-token"])

        let error = await failingPoll(h)
        XCTAssertEqual(error?.kind, .unauthorized)
        XCTAssertEqual(h.simulator.requests().count, 1, "no retry on 401")

        // As the daemon runs it: the failure lands in the channel's health.
        let poller = h.poller
        let failing = Task { try await poller.run() }
        try await waitFor("the failed poll in channel health") {
            (try h.store.channelHealth()[BackMarketHarness.channelID]?.consecutiveErrors ?? 0) >= 1
        }
        failing.cancel()
        try await failing.value
        let health = try XCTUnwrap(try h.store.channelHealth()[BackMarketHarness.channelID])
        XCTAssertTrue(health.lastError?.contains("HTTP 401") == true, health.lastError ?? "")
        XCTAssertNotNil(health.failingSince)
        XCTAssertNil(health.lastSuccessAt)
        XCTAssertFalse(health.lastError?.contains(BackMarketHarness.token) ?? true, "no secret in the error")

        // A new token: the next cycle recovers.
        h.simulator.setTokens([BackMarketHarness.token])
        let recovering = Task { try await poller.run() }
        try await waitFor("a successful poll") {
            try h.store.channelHealth()[BackMarketHarness.channelID]?.lastSuccessAt != nil
        }
        recovering.cancel()
        try await recovering.value
        XCTAssertEqual(try h.store.channelHealth()[BackMarketHarness.channelID]?.consecutiveErrors, 0)
        XCTAssertEqual(try h.store.orderCounts()[BackMarketHarness.channelID], 4)
    }

    // MARK: writes that the channel applied but the client never heard about

    func testShipAppliedBehindA502IsNotPostedAgain() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.init(lines: [.phone(state: 2)]))
        let jobID = try h.enqueue(order.orderID, .ship, payload: BackMarketHarness.shipment())
        h.simulator.injectFault(.serverErrorAfterApplying(status: 502), method: "POST")

        let first = try await h.process(jobID)
        XCTAssertEqual(first.state, .queued, first.lastError ?? "")
        XCTAssertTrue(first.lastError?.contains("HTTP 502") == true, first.lastError ?? "")

        let second = try await h.process(jobID)
        XCTAssertEqual(second.state, .done, second.lastError ?? "")
        XCTAssertTrue(second.result?.hasPrefix("already done") == true, second.result ?? "")
        XCTAssertEqual(h.posts(order.orderID).count, 1)
        XCTAssertEqual(h.simulator.appliedEffects(orderID: order.orderID, kind: .ship).count, 1)
    }

    func testSlowShipReplyPastTheTimeoutIsRetryableThenDone() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.init(lines: [.phone(state: 2)]))
        let jobID = try h.enqueue(order.orderID, .ship, payload: BackMarketHarness.shipment())
        h.simulator.injectFault(.slow(seconds: 2.6), method: "POST")

        let first = try await h.process(jobID)
        XCTAssertEqual(first.state, .queued, first.lastError ?? "")
        XCTAssertTrue(first.lastError?.contains("timed out") == true, first.lastError ?? "")
        XCTAssertGreaterThan(first.nextAttemptAt, Date())

        let second = try await h.process(jobID)
        XCTAssertEqual(second.state, .done, second.lastError ?? "")
        XCTAssertEqual(h.posts(order.orderID).count, 1)
        XCTAssertEqual(h.simulator.appliedEffects(orderID: order.orderID, kind: .ship).count, 1)
    }

    func testLinePatchAppliedBehindA504IsNotPatchedAgain() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.init(lines: [.phone(state: 2), .laptop(state: 2)]))
        let imei = luhnIMEI("35693803564380")
        let jobID = try h.enqueue(order.orderID, .ship, payload: BackMarketHarness.shipment(lines: [
            ShipLine(lineID: String(order.lines[0].id), imei: imei), ShipLine(lineID: String(order.lines[1].id), serial: "SN-7"),
        ]))
        h.simulator.injectFault(.serverErrorAfterApplying(status: 504), method: "PATCH")

        let first = try await h.process(jobID)
        XCTAssertEqual(first.state, .queued, first.lastError ?? "")

        let second = try await h.process(jobID)
        XCTAssertEqual(second.state, .done, second.lastError ?? "")
        XCTAssertEqual(h.patches().map(\.path), ["/ws/orderlines/\(order.lines[0].id)", "/ws/orderlines/\(order.lines[1].id)"])
        XCTAssertEqual(h.simulator.appliedEffects(orderID: order.orderID, kind: .patchLine).count, 2)
        XCTAssertEqual(h.simulator.appliedEffects(orderID: order.orderID, kind: .ship).count, 1)
        XCTAssertEqual(h.simulator.order(order.orderID)?.lines.map(\.imei), [imei, ""])
    }

    func testAcceptAppliedBehindA500IsNotPostedAgain() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.init(lines: [.phone(state: 1)]))
        let jobID = try h.enqueue(order.orderID, .accept)
        h.simulator.injectFault(.serverErrorAfterApplying(status: 500), method: "POST")

        let first = try await h.process(jobID)
        XCTAssertEqual(first.state, .queued, first.lastError ?? "")
        let second = try await h.process(jobID)
        XCTAssertEqual(second.state, .done, second.lastError ?? "")
        XCTAssertEqual(h.posts(order.orderID).count, 1)
        XCTAssertEqual(h.simulator.appliedEffects(orderID: order.orderID, kind: .accept).count, 1)
    }

    func testRateLimitedPostIsRetriedWithinTheCall() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.init(lines: [.phone(state: 1)]))
        h.simulator.injectFault(.tooManyRequests(retryAfter: 1), method: "POST")

        let job = try await h.process(try h.enqueue(order.orderID, .accept))

        XCTAssertEqual(job.state, .done, job.lastError ?? "")
        XCTAssertEqual(h.posts(order.orderID).map(\.status), [429, 200])
        XCTAssertEqual(h.simulator.appliedEffects(orderID: order.orderID, kind: .accept).count, 1)
    }
}
