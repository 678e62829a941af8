import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// `ship_by`: its arithmetic in UTC, where it comes from, that it never moves, the once-per-order warnings
/// and events, and the `status` and `report` figures.
final class ShippingDeadlineTests: StoreTestCase {
    func testWindowArithmeticIsUTCAcrossTheEndOfSummerTimeInParis() throws {
        // Europe/Paris leaves summer time on 2026-10-25 at 01:00Z (03:00 → 02:00 local): accepted at 20:00 Paris
        // summer time, 24 h later is 19:00 Paris winter time, 24 h of UTC, never 25.
        let accepted = try XCTUnwrap(Timestamp.parse("2026-10-24T20:00:00+02:00"))
        let shipBy = try XCTUnwrap(ShippingDeadline.shipBy(known: nil, channelDate: nil, acceptedAt: accepted, withinHours: 24))
        XCTAssertEqual(Timestamp.format(shipBy), "2026-10-25T18:00:00Z")
        XCTAssertEqual(shipBy.timeIntervalSince(accepted), 86_400)
        XCTAssertEqual(Timestamp.format(ShippingDeadline.warningTime(start: accepted, shipBy: shipBy)), "2026-10-25T12:00:00Z")
        // And into summer time (2026-03-29 01:00Z): 48 h of UTC.
        let spring = try XCTUnwrap(Timestamp.parse("2026-03-28T09:30:00+01:00"))
        XCTAssertEqual(ShippingDeadline.shipBy(known: nil, channelDate: nil, acceptedAt: spring, withinHours: 48)
                        .map(Timestamp.format), "2026-03-30T08:30:00Z")
    }

    func testChannelDateWinsAndAKnownDeadlineNeverMoves() {
        let accepted = Fixture.t0, channel = Fixture.t0.addingTimeInterval(5 * 3600), known = Fixture.t0.addingTimeInterval(3600)
        XCTAssertEqual(ShippingDeadline.shipBy(known: nil, channelDate: channel, acceptedAt: accepted, withinHours: 24), channel)
        XCTAssertEqual(ShippingDeadline.shipBy(known: known, channelDate: channel, acceptedAt: accepted, withinHours: 24), known)
        XCTAssertNil(ShippingDeadline.shipBy(known: nil, channelDate: nil, acceptedAt: accepted, withinHours: nil), "no window, no date")
        XCTAssertNil(ShippingDeadline.shipBy(known: nil, channelDate: nil, acceptedAt: nil, withinHours: 24), "not accepted yet")
    }

    func testIngestSetsShipByAtAcceptanceAndNeverMovesIt() throws {
        let ingest = Ingest(store: store, channelID: "bm-eu", autoAccept: false, rules: [], shipWithinHours: 24, logger: .discarding)
        func poll(_ order: Order, at hours: Double) throws {
            try ingest.store(OrderPage(orders: [FetchedOrder(order: order, raw: Data())]), now: Fixture.t0.addingTimeInterval(hours * 3600))
        }
        var order = Fixture.order("8", status: .awaitingAcceptance, channelStatus: "1")
        try poll(order, at: 0)
        XCTAssertNil(try store.order(Fixture.ref("8"))?.order.shipBy, "not accepted: no deadline yet")
        order.status = .awaitingShipment; order.channelStatus = "3"
        try poll(order, at: 2)
        let accepted = Fixture.t0.addingTimeInterval(2 * 3600)
        order.updatedAt = Fixture.t0.addingTimeInterval(5 * 3600)
        try poll(order, at: 5)
        let stored = try XCTUnwrap(try store.order(Fixture.ref("8"))?.order)
        XCTAssertEqual(stored.acceptedAt, accepted)
        XCTAssertEqual(stored.shipBy, accepted.addingTimeInterval(24 * 3600))
        let json = String(decoding: try OrderCoding.publicJSON(stored), as: UTF8.self)
        XCTAssertTrue(json.contains("\"ship_by\":\"2026-03-11T10:30:00Z\""), json)
        XCTAssertFalse(json.contains("accepted_at"), "not in the contract's JSON")
        // A channel date appearing later does not move it either.
        order.shipBy = Fixture.t0.addingTimeInterval(90 * 3600)
        try poll(order, at: 6)
        XCTAssertEqual(try store.order(Fixture.ref("8"))?.order.shipBy, accepted.addingTimeInterval(24 * 3600))
    }

