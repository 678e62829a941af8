import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// `Operations`: accept, cancel, ship and retry against a temporary store and a config built in code.
final class OperationsTests: StoreTestCase {
    var ops: Operations!
    let ref = "bm-eu:40012345"

    override func setUpWithError() throws {
        try super.setUpWithError()
        ops = Operations(config: Fixture.config(stateDir: temp.directory.path), store: store)
    }

    override func tearDown() {
        ops = nil
        super.tearDown()
    }

    @discardableResult
    func stored(_ order: Order) throws -> Order {
        _ = try store.upsert(order, raw: Data("{}".utf8), now: Fixture.t0)
        return order
    }

    // MARK: Order refs

    func testUnknownRefIsRefusedNamingTheRef() {
        XCTAssertUserError(try ops.accept("bm-eu:999"),
                           "bm-eu:999: unknown order (not imported yet? see `ordersync orders --channel bm-eu`)")
        XCTAssertUserError(try ops.cancel("bm-eu:999", reason: nil),
                           "bm-eu:999: unknown order (not imported yet? see `ordersync orders --channel bm-eu`)")
        XCTAssertUserError(try ops.ship("bm-eu:999", ShipmentInput(trackingNumber: "6A1")),
                           "bm-eu:999: unknown order (not imported yet? see `ordersync orders --channel bm-eu`)")
        XCTAssertEqual(try store.jobs(), [])
    }

    func testUnknownChannelIsRefusedListingTheConfiguredOnes() {
        XCTAssertUserError(try ops.accept("shop:1042"), "shop:1042: no channel \"shop\" in the config (channels: bm-eu)")
    }

    func testMalformedRefIsRefused() {
        for text in ["40012345", ":1", "bm-eu:"] {
            XCTAssertUserError(try ops.accept(text),
                               "invalid order ref \"\(text)\": expected CHANNEL_ID:EXTERNAL_ID, e.g. bm-eu:40012345")
        }
    }

    // MARK: Accept

    func testAcceptQueuesOnceThenSaysSo() throws {
        try stored(Fixture.order(status: .awaitingAcceptance, channelStatus: "1"))
        XCTAssertEqual(try ops.accept(ref), "accept of \(ref) queued (job 1)")
        XCTAssertEqual(try ops.accept(ref), "accept of \(ref) is already queued (job 1); nothing queued")
        let jobs = try store.jobs()
        XCTAssertEqual(jobs.map(\.kind), [.accept])
        XCTAssertEqual(jobs.map(\.dedupeKey), ["accept"])
        XCTAssertEqual(jobs.map(\.ref.description), [ref])
    }

    func testAcceptOfAnAcceptedOrderIsANoOp() throws {
        for status in [OrderStatus.awaitingShipment, .shipped] {
            try stored(Fixture.order(status: status))
            XCTAssertEqual(try ops.accept(ref), "\(ref) is already accepted (\(status.rawValue)); nothing queued")
        }
        XCTAssertEqual(try store.jobs(), [])
    }

    func testAcceptOfACancelledOrderIsRefused() throws {
        try stored(Fixture.order(status: .cancelled, channelStatus: "8"))
        XCTAssertUserError(try ops.accept(ref),
                           "\(ref): order is cancelled; only orders awaiting acceptance can be accepted")
        XCTAssertEqual(try store.jobs(), [])
    }

    func testAcceptOnAChannelWithoutAcceptanceIsRefused() throws {
        let woo = ChannelConfig(id: "shop", baseURL: URL(string: "https://shop.example.com"), settings: .woocommerce(
            WooCommerceSettings(consumerKey: .inline(Secret("ck")), consumerSecret: .inline(Secret("cs")))))
        var config = Fixture.config(stateDir: temp.directory.path)
        config.channels.append(woo)
        ops = Operations(config: config, store: store)
        try stored(Fixture.order("1042", channel: "shop", status: .awaitingShipment))
        XCTAssertUserError(try ops.accept("shop:1042"), "shop:1042: woocommerce orders need no acceptance")
    }

    // MARK: Cancel

    func testCancelQueuesOnceAndKeepsTheReasonLocally() throws {
        try stored(Fixture.order(status: .awaitingShipment))
        XCTAssertEqual(try ops.cancel(ref, reason: "out of stock"),
                       "cancel of \(ref) queued (job 1) (the reason is kept locally: backmarket takes none)")
        XCTAssertEqual(try ops.cancel(ref, reason: nil), "cancel of \(ref) is already queued (job 1); nothing queued")
        let job = try XCTUnwrap(try store.jobs().first)
        XCTAssertEqual(job.kind, .cancel)
        XCTAssertEqual(job.payload.reason, "out of stock")
        XCTAssertEqual(try store.jobs().count, 1)
    }

