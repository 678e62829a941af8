import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// Job queue, shipments and two-connection tests of `Store`.
extension StoreTests {
    // MARK: Jobs

    func testEnqueueDedupesOnOrderKindAndKey() throws {
        let ref = Fixture.ref()
        guard case .queued(let id) = try store.enqueue(ref, kind: .accept, dedupeKey: "accept", payload: JobPayload(), now: t0) else {
            return XCTFail("first enqueue must queue")
        }
        XCTAssertEqual(try store.enqueue(ref, kind: .accept, dedupeKey: "accept", payload: JobPayload(), now: t0),
                       .duplicate(id: id, state: .queued))
        XCTAssertTrue(try store.markRunning(id, now: t0))
        XCTAssertEqual(try store.enqueue(ref, kind: .accept, dedupeKey: "accept", payload: JobPayload(), now: t0),
                       .duplicate(id: id, state: .running))
        try store.finish(id, state: .done, result: "accepted", now: t0)
        XCTAssertEqual(try store.enqueue(ref, kind: .accept, dedupeKey: "accept", payload: JobPayload(), now: t0),
                       .duplicate(id: id, state: .done))
        // Another kind, key or order is another job.
        guard case .queued = try store.enqueue(ref, kind: .cancel, dedupeKey: "accept", payload: JobPayload(), now: t0),
              case .queued = try store.enqueue(ref, kind: .ship, dedupeKey: "6A1", payload: Fixture.shipmentPayload("6A1"), now: t0),
              case .queued = try store.enqueue(ref, kind: .ship, dedupeKey: "6A2", payload: Fixture.shipmentPayload("6A2"), now: t0),
              case .queued = try store.enqueue(Fixture.ref("2"), kind: .accept, dedupeKey: "accept", payload: JobPayload(), now: t0)
        else { return XCTFail("distinct jobs must queue") }
        XCTAssertEqual(try store.jobs().count, 5)
    }

    func testFailedDuplicateIsNotRequeuedByEnqueue() throws {
        let ref = Fixture.ref()
        guard case .queued(let id) = try store.enqueue(ref, kind: .ship, dedupeKey: "6A1", payload: Fixture.shipmentPayload("6A1"), now: t0)
        else { return XCTFail() }
        _ = try store.markRunning(id, now: t0)
        try store.finish(id, state: .failed, error: "HTTP 400: sku not found", now: t0)
        XCTAssertEqual(try store.enqueue(ref, kind: .ship, dedupeKey: "6A1", payload: Fixture.shipmentPayload("6A1"), now: t0),
                       .duplicate(id: id, state: .failed))
        XCTAssertEqual(try store.job(id: id)?.state, .failed)
    }

    /// `enqueue`'s contract: "A `dropped` duplicate is re-queued (the effect was never pushed)."
    func testDroppedDuplicateIsRequeued() throws {
        let ref = Fixture.ref()
        guard case .queued(let id) = try store.enqueue(ref, kind: .accept, dedupeKey: "accept", payload: JobPayload(), now: t0)
        else { return XCTFail() }
        _ = try store.markRunning(id, now: t0)
        try store.finish(id, state: .dropped, error: "no line waits for acceptance", now: t0)
        let later = t0.addingTimeInterval(3600)
        XCTAssertEqual(try store.enqueue(ref, kind: .accept, dedupeKey: "accept", payload: JobPayload(reason: "again"), now: later),
                       .queued(id: id))
        let job = try XCTUnwrap(try store.job(id: id))
        XCTAssertEqual(job.state, .queued)
        XCTAssertEqual(job.attempts, 0)
        XCTAssertEqual(job.nextAttemptAt, later)
        XCTAssertEqual(job.payload, JobPayload(reason: "again"))
        XCTAssertEqual(try store.dueJobs(channel: "bm-eu", now: later).map(\.id), [id])
        XCTAssertEqual(try store.jobs().count, 1)
    }

    func testJobFieldsAsQueued() throws {
        let payload = Fixture.shipmentPayload("6A1")
        guard case .queued(let id) = try store.enqueue(Fixture.ref(), kind: .ship, dedupeKey: "6A1", payload: payload, now: t0)
        else { return XCTFail() }
        let job = try XCTUnwrap(try store.job(id: id))
        XCTAssertEqual(job.ref, Fixture.ref())
        XCTAssertEqual(job.kind, .ship)
        XCTAssertEqual(job.dedupeKey, "6A1")
        XCTAssertEqual(job.payload, payload)
        XCTAssertEqual(job.state, .queued)
        XCTAssertEqual(job.attempts, 0)
        XCTAssertEqual(job.nextAttemptAt, t0)
        XCTAssertEqual(job.createdAt, t0)
        XCTAssertNil(job.lastError)
        XCTAssertNil(job.result)
        XCTAssertNil(try store.job(id: id + 100))
    }

