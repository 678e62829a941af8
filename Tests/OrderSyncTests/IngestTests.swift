import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// `Ingest`: carrier mapping, one transaction per page, auto-accept, quarantine, unchanged orders skipped.
final class IngestTests: StoreTestCase {
    let t0 = Fixture.t0
    let log = InMemoryLogHandler()
    let rules = [
        ShippingRule(channel: "other", shippingMethod: "*", carrier: "never"),
        ShippingRule(channel: "bm-eu", shippingMethod: "DHL*", carrier: "dhl-express"),
        ShippingRule(channel: "*", shippingMethod: "colissimo*", carrier: "colissimo"),
        ShippingRule(channel: "bm-eu", shippingMethod: "Colissimo Domicile", carrier: "shadowed"),
        ShippingRule(channel: "*", shippingMethod: "*", carrier: "fallback"),
    ]

    func ingest(autoAccept: Bool = false, rules: [ShippingRule]? = nil) -> Ingest {
        Ingest(store: store, channelID: "bm-eu", autoAccept: autoAccept, rules: rules ?? self.rules,
               logger: Logger(level: .trace, handler: log))
    }

    func page(_ orders: Order...) -> OrderPage {
        OrderPage(orders: orders.map { FetchedOrder(order: $0, raw: Data("raw-\($0.ref.externalID)".utf8)) })
    }

    func newOrder(_ id: String = "1", shippingMethod: String? = "Colissimo Domicile") -> Order {
        Fixture.order(id, status: .awaitingAcceptance, channelStatus: "1", shippingMethod: shippingMethod)
    }

    // MARK: Carrier

    func testCarrierFromTheFirstMatchingRule() {
        func carrier(_ method: String?, channel: String = "bm-eu") -> String? {
            Ingest.carrier(for: Fixture.order(channel: channel, shippingMethod: method), rules: rules)
        }
        XCTAssertEqual(carrier("DHL Express 24h"), "dhl-express")
        XCTAssertEqual(carrier("Colissimo Domicile"), "colissimo", "an earlier rule shadows a later exact one")
        XCTAssertEqual(carrier("COLISSIMO relais"), "colissimo", "globs ignore case")
        XCTAssertEqual(carrier("UPS Standard"), "fallback")
        XCTAssertEqual(carrier(nil), "fallback", "no label matches only *")
        XCTAssertEqual(carrier("DHL Express", channel: "bm-us"), "fallback", "a rule for another channel does not apply")
        XCTAssertEqual(carrier("anything", channel: "other"), "never")
        XCTAssertNil(Ingest.carrier(for: Fixture.order(), rules: []))
        XCTAssertNil(Ingest.carrier(for: Fixture.order(shippingMethod: "UPS"),
                                    rules: [ShippingRule(shippingMethod: "DHL*", carrier: "dhl-express")]))
    }

    func testStoredOrdersGetTheirCarrierOverridingTheConnectors() throws {
        var fromChannel = newOrder("1", shippingMethod: "DHL Express")
        fromChannel.carrier = "connector-guess"
        try ingest().store(page(fromChannel, newOrder("2", shippingMethod: "Mondial Relay")), now: t0)
        XCTAssertEqual(try store.order(Fixture.ref("1"))?.order.carrier, "dhl-express")
        XCTAssertEqual(try store.order(Fixture.ref("2"))?.order.carrier, "fallback")
    }

    // MARK: One lookup per page

    /// A page's stored rows are read in one lookup before its orders are stored: an order listed twice on
    /// the same page must still see its first listing (else the second insert breaks the page), and a page
    /// of more orders than one lookup takes (100) must find every stored one.
    func testAnOrderListedTwiceOnAPageAndALargePageAreStoredAsOrdersOneByOneWouldBe() throws {
        var changed = newOrder("7")
        changed.channelStatus = "2"
        let twice = try ingest().store(page(newOrder("7"), newOrder("8"), changed), now: t0)
        XCTAssertEqual(twice.inserted, 2)
        XCTAssertEqual(twice.updated, 1, "the second listing of 7 updates what the first stored")
        XCTAssertEqual(try store.order(Fixture.ref("7"))?.order.channelStatus, "2")

        let ids = (1...250).map { "big\($0)" }
        let first = try ingest().store(OrderPage(orders: ids.prefix(130).map { FetchedOrder(order: newOrder($0), raw: Data()) }), now: t0)
        XCTAssertEqual(first.inserted, 130)
        let again = try ingest().store(OrderPage(orders: ids.map { FetchedOrder(order: newOrder($0), raw: Data()) }), now: t0)
        XCTAssertEqual(again.unchanged, 130, "every stored order found, past the first hundred")
        XCTAssertEqual(again.inserted, 120)
        let known = try store.known(ids.map { Fixture.ref($0) } + [Fixture.ref("absent"), OrderRef(channel: "other", externalID: "big1")])
        XCTAssertEqual(known.count, 250)
        XCTAssertEqual(known[Fixture.ref("big200")], try store.known(Fixture.ref("big200")))
    }

    // MARK: Create or only follow

