import Foundation
@testable import OrderSync
@testable import Connectors
import XCTest

/// What the shared conformance suite needs from one channel: its simulator and a connector pointed at it.
/// Every channel implements this once (`BackMarketSubject`, `SpartooSubject`, `WooCommerceSubject`) and
/// runs the same tests by subclassing `ConformanceSuite`.
protocol ConformanceSubject: AnyObject {
    /// The channel id the connector uses (refs are `channelID:EXTERNAL_ID`).
    var channelID: String { get }
    /// Whether orders must be accepted before shipping.
    var hasAcceptStep: Bool { get }
    /// A connector to the running simulator, with short timeouts (≤ 2 s) and no pacing delay.
    func makeConnector(logger: Logger) throws -> any ChannelConnector
    /// Adds an order the next poll will see: awaiting acceptance where the channel has that step, else
    /// awaiting shipment. Returns its external id as the connector will report it.
    func addNewOrder() -> String
    /// How many times the channel applied an effect of this kind to the order (accept, cancel, ship;
    /// for ship count the tracking notes/calls, whatever "the shipment reached the channel" means there).
    func appliedCount(_ externalID: String, kind: JobKind) -> Int
    /// The next `count` requests answer a 5xx before anything is applied.
    func injectServerErrors(count: Int)
    /// The next `count` requests answer 200 with a body that is not the expected format.
    func injectMalformedBody(count: Int)
    /// The next state-changing request takes effect at once, but the reply is held `seconds` (past the timeout).
    func injectSlowApplyingReply(seconds: TimeInterval)
    /// Removes every injected fault.
    func faultsOff()
    /// A ship request valid for this channel (carrier name as the channel spells it).
    func shipment(trackingNumber: String) -> ShipmentRequest
    /// The buyer or the channel cancels the order on the channel's side (after ordersync imported it).
    func cancelOnChannel(_ externalID: String)
    func stop()
}

/// The checks every connector passes against its simulator. Each channel has an XCTestCase whose
/// `test…` methods call these one by one (XCTest on Linux does not discover inherited test methods):
///
///     final class SpartooConformanceTests: XCTestCase {
///         var checks: ConformanceChecks!
///         override func setUpWithError() throws { checks = try ConformanceChecks(SpartooSubject()) }
///         override func tearDown() { checks?.close() }
///         func testPollImportsNewOrderOnce() async throws { try await checks.pollImportsNewOrderOnceAndRepollChangesNothing() }
///         …one line per check…
///     }
final class ConformanceChecks {
    private let subject: ConformanceSubject
    private let store: Store
    private let dir: String

    /// All the checks, by name, so a channel's test class can be checked for completeness.
    static let names = ["pollImportsNewOrderOnceAndRepollChangesNothing", "shipIsPushedExactlyOnceEvenWhenRepeated",
                        "serverErrorsConvergeOnceTheyStop", "malformedBodyIsRetryableNeverNoOrders",
                        "slowReplyAfterApplyingDoesNotDuplicateTheEffect", "refundIsMadeOnceOrRefusedWithAdvice",
                        "shipQueuedForAnOrderCancelledOnTheChannelIsDropped"]

