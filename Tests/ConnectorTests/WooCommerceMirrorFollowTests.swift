import ChannelSimulator
import Foundation
import OrderSync
@testable import Connectors
import XCTest

/// Mirrors after creation: fulfilment typed in the store queued for the marketplace (as `ship` would),
/// what blocks it noted on the mirror, and marketplace cancellations carried into the store.
final class WooCommerceMirrorFollowTests: XCTestCase {
    var harness: WooCommerceHarness!
    let marketRef = OrderRef(channel: "bm-eu", externalID: "40012345")
    var mirrorID = 0

    static let configJSON = """
        {"state_dir": "/tmp/unused", "channels": [
          {"id": "bm-eu", "type": "backmarket", "region": "eu", "token": "t", "user_agent": "BM-Acme-ordersync;ops@acme.example"},
          {"id": "shop", "type": "woocommerce", "base_url": "http://127.0.0.1:1", "consumer_key": "ck", "consumer_secret": "cs"}],
         "carriers": {
          "colissimo": {"tracking_url": "https://t.example/?c={tracking}", "names": {"backmarket": "Colissimo", "woocommerce": "Colissimo"}},
          "dhl-express": {"names": {"backmarket": "DHL Express", "woocommerce": "DHL Parcel Pro"}}},
         "mirror": {"store": "shop"}}
        """

    override func setUpWithError() throws {
        harness = try WooCommerceHarness(timeout: 2)
    }
    override func tearDown() { harness.close() }

    func service() throws -> MirrorService {
        let (parsed, problems) = ConfigLoader.parse(data: Data(Self.configJSON.utf8))
        let config = try XCTUnwrap(parsed, "\(problems)")
        XCTAssertEqual(problems, [])
        var service = MirrorService(store: harness.store, target: harness.channel, config: try XCTUnwrap(config.mirror),
                                    sources: [(id: "bm-eu", name: "Back Market")], logger: harness.logger)
        service.operations = Operations(config: config, store: harness.store)
        return service
    }

    /// A mirrored, accepted Back Market phone order (one line needing an IMEI, carrier mapped to colissimo).
    func mirrored(phones: Int = 1) async throws {
        let lines = (1...phones).map {
            OrderLine(lineID: String($0), sku: "PHONE-\($0)", name: "Phone \($0)", quantity: 1, unitPrice: Money("100.00"), requiresIMEI: true)
        }
        let order = Order(ref: marketRef, channelType: "backmarket", status: .awaitingShipment, channelStatus: "3", currency: "EUR",
                          total: Money("\(phones * 100).00"), shippingTotal: Money("0.00"),
                          customer: Customer(name: "Marie Curie", email: nil, phone: nil),
                          shippingAddress: Address(name: "Marie Curie", line1: "1 rue Pierre", postcode: "75005", city: "Paris", country: "FR"),
                          shippingMethod: "Colissimo", carrier: "colissimo", lines: lines)
        let ingest = Ingest(store: harness.store, channelID: marketRef.channel, autoAccept: false, rules: [], logger: harness.logger)
        _ = try ingest.store(OrderPage(orders: [FetchedOrder(order: order, raw: Data("{}".utf8))]))
        try await service().cycle()
        mirrorID = try XCTUnwrap(Int(try XCTUnwrap(try harness.store.mirror(of: marketRef)?.storeOrderID)))
    }

    func shipJobs() throws -> [Job] { try harness.store.jobs(ref: marketRef).filter { $0.kind == .ship } }
    func ourNotes() -> [String] {
        harness.simulator.notes(orderID: mirrorID).map(\.note).filter { $0.hasPrefix("ordersync: not sent") || $0.hasPrefix("ordersync: Back Market") }
    }
    func merchantNote(_ text: String) { _ = harness.simulator.addNote(orderID: mirrorID, text) }
    func complete() { harness.simulator.setStatus(mirrorID, "completed") }

    func testAPhoneMirrorCompletedWithTrackingButNoIMEIIsNotPushedGetsANoteAndIsPushedOnceAfterAnIMEINote() async throws {
        try await mirrored()
        merchantNote("Tracking: Colissimo 6A11112222333")
        complete()
        try await service().follow()
        XCTAssertEqual(try shipJobs().count, 0, "no IMEI: nothing queued for Back Market")
        XCTAssertEqual(try harness.store.mirror(of: marketRef)?.state, .waiting)
        XCTAssertEqual(ourNotes().count, 1)
        XCTAssertTrue(ourNotes()[0].contains("IMEI missing"), ourNotes()[0])
        try await service().follow()
        XCTAssertEqual(ourNotes().count, 1, "the same reason is noted once")

        merchantNote("IMEI 356938035643809")
        try await service().follow()
        try await service().follow()
        let jobs = try shipJobs()
        XCTAssertEqual(jobs.count, 1, "queued once")
        XCTAssertEqual(jobs.first?.payload.shipment?.trackingNumber, "6A11112222333")
        XCTAssertEqual(jobs.first?.payload.shipment?.carrierName, "Colissimo")
        XCTAssertEqual(jobs.first?.payload.shipment?.lines.first?.imei, "356938035643809")
        XCTAssertTrue(ourNotes().last?.contains("IMEI set on 1 line") ?? false, "\(ourNotes())")
    }