    func testAnOrderListedOnlyToBeFollowedIsSkippedUntilStoredThenUpdated() throws {
        let ingest = ingest()
        var onHold = Fixture.order("7", status: .onHold, channelStatus: "on-hold")
        var follow = OrderPage(orders: [FetchedOrder(order: onHold, raw: Data("a".utf8), createIfNew: false)],
                               quarantined: [QuarantinedPayload(externalID: "8", reason: "bad", raw: Data("b".utf8), createIfNew: false)])
        var summary = try ingest.store(follow, now: t0)
        XCTAssertEqual(summary.notFollowed, 2)
        XCTAssertNil(try store.order(Fixture.ref("7")), "not created: its status is not one the import takes")
        XCTAssertEqual(try store.quarantineCounts()["bm-eu"] ?? 0, 0)
        // Created once its status is one the import takes ...
        try ingest.store(page(Fixture.order("7", status: .awaitingShipment, channelStatus: "processing")), now: t0)
        // ... then followed whatever its status.
        onHold.channelStatus = "cancelled"; onHold.status = .cancelled
        follow.orders = [FetchedOrder(order: onHold, raw: Data("c".utf8), createIfNew: false)]
        summary = try ingest.store(follow, now: t0)
        XCTAssertEqual(summary.updated, 1)
        XCTAssertEqual(try store.order(Fixture.ref("7"))?.order.status, .cancelled)
    }

    // MARK: Summary and unchanged orders

    func testSummaryCountsAndUnchangedOrdersAreNotRewritten() throws {
        let ingest = ingest()
        let first = try ingest.store(page(newOrder("1"), newOrder("2")), now: t0)
        XCTAssertEqual(first, Ingest.Summary(inserted: 2, updated: 0, unchanged: 0, quarantined: 0, acceptsQueued: 0))
        let changedAt = try store.db.query("SELECT changed_at FROM orders WHERE external_id = '1'").first?.string("changed_at")

        var changed = newOrder("2")
        changed.status = .awaitingShipment
        changed.channelStatus = "3"
        let second = try ingest.store(page(newOrder("1"), changed), now: t0.addingTimeInterval(600))
        XCTAssertEqual(second, Ingest.Summary(inserted: 0, updated: 1, unchanged: 1, quarantined: 0, acceptsQueued: 0))

        XCTAssertEqual(try store.db.query("SELECT changed_at FROM orders WHERE external_id = '1'").first?.string("changed_at"),
                       changedAt, "an unchanged order is not rewritten")
        XCTAssertEqual(try store.history(Fixture.ref("1")).count, 1)
        XCTAssertEqual(try store.history(Fixture.ref("2")).map { $0.to }, ["awaiting_acceptance", "awaiting_shipment"])

        let third = try ingest.store(page(newOrder("1"), changed), now: t0.addingTimeInterval(1200))
        XCTAssertEqual(third, Ingest.Summary(inserted: 0, updated: 0, unchanged: 2, quarantined: 0, acceptsQueued: 0))
        let imports = log.entries.filter { $0.message == "orders imported" }
        XCTAssertEqual(imports.count, 2, "a page with nothing new logs no import")
    }

    func testRawPayloadIsKept() throws {
        try ingest().store(page(newOrder("1")), now: t0)
        XCTAssertEqual(try store.order(Fixture.ref("1"))?.raw, Data("raw-1".utf8))
    }

    func testEmptyPage() throws {
        XCTAssertEqual(try ingest().store(OrderPage(orders: []), now: t0), Ingest.Summary())
        XCTAssertEqual(log.entries.count, 0)
    }

    // MARK: Auto-accept

    func testAutoAcceptIsQueuedOnce() throws {
        let ingest = ingest(autoAccept: true)
        XCTAssertEqual(try ingest.store(page(newOrder("1")), now: t0).acceptsQueued, 1)
        var edited = newOrder("1")
        edited.customerNote = "changed, still awaiting acceptance"
        let again = try ingest.store(page(edited), now: t0.addingTimeInterval(60))
        XCTAssertEqual(again.updated, 1)
        XCTAssertEqual(again.acceptsQueued, 0)
        XCTAssertEqual(try ingest.store(page(edited), now: t0.addingTimeInterval(120)).acceptsQueued, 0)
        let jobs = try store.jobs()
        XCTAssertEqual(jobs.count, 1)
        XCTAssertEqual(jobs.first?.kind, .accept)
        XCTAssertEqual(jobs.first?.dedupeKey, "accept")
        XCTAssertEqual(jobs.first?.ref, Fixture.ref("1"))
        XCTAssertEqual(jobs.first?.nextAttemptAt, t0)
    }

    func testAutoAcceptOnlyForOrdersAwaitingAcceptance() throws {
        let ingest = ingest(autoAccept: true)
        let summary = try ingest.store(page(
            Fixture.order("1", status: .awaitingShipment),
            Fixture.order("2", status: .pendingPayment, channelStatus: "0"),
            Fixture.order("3", status: .onHold, channelStatus: "1")), now: t0)
        XCTAssertEqual(summary.acceptsQueued, 0)
        XCTAssertEqual(try store.jobs(), [])
        // Payment completes: 0 → 1, and the accept follows.
        let paid = try ingest.store(page(Fixture.order("2", status: .awaitingAcceptance, channelStatus: "1")), now: t0)
        XCTAssertEqual(paid.acceptsQueued, 1)
        XCTAssertEqual(try store.jobs().map(\.ref), [Fixture.ref("2")])
    }