    init(_ subject: ConformanceSubject) throws {
        self.subject = subject
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("conf-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        store = try Store(path: dir + "/db.sqlite3")
    }

    func close() {
        subject.stop()
        try? FileManager.default.removeItem(atPath: dir)
    }

    private func parts() throws -> (any ChannelConnector, Ingest, Poller, Pusher) {
        let connector = try subject.makeConnector(logger: .discarding)
        let ingest = Ingest(store: store, channelID: subject.channelID, autoAccept: false, rules: [], logger: .discarding)
        let poller = Poller(connector: connector, ingest: ingest, interval: 10, logger: .discarding, onCycle: {})
        let pusher = Pusher(connector: connector, ingest: ingest, logger: .discarding, tick: 0.1)
        return (connector, ingest, poller, pusher)
    }

    private func ref(_ id: String) -> OrderRef { OrderRef(channel: subject.channelID, externalID: id) }

    /// Runs due jobs until none is queued or the deadline passes.
    private func drain(_ pusher: Pusher, timeout: TimeInterval = 15) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let due = try store.dueJobs(channel: subject.channelID, now: .distantFuture)
            if due.isEmpty { return }
            for job in due {
                try await pusher.process(job)
                if try store.job(id: job.id)?.state == .queued {
                    try store.reschedule(job.id, at: Date(), error: "test: retry now")
                }
            }
        }
    }

    func pollImportsNewOrderOnceAndRepollChangesNothing() async throws {
        let (_, _, poller, _) = try parts()
        let id = subject.addNewOrder()
        try await poller.pollOnce()
        let stored = try XCTUnwrap(try store.order(ref(id)), "order imported")
        XCTAssertEqual(stored.order.status, subject.hasAcceptStep ? .awaitingAcceptance : .awaitingShipment)
        XCTAssertNotNil(stored.raw)
        let historyBefore = try store.history(ref(id)).count
        try await poller.pollOnce()
        XCTAssertEqual(try store.history(ref(id)).count, historyBefore, "an unchanged order is not rewritten")
        XCTAssertNotNil(try store.cursor(channel: subject.channelID))
    }

    func shipIsPushedExactlyOnceEvenWhenRepeated() async throws {
        let (_, _, poller, pusher) = try parts()
        let id = subject.addNewOrder()
        try await poller.pollOnce()
        if subject.hasAcceptStep {
            _ = try store.enqueue(ref(id), kind: .accept, dedupeKey: "accept", payload: JobPayload())
            try await drain(pusher)
            XCTAssertEqual(subject.appliedCount(id, kind: .accept), 1)
        }
        _ = try store.enqueue(ref(id), kind: .ship, dedupeKey: "T1", payload: JobPayload(shipment: subject.shipment(trackingNumber: "CONF-T1")))
        try await drain(pusher)
        XCTAssertEqual(subject.appliedCount(id, kind: .ship), 1)
        // The same job again (as after a crash between push and commit) must not push twice.
        let job = try XCTUnwrap(try store.jobs(ref: ref(id)).first { $0.kind == .ship })
        XCTAssertEqual(job.state, .done)
        XCTAssertTrue(try store.retry(job.id) == false, "a done job is not retryable")
        try store.db.execute("UPDATE jobs SET state = 'queued' WHERE id = ?", [.int(job.id)])
        try await drain(pusher)
        XCTAssertEqual(subject.appliedCount(id, kind: .ship), 1, "re-running a done push repeats nothing")
        XCTAssertEqual(try store.job(id: job.id)?.state, .done)
    }

    func serverErrorsConvergeOnceTheyStop() async throws {
        let (_, _, poller, _) = try parts()
        let id = subject.addNewOrder()
        subject.injectServerErrors(count: 5)
        for _ in 0..<6 {
            do { try await poller.pollOnce(); break } catch let error as ChannelError {
                XCTAssertTrue(error.isRetryable, "5xx is retryable: \(error)")
            }
        }
        XCTAssertNotNil(try store.order(ref(id)), "imported once the errors stopped")
    }

    func malformedBodyIsRetryableNeverNoOrders() async throws {
        let (_, _, poller, _) = try parts()
        let id = subject.addNewOrder()
        subject.injectMalformedBody(count: 10)
        do {
            try await poller.pollOnce()
            XCTFail("a malformed body must fail the poll")
        } catch let error as ChannelError {
            XCTAssertTrue(error.isRetryable, "\(error)")
        }
        XCTAssertNil(try store.cursor(channel: subject.channelID), "the cursor does not advance on a bad body")
        subject.faultsOff()
        try await poller.pollOnce()
        XCTAssertNotNil(try store.order(ref(id)))
    }

    func slowReplyAfterApplyingDoesNotDuplicateTheEffect() async throws {
        let (_, _, poller, pusher) = try parts()
        let id = subject.addNewOrder()
        try await poller.pollOnce()
        let kind: JobKind = subject.hasAcceptStep ? .accept : .ship
        let payload = kind == .ship ? JobPayload(shipment: subject.shipment(trackingNumber: "CONF-SLOW")) : JobPayload()
        subject.injectSlowApplyingReply(seconds: 4)
        _ = try store.enqueue(ref(id), kind: kind, dedupeKey: "slow", payload: payload)
        try await drain(pusher, timeout: 30)
        XCTAssertEqual(subject.appliedCount(id, kind: kind), 1, "the timed-out call took effect once; the retry read that first")
        XCTAssertEqual(try store.jobs(ref: ref(id)).first?.state, .done)
    }

    /// After-sale: a whole-line refund whose reply is lost after it took effect is made exactly once (the
    /// retry reads the channel first); a channel without API refunds fails the job with its advice and
    /// sends nothing.
    func refundIsMadeOnceOrRefusedWithAdvice() async throws {
        let (connector, _, poller, pusher) = try parts()
        let id = subject.addNewOrder()
        try await poller.pollOnce()
        let order = try XCTUnwrap(try store.order(ref(id))?.order)
        let lines = Dictionary(uniqueKeysWithValues: order.lines.map { ($0.lineID, $0.quantity) })
        let payload = JobPayload(reason: "Damaged in transit", refund: RefundRequest(amount: nil, lines: lines, viaGateway: false))
        if case .none = connector.capabilities.refunds {
            _ = try store.enqueue(ref(id), kind: .refund, dedupeKey: "refund", payload: payload)
            try await drain(pusher)
            let job = try XCTUnwrap(try store.jobs(ref: ref(id)).first)
            XCTAssertEqual(job.state, .failed)
            XCTAssertTrue(job.lastError?.contains("back office") == true, job.lastError ?? "")
            XCTAssertEqual(subject.appliedCount(id, kind: .refund), 0)
            return
        }
        subject.injectSlowApplyingReply(seconds: 4)
        _ = try store.enqueue(ref(id), kind: .refund, dedupeKey: "refund", payload: payload)
        try await drain(pusher, timeout: 30)
        XCTAssertEqual(subject.appliedCount(id, kind: .refund), 1, "the timed-out refund took effect once; the retry read that first")
        let job = try store.jobs(ref: ref(id)).first
        XCTAssertEqual(job?.state, .done, job?.lastError ?? "")
    }

    /// After-sale: a shipment queued for an order the channel has since cancelled is dropped (obsolete),
    /// nothing is shipped, and the job is not retried.
    func shipQueuedForAnOrderCancelledOnTheChannelIsDropped() async throws {
        let (_, _, poller, pusher) = try parts()
        let id = subject.addNewOrder()
        try await poller.pollOnce()
        subject.cancelOnChannel(id)
        _ = try store.enqueue(ref(id), kind: .ship, dedupeKey: "cancelled", payload: JobPayload(shipment: subject.shipment(trackingNumber: "CONF-GONE")))
        try await drain(pusher)
        let job = try XCTUnwrap(try store.jobs(ref: ref(id)).first)
        XCTAssertEqual(job.state, .dropped, job.lastError ?? "")
        XCTAssertEqual(job.state.displayName, "obsolete")
        XCTAssertEqual(subject.appliedCount(id, kind: .ship), 0, "nothing shipped")
        try await drain(pusher)
        XCTAssertEqual(try store.jobs(ref: ref(id)).first?.attempts, 1, "never retried")
    }
}
