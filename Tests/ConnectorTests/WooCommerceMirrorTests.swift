import ChannelSimulator
import Foundation
import OrderSync
@testable import Connectors
import XCTest

/// The store as the fulfilment desk: a Back Market order copied into the WooCommerce simulator by the
/// ``MirrorService`` over 127.0.0.1, once, with its content, and never imported back as a store sale.
final class WooCommerceMirrorTests: XCTestCase {
    var harness: WooCommerceHarness!
    let marketRef = OrderRef(channel: "bm-eu", externalID: "40012345")

    override func setUpWithError() throws { harness = try WooCommerceHarness(timeout: 1) }
    override func tearDown() { harness.close() }

    /// An accepted Back Market order: a phone matched by SKU, a case the store does not sell, a pickup point.
    func marketplaceOrder(status: OrderStatus = .awaitingShipment) -> Order {
        Order(ref: marketRef, channelType: "backmarket", status: status, channelStatus: "3", currency: "EUR",
              total: Money("224.90"), shippingTotal: Money("5.90"),
              customer: Customer(name: "Marie Curie", email: "marie.curie@buyer.example", phone: "+33600000000"),
              shippingAddress: Address(name: "Marie Curie", line1: "1 rue Pierre", postcode: "75005", city: "Paris", country: "FR"),
              pickupPoint: PickupPoint(id: "R-42", name: "Relais Tabac du Coin",
                                       address: Address(name: "Relais Tabac du Coin", line1: "9 place du Marché",
                                                        postcode: "75011", city: "Paris", country: "FR")),
              shippingMethod: "Mondial Relay point", customerNote: "Leave at the relay, please",
              lines: [OrderLine(lineID: "1", sku: "IPHONE-13-128", name: "iPhone 13 128 Go", quantity: 1, unitPrice: Money("199.00"),
                                requiresIMEI: true),
                      OrderLine(lineID: "2", sku: "CASE-X", name: "Coque", quantity: 2, unitPrice: Money("10.00"))])
    }

    func storeMarketplaceOrder(_ order: Order) throws {
        let ingest = Ingest(store: harness.store, channelID: marketRef.channel, autoAccept: false, rules: [], logger: harness.logger)
        _ = try ingest.store(OrderPage(orders: [FetchedOrder(order: order, raw: Data("{}".utf8))]))
    }

    func service() -> MirrorService {
        var service = MirrorService(store: harness.store, target: harness.channel,
                                    config: MirrorConfig(store: WooCommerceHarness.channelID),
                                    sources: [(id: "bm-eu", name: "Back Market")], logger: harness.logger)
        service.backoff = Backoff(base: 0.01, cap: 0.01)
        return service
    }

    func mirrors() -> [WooCommerceSimulator.Order] {
        harness.simulator.allOrders().filter { $0.metaData.contains { $0.key == "ordersync_ref" && $0.value == marketRef.description } }
    }

    func testAnAcceptedOrderIsMirroredOnceWithItsContentAndNoEmailToTheBuyer() async throws {
        let phone = harness.simulator.addProduct(.init(name: "iPhone 13 128 Go", sku: "IPHONE-13-128", price: "199.00", stock: 5))
        try storeMarketplaceOrder(marketplaceOrder())
        try await service().cycle()
        try await service().cycle()

        let created = try XCTUnwrap(mirrors().first)
        XCTAssertEqual(mirrors().count, 1)
        XCTAssertEqual(created.status, "processing")
        XCTAssertNotNil(created.datePaid)
        XCTAssertEqual(created.paymentMethodTitle, "Back Market (bm-eu:40012345)")
        XCTAssertEqual(created.customerNote, "Leave at the relay, please")
        XCTAssertNil(created.billing.email, "customer_email omit leaves the buyer's e-mail out")
        XCTAssertEqual(created.shipping.address1, "9 place du Marché", "the pickup point's address is the shipping address")
        XCTAssertEqual(created.shipping.company, "Relais Tabac du Coin")
        XCTAssertEqual(created.shippingLines.map(\.methodTitle), ["Mondial Relay point"])
        XCTAssertEqual(created.lineItems.map(\.productID), [phone.id, 0], "matched by SKU; the unknown SKU has no product")
        XCTAssertEqual(created.lineItems.map(\.name), ["iPhone 13 128 Go", "Coque"])
        XCTAssertEqual(created.lineItems.map(\.total), ["199.00", "20.00"])
        let read = try await harness.channel.fetchOrder(externalID: String(created.id))
        XCTAssertEqual(read?.order.total, Money("224.90"), "the store's total equals the marketplace's")
        XCTAssertEqual(harness.simulator.product(phone.id)?.stock, 4, "stock moved once, for the matched line only")
        XCTAssertEqual(harness.simulator.emails(orderID: created.id).filter { $0.recipient != "admin" }, [],
                       "no e-mail to a marketplace buyer")
        XCTAssertTrue(created.notes.contains { !$0.customerNote && $0.note.contains("CASE-X") }, "unmatched SKU noted privately")
        XCTAssertEqual(try harness.store.mirror(of: marketRef)?.storeRef, "shop:\(created.id)")
        XCTAssertEqual(harness.simulator.requests(method: "GET", pathPrefix: "/wp-json/wc/v3/products").count, 2,
                       "one product lookup per SKU")

        // Mirrors are not sales: the store's poll does not import it.
        try await harness.poller.pollOnce()
        XCTAssertNil(try harness.store.order(harness.ref(created.id)), "a mirror is never imported as a store order")
    }