    func testNoAutoAcceptWhenDisabled() throws {
        XCTAssertEqual(try ingest(autoAccept: false).store(page(newOrder("1")), now: t0).acceptsQueued, 0)
        XCTAssertEqual(try store.jobs(), [])
    }

    func testAutoAcceptIsInTheSameTransactionAsTheOrder() throws {
        // Make the accept insert fail: the order must not be stored without its accept.
        try store.db.execute("CREATE TRIGGER no_jobs BEFORE INSERT ON jobs BEGIN SELECT RAISE(ABORT, 'jobs refused'); END")
        let quarantined = QuarantinedPayload(externalID: "9", reason: "missing field state", raw: Data("{}".utf8))
        var failing = page(Fixture.order("0", status: .awaitingShipment), newOrder("1"))
        failing.quarantined = [quarantined]
        XCTAssertThrowsError(try ingest(autoAccept: true).store(failing, now: t0))
        XCTAssertEqual(try store.orderCounts(), [:])
        XCTAssertEqual(try store.quarantineCounts(), [:])
        XCTAssertNil(try store.order(Fixture.ref("1")))
        XCTAssertEqual(try store.history(Fixture.ref("0")).count, 0)
        // Once the queue works again, the same page goes through whole.
        try store.db.execute("DROP TRIGGER no_jobs")
        let summary = try ingest(autoAccept: true).store(failing, now: t0)
        XCTAssertEqual(summary, Ingest.Summary(inserted: 2, updated: 0, unchanged: 0, quarantined: 1, acceptsQueued: 1))
    }

    // MARK: Quarantine

    func testQuarantinedPayloadsAreStoredCountedAndLogged() throws {
        var withBad = page(newOrder("1"))
        withBad.quarantined = [
            QuarantinedPayload(externalID: "40099999", reason: "missing field orderlines[0].state", raw: Data(#"{"order_id":40099999}"#.utf8)),
            QuarantinedPayload(externalID: nil, reason: "missing field order_id", raw: Data("{}".utf8)),
        ]
        let summary = try ingest().store(withBad, now: t0)
        XCTAssertEqual(summary, Ingest.Summary(inserted: 1, updated: 0, unchanged: 0, quarantined: 2, acceptsQueued: 0))
        XCTAssertEqual(try store.quarantineCounts(), ["bm-eu": 2])
        let rows = try store.db.query("SELECT channel, external_id, reason, raw FROM quarantine ORDER BY id")
        XCTAssertEqual(rows.map { $0.string("external_id") }, ["40099999", nil])
        XCTAssertEqual(rows.map { $0.string("reason") }, ["missing field orderlines[0].state", "missing field order_id"])
        XCTAssertEqual(rows.first?.data("raw"), Data(#"{"order_id":40099999}"#.utf8))
        let logged = log.entries.filter { $0.message == "order quarantined" }
        XCTAssertEqual(logged.map(\.level), [.error, .error])
        XCTAssertEqual(logged.map { $0.fields.first { $0.0 == "order.id" }?.1.description }, ["40099999", "?"])
        XCTAssertEqual(logged.map { $0.fields.first { $0.0 == "reason" }?.1.description },
                       ["missing field orderlines[0].state", "missing field order_id"])
        // The same bad payload seen again (every walk lists it) is kept and logged once.
        _ = try ingest().store(OrderPage(orders: [], quarantined: [withBad.quarantined[0]]), now: t0)
        XCTAssertEqual(try store.quarantineCounts(), ["bm-eu": 2])
        XCTAssertEqual(log.entries.filter { $0.message == "order quarantined" }.count, 2)
        // A changed payload for the same order is a new quarantine entry.
        let changed = QuarantinedPayload(externalID: "40099999", reason: "missing field orderlines[0].state",
                                         raw: Data(#"{"order_id":40099999,"state":1}"#.utf8))
        _ = try ingest().store(OrderPage(orders: [], quarantined: [changed]), now: t0)
        XCTAssertEqual(try store.quarantineCounts(), ["bm-eu": 3])
    }

    func testImportLogCarriesCounts() throws {
        try ingest(autoAccept: true).store(page(newOrder("1"), Fixture.order("2")), now: t0)
        let entry = try XCTUnwrap(log.entries.first { $0.message == "orders imported" })
        XCTAssertEqual(entry.level, .info)
        let fields = Dictionary(entry.fields.map { ($0.0, $0.1.description) }, uniquingKeysWith: { $1 })
        XCTAssertEqual(fields["new"], "2")
        XCTAssertEqual(fields["changed"], "0")
        XCTAssertEqual(fields["unchanged"], "0")
        XCTAssertEqual(fields["accepts_queued"], "1")
    }
}