    func testMarkRunningCountsTheAttemptOnlyFromQueued() throws {
        guard case .queued(let id) = try store.enqueue(Fixture.ref(), kind: .accept, dedupeKey: "accept", payload: JobPayload(), now: t0)
        else { return XCTFail() }
        XCTAssertTrue(try store.markRunning(id, now: t0))
        XCTAssertFalse(try store.markRunning(id, now: t0), "already running")
        XCTAssertEqual(try store.job(id: id)?.state, .running)
        XCTAssertEqual(try store.job(id: id)?.attempts, 1)
        XCTAssertFalse(try store.markRunning(id + 1, now: t0), "no such job")
    }

    func testFinishKeepsResultAndError() throws {
        guard case .queued(let a) = try store.enqueue(Fixture.ref("1"), kind: .accept, dedupeKey: "accept", payload: JobPayload(), now: t0),
              case .queued(let b) = try store.enqueue(Fixture.ref("2"), kind: .accept, dedupeKey: "accept", payload: JobPayload(), now: t0)
        else { return XCTFail() }
        try store.reschedule(a, at: t0.addingTimeInterval(5), error: "HTTP 503", now: t0)
        try store.finish(a, state: .done, result: "accepted 1 listing", now: t0.addingTimeInterval(10))
        var job = try XCTUnwrap(try store.job(id: a))
        XCTAssertEqual(job.state, .done)
        XCTAssertEqual(job.result, "accepted 1 listing")
        XCTAssertEqual(job.lastError, "HTTP 503", "an earlier error is kept when finishing without one")
        XCTAssertEqual(job.updatedAt, t0.addingTimeInterval(10))
        try store.finish(b, state: .failed, error: "HTTP 400: sku not found", now: t0)
        job = try XCTUnwrap(try store.job(id: b))
        XCTAssertEqual(job.state, .failed)
        XCTAssertEqual(job.lastError, "HTTP 400: sku not found")
        XCTAssertNil(job.result)
    }

    func testRescheduleRequeuesForLaterAndDueJobsRespectsNextAttempt() throws {
        guard case .queued(let a) = try store.enqueue(Fixture.ref("1"), kind: .accept, dedupeKey: "accept", payload: JobPayload(), now: t0),
              case .queued(let b) = try store.enqueue(Fixture.ref("2"), kind: .accept, dedupeKey: "accept", payload: JobPayload(), now: t0)
        else { return XCTFail() }
        XCTAssertEqual(try store.dueJobs(channel: "bm-eu", now: t0).map(\.id), [a, b])
        XCTAssertEqual(try store.dueJobs(channel: "bm-eu", now: t0.addingTimeInterval(-1)).map(\.id), [])
        XCTAssertTrue(try store.markRunning(a, now: t0))
        try store.reschedule(a, at: t0.addingTimeInterval(30), error: "HTTP 503", now: t0)
        let job = try XCTUnwrap(try store.job(id: a))
        XCTAssertEqual(job.state, .queued)
        XCTAssertEqual(job.lastError, "HTTP 503")
        XCTAssertEqual(job.attempts, 1)
        XCTAssertEqual(try store.dueJobs(channel: "bm-eu", now: t0.addingTimeInterval(29.999)).map(\.id), [b])
        XCTAssertEqual(try store.dueJobs(channel: "bm-eu", now: t0.addingTimeInterval(30)).map(\.id), [a, b])
        XCTAssertEqual(try store.dueJobs(channel: "bm-eu", now: t0.addingTimeInterval(30), limit: 1).map(\.id), [a])
        XCTAssertEqual(try store.dueJobs(channel: "other", now: t0.addingTimeInterval(30)).map(\.id), [])
        XCTAssertEqual(try store.nextDueTime(channel: "bm-eu"), t0)
        _ = try store.markRunning(b, now: t0)
        XCTAssertEqual(try store.nextDueTime(channel: "bm-eu"), t0.addingTimeInterval(30))
        XCTAssertNil(try store.nextDueTime(channel: "other"))
    }