    func testACreationWhoseReplyTimedOutIsAdoptedNotCreatedTwice() async throws {
        try storeMarketplaceOrder(marketplaceOrder())
        // The store creates the order but the reply comes after the connector gave up.
        harness.simulator.injectFault(.slow(seconds: 2), count: 1, method: "POST", pathPrefix: "/wp-json/wc/v3/orders")
        try await service().cycle()
        XCTAssertEqual(mirrors().count, 1, "the store did create it")
        XCTAssertNil(try harness.store.mirror(of: marketRef)?.storeOrderID, "but ordersync did not hear back")
        let job = try XCTUnwrap(try harness.store.jobs(ref: marketRef).first)
        XCTAssertEqual(job.state, .queued, "a timeout is retried")

        try harness.store.reschedule(job.id, at: Date(), error: "test: retry now")
        try await service().cycle()
        XCTAssertEqual(mirrors().count, 1, "the retry found the order by ordersync_ref instead of posting again")
        XCTAssertEqual(harness.simulator.requests(method: "POST").filter { $0.path == "/wp-json/wc/v3/orders" }.count, 1,
                       "one order POST in all")
        XCTAssertEqual(try harness.store.mirror(of: marketRef)?.storeOrderID, String(mirrors()[0].id))
        XCTAssertEqual(try harness.store.job(id: job.id)?.state, .done)
    }

    func testAnOrderNotYetAcceptedIsNotMirrored() async throws {
        try storeMarketplaceOrder(marketplaceOrder(status: .awaitingAcceptance))
        try await service().cycle()
        XCTAssertEqual(mirrors().count, 0)
        XCTAssertNil(try harness.store.mirror(of: marketRef))
    }

    /// The connector's `POST /orders` body and the simulator's reply, against WooCommerce's order schema.
    /// One departure is deliberate: `line_items[].sku` is marked read-only in the schema, yet the controller
    /// reads it to find the product (`get_product_id_from_line_item`); it is how a line whose SKU the store
    /// does not know is created without a product.
    func testTheMirrorRequestAndReplyMatchTheOrderSchema() async throws {
        harness.simulator.addProduct(.init(name: "iPhone 13 128 Go", sku: "IPHONE-13-128", price: "199.00", stock: 5))
        try storeMarketplaceOrder(marketplaceOrder())
        try await service().cycle()
        let post = try XCTUnwrap(harness.simulator.requests(method: "POST").first { $0.path == "/wp-json/wc/v3/orders" })
        var body = try XCTUnwrap(post.jsonBody)
        body["line_items"] = (body["line_items"] as? [[String: Any]])?.map { line in line.filter { $0.key != "sku" } }
        let schema = try WooCommerceSpecValidator.fixture("orders")["schema"] as? [String: Any] ?? [:]
        XCTAssertEqual(WooCommerceSpecValidator(schema: schema, mode: .request).problems(body), [])
        let reply = try XCTUnwrap((try? JSONSerialization.jsonObject(with: post.responseBody)) as? [String: Any])
        XCTAssertEqual(post.status, 201)
        XCTAssertEqual(WooCommerceSpecValidator(schema: schema, mode: .reply).problems(reply), [])
    }
}