    func testWarningAt75PercentAndErrorWhenPassedOnceEachAcrossARestart() throws {
        let ingest = Ingest(store: store, channelID: "bm-eu", autoAccept: false, rules: [], shipWithinHours: 24, logger: .discarding)
        try ingest.store(OrderPage(orders: [FetchedOrder(order: Fixture.order("1"), raw: Data())]), now: Fixture.t0)
        let logs = InMemoryLogHandler()
        let received = EventBox()
        var watch = DeadlineWatch(store: store, windows: [:], logger: Logger(level: .info, handler: logs))
        watch.onEvent = { received.append($0) }
        func at(_ hours: Double) -> Date { Fixture.t0.addingTimeInterval(hours * 3600) }
        XCTAssertEqual(try watch.checkShipments(now: at(17.9)), [], "before 75 %")
        XCTAssertEqual(try watch.checkShipments(now: at(18)).map(\.name), [.shipmentDue])
        XCTAssertEqual(try watch.checkShipments(now: at(20)), [], "once")
        // A restart: another store handle on the same file, a new watch.
        var again = DeadlineWatch(store: try temp.open(), windows: [:], logger: Logger(level: .info, handler: logs))
        again.onEvent = { received.append($0) }
        XCTAssertEqual(try again.checkShipments(now: at(21)), [], "once across a restart")
        XCTAssertEqual(try again.checkShipments(now: at(24)).map(\.name), [.shipmentOverdue])
        XCTAssertEqual(try again.checkShipments(now: at(30)), [], "once")
        XCTAssertEqual(logs.entries.map(\.message), ["shipment deadline near", "shipment deadline passed"])
        XCTAssertEqual(logs.entries.map(\.level), [.warning, .error])
        XCTAssertEqual(received.events.map(\.name.rawValue), ["shipment_due", "shipment_overdue"])
        XCTAssertEqual(received.events.map(\.ref), [Fixture.ref("1"), Fixture.ref("1")])
        XCTAssertEqual(received.events.first?.summary, "bm-eu:1 must ship by 2026-03-11T08:30:00Z (6.0 h left)")
    }

    func testTheWatchKnowsWhenTheNextWarningOrDeadlineFallsDue() throws {
        let ingest = Ingest(store: store, channelID: "bm-eu", autoAccept: false, rules: [], shipWithinHours: 24, logger: .discarding)
        try ingest.store(OrderPage(orders: [FetchedOrder(order: Fixture.order("n"), raw: Data())]), now: Fixture.t0)
        let watch = DeadlineWatch(store: store, windows: [:], logger: .discarding)
        XCTAssertEqual(try store.nextShipmentDeadline()?.timeIntervalSince(Fixture.t0) ?? 0, 18 * 3600, accuracy: 0.01)
        try watch.checkShipments(now: Fixture.t0.addingTimeInterval(18 * 3600))
        XCTAssertEqual(try store.nextShipmentDeadline()?.timeIntervalSince(Fixture.t0) ?? 0, 24 * 3600, accuracy: 0.01)
        XCTAssertNil(try store.nextShipmentDeadline(channels: ["sp"]), "another channel's orders")
        let other = DeadlineWatch(store: store, windows: [:], shipChannels: ["sp"], logger: .discarding)
        XCTAssertEqual(try other.checkShipments(now: Fixture.t0.addingTimeInterval(30 * 3600)), [], "not watched")
        try watch.checkShipments(now: Fixture.t0.addingTimeInterval(24 * 3600))
        XCTAssertNil(try store.nextShipmentDeadline())
    }