    func testCancelWithoutReason() throws {
        try stored(Fixture.order(status: .awaitingAcceptance, channelStatus: "1"))
        XCTAssertEqual(try ops.cancel(ref, reason: nil), "cancel of \(ref) queued (job 1)")
        XCTAssertNil(try store.jobs().first?.payload.reason)
    }

    func testCancelOfAShippedOrderIsRefused() throws {
        try stored(Fixture.order(status: .shipped, channelStatus: "9", lines: [Fixture.line(channelState: "3")]))
        XCTAssertUserError(try ops.cancel(ref, reason: nil),
                           "\(ref): order is shipped; a shipped order is a return, not a cancellation")
        XCTAssertEqual(try store.jobs(), [])
    }

    func testCancelWithAShippedLineIsRefusedOnBackMarket() throws {
        let lines = [Fixture.line("L1", channelState: "2"), Fixture.line("L2", channelState: "3")]
        try stored(Fixture.order(status: .awaitingShipment, lines: lines))
        XCTAssertUserError(try ops.cancel(ref, reason: nil),
                           "\(ref): a line is already shipped; Back Market handles that as a return")
        XCTAssertEqual(try store.jobs(), [])
    }

    func testCancelOfACancelledOrderIsANoOp() throws {
        for status in [OrderStatus.cancelled, .refunded] {
            try stored(Fixture.order(status: status))
            XCTAssertEqual(try ops.cancel(ref, reason: nil), "\(ref) is already \(status.rawValue); nothing queued")
        }
        XCTAssertEqual(try store.jobs(), [])
    }

    // MARK: Ship

    func testShipQueuesAResolvedShipment() throws {
        try stored(Fixture.order(carrier: "colissimo"))
        XCTAssertEqual(try ops.ship(ref, ShipmentInput(trackingNumber: "6A1")),
                       "shipment 6A1 of \(ref) queued (job 1) with the order's mapped carrier colissimo")
        let job = try XCTUnwrap(try store.jobs().first)
        XCTAssertEqual(job.kind, .ship)
        XCTAssertEqual(job.dedupeKey, "6A1")
        XCTAssertEqual(job.payload.shipment?.carrierName, "Colissimo")
        XCTAssertEqual(job.payload.shipment?.trackingURL, "https://www.laposte.fr/outils/suivre-vos-envois?code=6A1")
        XCTAssertEqual(try store.order(Fixture.ref())?.order.shipments.map(\.state), [.queued])
    }

    func testShipWithAGivenCarrierSaysNothingAboutTheDefault() throws {
        try stored(Fixture.order(carrier: "colissimo"))
        XCTAssertEqual(try ops.ship(ref, ShipmentInput(trackingNumber: "JD1", carrierKey: "dhl-express")),
                       "shipment JD1 of \(ref) queued (job 1)")
    }

    func testSameRefAndTrackingTwiceIsANoOp() throws {
        try stored(Fixture.order(carrier: "colissimo"))
        XCTAssertEqual(try ops.ship(ref, ShipmentInput(trackingNumber: "6A12345")),
                       "shipment 6A12345 of \(ref) queued (job 1) with the order's mapped carrier colissimo")
        XCTAssertEqual(try ops.ship(ref, ShipmentInput(trackingNumber: "6A12345")),
                       "shipment 6A12345 of \(ref) is already queued (job 1); nothing queued")
        // Spacing and case do not make another shipment.
        XCTAssertEqual(try ops.ship(ref, ShipmentInput(trackingNumber: "6a 123 45", carrierKey: "dhl-express")),
                       "shipment 6a 123 45 of \(ref) is already queued (job 1); nothing queued")
        XCTAssertEqual(try store.jobs().count, 1)
    }

    func testSameTrackingAfterThePushIsStillANoOpEvenOnceShipped() throws {
        try stored(Fixture.order(carrier: "colissimo"))
        _ = try ops.ship(ref, ShipmentInput(trackingNumber: "6A1"))
        XCTAssertTrue(try store.markRunning(1))
        try store.finish(1, state: .done, result: "shipped")
        try stored(Fixture.order(status: .shipped, channelStatus: "9", carrier: "colissimo"))
        XCTAssertEqual(try ops.ship(ref, ShipmentInput(trackingNumber: "6A1")),
                       "shipment 6A1 of \(ref) is already done (job 1); nothing queued")
        XCTAssertEqual(try store.jobs().count, 1)
    }