    func testRequeueInterruptedResetsOnlyRunningJobs() throws {
        guard case .queued(let a) = try store.enqueue(Fixture.ref("1"), kind: .accept, dedupeKey: "accept", payload: JobPayload(), now: t0),
              case .queued(let b) = try store.enqueue(Fixture.ref("2"), kind: .accept, dedupeKey: "accept", payload: JobPayload(), now: t0),
              case .queued(let c) = try store.enqueue(Fixture.ref("3"), kind: .accept, dedupeKey: "accept", payload: JobPayload(), now: t0)
        else { return XCTFail() }
        _ = try store.markRunning(a, now: t0)
        _ = try store.markRunning(b, now: t0)
        try store.finish(b, state: .done, now: t0)
        XCTAssertEqual(try store.requeueInterrupted(now: t0), 1)
        XCTAssertEqual(try store.job(id: a)?.state, .queued)
        XCTAssertEqual(try store.job(id: a)?.attempts, 1, "the interrupted attempt still counts")
        XCTAssertEqual(try store.job(id: b)?.state, .done)
        XCTAssertEqual(try store.job(id: c)?.state, .queued)
        XCTAssertEqual(try store.requeueInterrupted(now: t0), 0)
    }

    func testRetryRequeuesOnlyFailedOrDroppedJobsNow() throws {
        guard case .queued(let failed) = try store.enqueue(Fixture.ref("1"), kind: .accept, dedupeKey: "accept", payload: JobPayload(), now: t0),
              case .queued(let dropped) = try store.enqueue(Fixture.ref("2"), kind: .accept, dedupeKey: "accept", payload: JobPayload(), now: t0),
              case .queued(let done) = try store.enqueue(Fixture.ref("3"), kind: .accept, dedupeKey: "accept", payload: JobPayload(), now: t0),
              case .queued(let queued) = try store.enqueue(Fixture.ref("4"), kind: .accept, dedupeKey: "accept", payload: JobPayload(), now: t0)
        else { return XCTFail() }
        for id in [failed, dropped, done] { _ = try store.markRunning(id, now: t0) }
        try store.finish(failed, state: .failed, error: "HTTP 400", now: t0)
        try store.finish(dropped, state: .dropped, error: "cancelled", now: t0)
        try store.finish(done, state: .done, now: t0)
        let later = t0.addingTimeInterval(86_400)
        XCTAssertTrue(try store.retry(failed, now: later))
        XCTAssertTrue(try store.retry(dropped, now: later))
        XCTAssertFalse(try store.retry(done, now: later))
        XCTAssertFalse(try store.retry(queued, now: later))
        let job = try XCTUnwrap(try store.job(id: failed))
        XCTAssertEqual(job.state, .queued)
        XCTAssertEqual(job.attempts, 0)
        XCTAssertEqual(job.nextAttemptAt, later)
        XCTAssertEqual(job.createdAt, later, "the dead-letter clock restarts")
        XCTAssertEqual(job.lastError, "HTTP 400")
        XCTAssertEqual(try store.job(id: done)?.state, .done)
    }

    func testRetryAllFailedRequeuesEveryFailedJobAndNothingElse() throws {
        var ids: [Int64] = []
        for n in 1...4 {
            guard case .queued(let id) = try store.enqueue(Fixture.ref("\(n)"), kind: .accept, dedupeKey: "accept", payload: JobPayload(), now: t0)
            else { return XCTFail() }
            ids.append(id)
            _ = try store.markRunning(id, now: t0)
        }
        try store.finish(ids[0], state: .failed, error: "x", now: t0)
        try store.finish(ids[1], state: .failed, error: "y", now: t0)
        try store.finish(ids[2], state: .dropped, error: "z", now: t0)
        try store.finish(ids[3], state: .done, now: t0)
        XCTAssertEqual(try store.retryAllFailed(now: t0.addingTimeInterval(5)), 2)
        XCTAssertEqual(try ids.map { try store.job(id: $0)?.state }, [.queued, .queued, .dropped, .done])
        XCTAssertEqual(try store.dueJobs(channel: "bm-eu", now: t0.addingTimeInterval(5)).map(\.id), [ids[0], ids[1]])
        XCTAssertEqual(try store.retryAllFailed(now: t0), 0)
    }