    func testUpgradeTakesAcceptanceFromTheHistoryOfOrdersStoredBefore() throws {
        var order = Fixture.order("u", status: .awaitingAcceptance, channelStatus: "1")
        _ = try store.upsert(order, raw: nil, now: Fixture.t0)
        order.status = .awaitingShipment; order.channelStatus = "3"
        _ = try store.upsert(order, raw: nil, now: Fixture.t0.addingTimeInterval(3 * 3600))
        // Back to the schema before the migration.
        for sql in ["DROP INDEX orders_ship_by", "ALTER TABLE orders DROP COLUMN accepted_at", "ALTER TABLE orders DROP COLUMN ship_by",
                    "ALTER TABLE orders DROP COLUMN ship_warned_at", "ALTER TABLE orders DROP COLUMN ship_missed_at",
                    "DELETE FROM schema_migrations WHERE name = '2026-12-05-shipping-deadlines'"] {
            try store.db.execute(sql)
        }
        let upgraded = try temp.open()
        XCTAssertEqual(try upgraded.known(Fixture.ref("u"))?.acceptedAt, Fixture.t0.addingTimeInterval(3 * 3600))
        // The next poll gives it its deadline from that acceptance.
        let ingest = Ingest(store: upgraded, channelID: "bm-eu", autoAccept: false, rules: [], shipWithinHours: 24, logger: .discarding)
        try ingest.store(OrderPage(orders: [FetchedOrder(order: order, raw: Data())]), now: Fixture.t0.addingTimeInterval(5 * 3600))
        XCTAssertEqual(try upgraded.order(Fixture.ref("u"))?.order.shipBy, Fixture.t0.addingTimeInterval(27 * 3600))
    }

    func testAQueuedShipmentCountsAsShipped() throws {
        let ingest = Ingest(store: store, channelID: "bm-eu", autoAccept: false, rules: [], shipWithinHours: 24, logger: .discarding)
        try ingest.store(OrderPage(orders: [FetchedOrder(order: Fixture.order("2"), raw: Data())]), now: Fixture.t0)
        _ = try store.enqueue(Fixture.ref("2"), kind: .ship, dedupeKey: "T2", payload: Fixture.shipmentPayload("T2"))
        let watch = DeadlineWatch(store: store, windows: [:], logger: .discarding)
        XCTAssertEqual(try watch.checkShipments(now: Fixture.t0.addingTimeInterval(30 * 3600)), [])
        XCTAssertEqual(try store.shipmentDeadlineCounts(now: Fixture.t0.addingTimeInterval(30 * 3600)), [:])
    }

    func testStatusCountsShipmentsDueWithin6HoursAndOverduePerChannel() throws {
        let ingest = Ingest(store: store, channelID: "bm-eu", autoAccept: false, rules: [], logger: .discarding)
        let now = Fixture.t0
        var orders: [Order] = []
        for (id, hoursLeft) in [("a", -1.0), ("b", 0.5), ("c", 6.0), ("d", 6.5), ("e", -30)] {
            var order = Fixture.order(id)
            order.shipBy = now.addingTimeInterval(hoursLeft * 3600)
            orders.append(order)
        }
        try ingest.store(OrderPage(orders: orders.map { FetchedOrder(order: $0, raw: Data()) }), now: now.addingTimeInterval(-40 * 3600))
        _ = try store.enqueue(Fixture.ref("e"), kind: .ship, dedupeKey: "T", payload: Fixture.shipmentPayload("T"))
        let report = try StatusReport.build(config: Fixture.config(), store: store, now: now)
        let channel = try XCTUnwrap(report.channels.first)
        XCTAssertEqual(channel.shipmentDueSoon, 2, "b and c; d is 6.5 h away")
        XCTAssertEqual(channel.shipmentOverdue, 1, "a; e has a queued shipment")
        let json = String(decoding: try report.json(), as: UTF8.self)
        XCTAssertTrue(json.contains("\"shipment_due_6h\" : 2"), json)
        XCTAssertTrue(json.contains("\"shipment_overdue\" : 1"), json)
    }