    func testShipRefusalsQueueNothing() throws {
        try stored(Fixture.order(carrier: "colissimo", lines: [Fixture.line(requiresIMEI: true)]))
        XCTAssertUserError(try ops.ship(ref, ShipmentInput(trackingNumber: "6A1", imei: "490154203237517")),
                           "\(ref): invalid IMEI 490154203237517: must be 15 digits with a valid Luhn check digit")
        XCTAssertUserError(try ops.ship(ref, ShipmentInput(trackingNumber: "6A1", carrierKey: "ups")),
                           "\(ref): unknown carrier \"ups\" (configured: colissimo, dhl-express, local-courier)")
        XCTAssertEqual(try store.jobs(), [])
        XCTAssertEqual(try ops.ship(ref, ShipmentInput(trackingNumber: "6A1", imei: "490154203237518")),
                       "shipment 6A1 of \(ref) queued (job 1) with the order's mapped carrier colissimo")
        XCTAssertEqual(try store.jobs().first?.payload.shipment?.lines, [ShipLine(lineID: "51234567", imei: "490154203237518")])
    }

    func testShipBeforeAcceptNeedsTheAcceptQueued() throws {
        try stored(Fixture.order(status: .awaitingAcceptance, channelStatus: "1", carrier: "colissimo"))
        XCTAssertUserError(try ops.ship(ref, ShipmentInput(trackingNumber: "6A1")),
                           "\(ref): order is awaiting acceptance: run `ordersync accept \(ref)` first")
        XCTAssertEqual(try ops.accept(ref), "accept of \(ref) queued (job 1)")
        XCTAssertEqual(try ops.ship(ref, ShipmentInput(trackingNumber: "6A1")),
                       "shipment 6A1 of \(ref) queued (job 2) with the order's mapped carrier colissimo")
        XCTAssertEqual(try store.dueJobs(channel: "bm-eu").map(\.kind), [.accept, .ship], "accept is pushed first")
    }

    // MARK: Retry

    func testRetryOfAFailedJob() throws {
        try stored(Fixture.order(carrier: "colissimo"))
        _ = try ops.ship(ref, ShipmentInput(trackingNumber: "6A1"))
        XCTAssertUserError(try ops.retry(jobID: 1), "job 1 is queued; only failed or dropped jobs can be retried")
        _ = try store.markRunning(1)
        try store.finish(1, state: .failed, error: "HTTP 400: sku not found")
        XCTAssertEqual(try ops.retry(jobID: 1), "job 1 (ship \(ref)) queued again")
        XCTAssertEqual(try store.job(id: 1)?.state, .queued)
        XCTAssertUserError(try ops.retry(jobID: 42), "job 42: no such job")
    }

    func testRetryAllFailed() throws {
        for id in ["1", "2", "3"] {
            try stored(Fixture.order(id, status: .awaitingAcceptance, channelStatus: "1"))
            _ = try ops.accept("bm-eu:\(id)")
        }
        for id: Int64 in [1, 2] {
            _ = try store.markRunning(id)
            try store.finish(id, state: .failed, error: "x")
        }
        XCTAssertEqual(try ops.retryAllFailed(), "2 failed job(s) queued again")
        XCTAssertEqual(try store.jobs(states: [.queued]).count, 3)
        XCTAssertEqual(try ops.retryAllFailed(), "0 failed job(s) queued again")
    }

    func testStoreErrorsMapToExitCodes() {
        XCTAssertEqual(UserError.from(StoreError(code: 5, message: "database is locked", operation: "execute")).code, .tempFailure)
        XCTAssertEqual(UserError.from(StoreError(code: 11, message: "malformed", operation: "query")).code, .failure)
        XCTAssertEqual(UserError.from(UserError(.usage, "x")).code, .usage)
        XCTAssertEqual(UserError.from(ChannelError(.retryable(retryAfter: nil), operation: "accept", message: "x")).code, .tempFailure)
        XCTAssertEqual(UserError.from(ChannelError(.permanent, operation: "accept", httpStatus: 400, message: "x")).code, .dataError)
    }
}