    func testJobsFilters() throws {
        guard case .queued(let a) = try store.enqueue(Fixture.ref("1"), kind: .accept, dedupeKey: "accept", payload: JobPayload(), now: t0),
              case .queued(let b) = try store.enqueue(Fixture.ref("2"), kind: .accept, dedupeKey: "accept", payload: JobPayload(), now: t0),
              case .queued(let c) = try store.enqueue(Fixture.ref("3", channel: "bm-us"), kind: .cancel, dedupeKey: "cancel", payload: JobPayload(), now: t0)
        else { return XCTFail() }
        _ = try store.markRunning(b, now: t0)
        try store.finish(b, state: .failed, error: "x", now: t0)
        XCTAssertEqual(try store.jobs().map(\.id), [c, b, a], "newest first")
        XCTAssertEqual(try store.jobs(states: [.failed]).map(\.id), [b])
        XCTAssertEqual(try store.jobs(states: [.queued, .failed], channel: "bm-eu").map(\.id), [b, a])
        XCTAssertEqual(try store.jobs(ref: Fixture.ref("3", channel: "bm-us")).map(\.id), [c])
    }

    func testJobCountsPendingAndFailedPerChannel() throws {
        var ids: [Int64] = []
        for (n, channel) in [(1, "bm-eu"), (2, "bm-eu"), (3, "bm-eu"), (4, "bm-eu"), (5, "bm-us")] {
            guard case .queued(let id) = try store.enqueue(Fixture.ref("\(n)", channel: channel), kind: .accept, dedupeKey: "accept",
                                                           payload: JobPayload(), now: t0) else { return XCTFail() }
            ids.append(id)
        }
        _ = try store.markRunning(ids[1], now: t0)                                             // running: pending
        _ = try store.markRunning(ids[2], now: t0); try store.finish(ids[2], state: .failed, now: t0)
        _ = try store.markRunning(ids[3], now: t0); try store.finish(ids[3], state: .done, now: t0)
        _ = try store.markRunning(ids[4], now: t0); try store.finish(ids[4], state: .dropped, now: t0)
        let counts = try store.jobCounts()
        XCTAssertEqual(counts.count, 2)
        XCTAssertEqual(counts["bm-eu"]?.pending, 2)
        XCTAssertEqual(counts["bm-eu"]?.failed, 1)
        XCTAssertEqual(counts["bm-us"]?.pending, 0)
        XCTAssertEqual(counts["bm-us"]?.failed, 0)
    }

    // MARK: Shipments

    func testShipmentsAreDerivedFromShipJobs() throws {
        let ref = Fixture.ref()
        _ = try store.upsert(Fixture.order(), raw: nil, now: t0)
        var ids: [Int64] = []
        for tracking in ["6A1", "6A2", "6A3", "6A4"] {
            guard case .queued(let id) = try store.enqueue(ref, kind: .ship, dedupeKey: tracking, payload: Fixture.shipmentPayload(tracking), now: t0)
            else { return XCTFail() }
            ids.append(id)
        }
        let partial = JobPayload(shipment: ShipmentRequest(
            carrierKey: nil, carrierName: nil, trackingNumber: "6A5", trackingURL: nil, shippedAt: t0,
            lines: [ShipLine(lineID: "L1"), ShipLine(lineID: "L2", imei: "490154203237518")], wholeOrder: false))
        guard case .queued(let running) = try store.enqueue(ref, kind: .ship, dedupeKey: "6A5", payload: partial, now: t0) else { return XCTFail() }
        _ = try store.enqueue(ref, kind: .accept, dedupeKey: "accept", payload: JobPayload(), now: t0)  // not a shipment
        for id in ids[1...3] { _ = try store.markRunning(id, now: t0) }
        try store.finish(ids[1], state: .done, now: t0)
        try store.finish(ids[2], state: .failed, now: t0)
        try store.finish(ids[3], state: .dropped, now: t0)
        _ = try store.markRunning(running, now: t0)

        let shipments = try XCTUnwrap(try store.order(ref)).order.shipments
        XCTAssertEqual(shipments.map(\.trackingNumber), ["6A1", "6A2", "6A3", "6A4", "6A5"], "oldest first")
        XCTAssertEqual(shipments.map(\.state), [.queued, .pushed, .failed, .failed, .queued])
        XCTAssertEqual(shipments[0], Shipment(carrier: "colissimo", trackingNumber: "6A1", trackingURL: "https://t.example/6A1",
                                              shippedAt: t0, state: .queued, lineIDs: []))
        XCTAssertEqual(shipments[4].lineIDs, ["L1", "L2"])
        XCTAssertNil(shipments[4].carrier)
        // The listing carries the same shipments.
        XCTAssertEqual(try store.orders().first?.shipments, shipments)
        XCTAssertEqual(try store.orders(channel: "bm-eu").first?.shipments, shipments)
    }