    func testReportCountsLateShipmentsAndAcceptanceToShipmentPercentiles() throws {
        let ingest = Ingest(store: store, channelID: "bm-eu", autoAccept: false, rules: [], shipWithinHours: 24, logger: .discarding)
        let now = Fixture.t0.addingTimeInterval(5 * 86_400)
        // Accepted at t0; pushed after 2, 10, 20, 30 and 50 hours: two after the 24 h deadline.
        for (index, hours) in [2.0, 10, 20, 30, 50].enumerated() {
            let id = "r\(index)"
            try ingest.store(OrderPage(orders: [FetchedOrder(order: Fixture.order(id), raw: Data())]), now: Fixture.t0)
            guard case .queued(let job) = try store.enqueue(Fixture.ref(id), kind: .ship, dedupeKey: id,
                                                             payload: Fixture.shipmentPayload(id)) else { return XCTFail("not queued") }
            try store.finish(job, state: .done, result: "shipped", now: Fixture.t0.addingTimeInterval(hours * 3600))
        }
        // Queued but never pushed: not late, not timed.
        try ingest.store(OrderPage(orders: [FetchedOrder(order: Fixture.order("q"), raw: Data())]), now: Fixture.t0)
        _ = try store.enqueue(Fixture.ref("q"), kind: .ship, dedupeKey: "q", payload: Fixture.shipmentPayload("q"))
        let figures = try XCTUnwrap(try SellerReport.build(store: store, channels: ["bm-eu"], days: 30, now: now).channels.first)
        XCTAssertEqual(figures.lateShipments, 2)
        XCTAssertEqual(figures.acceptToShipMedianSeconds, 20 * 3600)
        XCTAssertEqual(figures.acceptToShipP90Seconds, 50 * 3600)
    }
}

/// Events received by a watch's hook.
final class EventBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [DeadlineEvent] = []
    var events: [DeadlineEvent] { lock.withLock { stored } }
    func append(_ event: DeadlineEvent) { lock.withLock { stored.append(event) } }
}

/// `ship_within_hours`: defaults per channel type, the range, and Back Market's own date.
final class ShipWithinHoursConfigTests: XCTestCase {
    typealias F = ConfigFixture

    func testDefaultsSpartoo24BackMarketAndWooCommerceNone() throws {
        let config = try XCTUnwrap(F.parse(F.document()))
        XCTAssertEqual(config.channels.map(\.shipWithinHours), [nil, 24, nil])
        let set = try XCTUnwrap(F.parse(F.document(channels: [F.edit(F.wooCommerce, ["ship_within_hours": 48]),
                                                              F.edit(F.spartoo, ["ship_within_hours": 12])])))
        XCTAssertEqual(set.channels.map(\.shipWithinHours), [48, 12])
        XCTAssertEqual(F.problems(F.document(channels: [F.edit(F.wooCommerce, ["ship_within_hours": 48])])), [])
    }

    func testOutOfRangeIsAClearErrorWithItsPath() {
        XCTAssertEqual(F.problems(F.oneChannel(F.spartoo, ["ship_within_hours": 0])),
                       ["config: channels[0].ship_within_hours: must be between 1 and 720 (got 0)"])
        XCTAssertEqual(F.problems(F.oneChannel(F.wooCommerce, ["ship_within_hours": 721])),
                       ["config: channels[0].ship_within_hours: must be between 1 and 720 (got 721)"])
    }

    func testBackMarketExpectedDispatchDateInTheOASShapeIsShipByInUTC() throws {
        let mapper = BackMarketMapper(channelID: "bm-eu", imeiPatterns: [], acceptWithinHours: 24)
        var text = BackMarketMapperTests.snakeCase
        text = text.replacingOccurrences(of: "\"tracking_number\":\"\",", with: "\"tracking_number\":\"\",\"expected_dispatch_date\":\"2024-03-11T09:35:24\",")
        let order = try mapper.order(from: try JSONValue.parse(Data(text.utf8)))
        XCTAssertEqual(order.shipBy.map(Timestamp.format), "2024-03-11T09:35:24Z")
        let none = try mapper.order(from: try JSONValue.parse(Data(BackMarketMapperTests.snakeCase.utf8)))
        XCTAssertNil(none.shipBy)
    }
}