    func testALuhnInvalidIMEIIsNotPushed() async throws {
        try await mirrored()
        merchantNote("Tracking: Colissimo 6A11112222333")
        merchantNote("IMEI 356938035643808")
        complete()
        try await service().follow()
        XCTAssertEqual(try shipJobs().count, 0)
        XCTAssertTrue(ourNotes().last?.contains("check digit") ?? false, "\(ourNotes())")
    }

    func testCompletedWithoutTrackingIsNotPushedAndGetsANote() async throws {
        try await mirrored()
        merchantNote("IMEI 356938035643809")
        complete()
        try await service().follow()
        XCTAssertEqual(try shipJobs().count, 0)
        XCTAssertEqual(ourNotes().count, 1)
        XCTAssertTrue(ourNotes()[0].contains("without a tracking number"), ourNotes()[0])
    }

    func testACustomProviderResolvesToTheRightBackMarketShipperAndSeveralPhonesTakeSkuPairs() async throws {
        try await mirrored(phones: 2)
        // The merchant adds a Shipment Tracking entry with a custom provider in the store's admin.
        let auth = Data("\(WooCommerceHarness.key.consumerKey):\(WooCommerceHarness.key.consumerSecret)".utf8).base64EncodedString()
        let body = try JSONSerialization.data(withJSONObject: ["custom_tracking_provider": "DHL Parcel Pro", "tracking_number": "JD0001",
                                                               "custom_tracking_link": "https://dhl.example/JD0001"])
        let added = harness.simulator.handle(HTTPRequest(
            method: "POST", path: "/wp-json/wc-shipment-tracking/v3/orders/\(mirrorID)/shipment-trackings",
            headers: [("Authorization", "Basic \(auth)"), ("Content-Type", "application/json")], body: body))
        XCTAssertEqual(added.status, 201)
        merchantNote("PHONE-1=356938035643809, PHONE-2=490154203237518")
        complete()
        try await service().follow()
        let job = try XCTUnwrap(try shipJobs().first)
        XCTAssertEqual(job.payload.shipment?.carrierKey, "dhl-express")
        XCTAssertEqual(job.payload.shipment?.carrierName, "DHL Express", "the Back Market spelling of that carrier")
        XCTAssertEqual(job.payload.shipment?.lines.map(\.imei), ["356938035643809", "490154203237518"])
    }

    func testAMarketplaceCancellationCancelsTheMirrorWithANote() async throws {
        let phone = harness.simulator.addProduct(.init(name: "Phone 1", sku: "PHONE-1", price: "100.00", stock: 2))
        try await mirrored()
        XCTAssertEqual(harness.simulator.product(phone.id)?.stock, 1)
        let ingest = Ingest(store: harness.store, channelID: marketRef.channel, autoAccept: false, rules: [], logger: harness.logger)
        var cancelled = try XCTUnwrap(try harness.store.order(marketRef)?.order)
        cancelled.status = .cancelled
        cancelled.channelStatus = "6"
        _ = try ingest.store(OrderPage(orders: [FetchedOrder(order: cancelled, raw: Data("{\"state\":6}".utf8))]))
        try await service().follow()
        XCTAssertEqual(harness.simulator.order(mirrorID)?.status, "cancelled")
        XCTAssertTrue(harness.simulator.notes(orderID: mirrorID).contains { !$0.customerNote && $0.note.contains("cancelled on the marketplace") })
        XCTAssertEqual(harness.simulator.product(phone.id)?.stock, 2, "the store restocked")
        XCTAssertEqual(try harness.store.mirror(of: marketRef)?.state, .closed)
    }

    func testEachPushOfAMirroredOrderIsWrittenOnceOnTheMirror() async throws {
        try await mirrored()
        merchantNote("Tracking: Colissimo 6A11112222333")
        merchantNote("IMEI 356938035643809")
        complete()
        try await service().follow()
        let job = try XCTUnwrap(try shipJobs().first)
        try harness.store.finish(job.id, state: .failed, error: "Back Market refused the shipper (400)")
        try await service().follow()
        try await service().follow()
        let timeline = harness.simulator.notes(orderID: mirrorID).map(\.note).filter { $0.contains("ship Colissimo 6A11112222333") }
        XCTAssertEqual(timeline, ["ordersync: Back Market: ship Colissimo 6A11112222333: refused: Back Market refused the shipper (400)"])
    }

    func testAMirrorCancelledInTheStoreIsNoLongerFollowedAndPushesNothing() async throws {
        try await mirrored()
        harness.simulator.setStatus(mirrorID, "cancelled")
        try await service().follow()
        XCTAssertEqual(try harness.store.mirror(of: marketRef)?.state, .closed)
        XCTAssertEqual(try harness.store.jobs(ref: marketRef).filter { $0.kind != .mirror }, [])
        harness.simulator.clearJournal()
        try await service().follow()
        XCTAssertEqual(harness.simulator.requests(method: "GET").count, 0, "a closed mirror is not read again")
    }
}