    func testShipmentStatesAsPrinted() throws {
        let ref = Fixture.ref()
        _ = try store.upsert(Fixture.order(), raw: nil, now: t0)
        guard case .queued(let id) = try store.enqueue(ref, kind: .ship, dedupeKey: "6A1", payload: Fixture.shipmentPayload("6A1"), now: t0)
        else { return XCTFail() }
        _ = try store.markRunning(id, now: t0)
        try store.finish(id, state: .done, now: t0)
        let json = try JSONSerialization.jsonObject(with: OrderCoding.publicJSON(try XCTUnwrap(try store.order(ref)).order)) as? [String: Any]
        let shipments = try XCTUnwrap(json?["shipments"] as? [[String: Any]])
        XCTAssertEqual(shipments.count, 1)
        XCTAssertEqual(shipments[0]["state"] as? String, "pushed")
        XCTAssertEqual(shipments[0]["tracking_number"] as? String, "6A1")
        XCTAssertEqual(shipments[0]["carrier"] as? String, "colissimo")
        XCTAssertEqual(shipments[0]["shipped_at"] as? String, "2026-03-10T08:30:00Z")
    }

    func testOrdersOfAnotherChannelHaveNoForeignShipments() throws {
        _ = try store.upsert(Fixture.order("1"), raw: nil, now: t0)
        _ = try store.upsert(Fixture.order("1", channel: "bm-us"), raw: nil, now: t0)
        _ = try store.enqueue(Fixture.ref("1"), kind: .ship, dedupeKey: "6A1", payload: Fixture.shipmentPayload("6A1"), now: t0)
        XCTAssertEqual(try store.order(Fixture.ref("1", channel: "bm-us"))?.order.shipments, [])
        XCTAssertEqual(try store.orders(channel: "bm-us").first?.shipments, [])
        XCTAssertEqual(try store.order(Fixture.ref("1"))?.order.shipments.count, 1)
    }

    // MARK: Two connections

    func testTwoConnectionsWritingConcurrentlyBothSucceed() throws {
        let first = try temp.open()
        let second = try temp.open()
        let perWriter = 150
        let errors = ErrorBox()
        let group = DispatchGroup()
        for (index, writer) in [first, second].enumerated() {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                do {
                    for n in 0..<perWriter {
                        let id = "\(index)-\(n)"
                        _ = try writer.upsert(Fixture.order(id), raw: Data(id.utf8))
                        _ = try writer.enqueue(Fixture.ref(id), kind: .accept, dedupeKey: "accept", payload: JobPayload())
                        try writer.recordPoll(channel: "bm-eu", success: n % 2 == 0, error: "e")
                    }
                } catch {
                    errors.append("writer \(index): \(error)")
                }
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 120), .success)
        XCTAssertEqual(errors.all, [])
        XCTAssertEqual(try store.orderCounts(), ["bm-eu": 2 * perWriter])
        XCTAssertEqual(try store.jobCounts()["bm-eu"]?.pending, 2 * perWriter)
        XCTAssertEqual(try first.order(Fixture.ref("1-\(perWriter - 1)"))?.raw, Data("1-\(perWriter - 1)".utf8))
    }

    func testABusyDatabaseFailsAsTemporaryAfterTheTimeout() throws {
        let holder = try Database(path: temp.path)
        let waiter = try Database(path: temp.path, busyTimeoutMillis: 50)
        try holder.execute("BEGIN IMMEDIATE")
        defer { _ = try? holder.execute("ROLLBACK") }
        XCTAssertThrowsError(try waiter.inTransaction { try waiter.execute("DELETE FROM cursors") }) { error in
            XCTAssertEqual((error as? StoreError)?.kind, .busy)
            XCTAssertEqual((error as? StoreError)?.isTemporary, true)
            XCTAssertEqual(UserError.from(error).code, .tempFailure)
        }
        // Readers are not blocked by a writer in WAL mode.
        XCTAssertEqual(try waiter.query("SELECT COUNT(*) AS n FROM orders").first?.int("n"), 0)
    }
}
