import ChannelSimulator
import Foundation
import OrderSync
@testable import Connectors
import XCTest

/// One WooCommerce connector wired as the daemon wires it (ChannelHTTP → WooCommerceChannel → Ingest →
/// Poller / Pusher), over real sockets to a `WooCommerceSimulator` on 127.0.0.1, with a fresh SQLite
/// store. Timeouts are short so fault tests stay quick.
final class WooCommerceHarness: @unchecked Sendable {
    static let channelID = "shop"
    static let key = WooCommerceSimulator.APIKey(consumerKey: "ck_harness_5f0d2c1e9b", consumerSecret: "cs_harness_secret_8a7b6c")
    static let carriers = [
        "colissimo": CarrierConfig(key: "colissimo", trackingURL: "https://www.laposte.fr/outils/suivre-vos-envois?code={tracking}",
                                   names: ["woocommerce": "Colissimo"]),
        "mondial-relay": CarrierConfig(key: "mondial-relay", trackingURL: "https://www.mondialrelay.fr/suivi/?n={tracking}&cp={postcode}"),
        // A name the Shipment Tracking extension's provider list does not have.
        "dpd": CarrierConfig(key: "dpd", trackingURL: "https://www.dpd.fr/trace/{tracking}", names: ["woocommerce": "DPD France"]),
    ]

    let simulator: WooCommerceSimulator
    let directory: URL
    let store: Store
    let logs = InMemoryLogHandler()
    let logger: Logger
    let channel: WooCommerceChannel
    let ingest: Ingest
    let poller: Poller
    let pusher: Pusher

    init(statuses: [String] = ["processing"], tracking: WooCommerceSettings.Tracking = .note, completeOnShip: Bool = true,
         auth: WooCommerceSettings.Auth = .basic, attempts: Int = 2, timeout: TimeInterval = 2,
         clock: (@Sendable () -> Date)? = nil, configure: (inout WooCommerceSimulator.Configuration) -> Void = { _ in }) throws {
        var configuration = WooCommerceSimulator.Configuration()
        configure(&configuration)
        simulator = WooCommerceSimulator(keys: [Self.key], configuration: configuration, clock: clock ?? { Date() })
        try simulator.start()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ordersync-woo-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try Store(path: directory.appendingPathComponent("ordersync.sqlite3").path)
        logger = Logger(level: .debug, handler: logs)
        let http = ChannelHTTP(transport: URLSessionTransport(), minimumSpacing: 0, timeout: timeout, attempts: attempts,
                               rateLimitPause: 1, logger: logger)
        channel = WooCommerceChannel(id: Self.channelID, baseURL: simulator.baseURL, consumerKey: Secret(Self.key.consumerKey),
                                     consumerSecret: Secret(Self.key.consumerSecret), statuses: statuses, tracking: tracking,
                                     completeOnShip: completeOnShip, auth: auth, carriers: Self.carriers, resweepDays: 5,
                                     http: http, logger: logger)
        ingest = Ingest(store: store, channelID: Self.channelID, autoAccept: false,
                        rules: [ShippingRule(shippingMethod: "Mondial*", carrier: "mondial-relay"), ShippingRule(carrier: "colissimo")],
                        logger: logger)
        poller = Poller(connector: channel, ingest: ingest, interval: 30, logger: logger, onCycle: {})
        pusher = Pusher(connector: channel, ingest: ingest, logger: logger, tick: 0.05, deadLetterAfter: 3600,
                        backoff: Backoff(base: 5, cap: 60))
    }

    func close() {
        simulator.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: orders and jobs

    func ref(_ id: Int) -> OrderRef { OrderRef(channel: Self.channelID, externalID: String(id)) }

    func stored(_ id: Int) throws -> Order? { try store.order(ref(id))?.order }

    /// An order template modified two minutes ago (safely inside the poll's frozen window).
    static func order(_ configure: (inout WooCommerceSimulator.Order) -> Void = { _ in }) -> WooCommerceSimulator.Order {
        let past = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down) - 120)
        var order = WooCommerceSimulator.Order(dateCreated: past, dateModified: past)
        configure(&order)
        return order
    }

    /// Adds an order and stores it locally as a poll would (carrier from the rules), then clears the journal.
    @discardableResult
    func seed(_ template: WooCommerceSimulator.Order = WooCommerceHarness.order()) async throws -> WooCommerceSimulator.Order {
        let order = simulator.addOrder(template)
        let read = try await channel.fetchOrder(externalID: String(order.id))
        let fetched = try XCTUnwrap(read, "seeded order not readable")
        let (prepared, _) = try ingest.prepare(fetched.order)
        _ = try store.upsert(prepared, raw: fetched.raw)
        simulator.clearJournal()
        return order
    }

    func enqueue(_ id: Int, _ kind: JobKind, dedupeKey: String? = nil, payload: JobPayload = JobPayload()) throws -> Int64 {
        let outcome = try store.enqueue(ref(id), kind: kind, dedupeKey: dedupeKey ?? kind.rawValue, payload: payload)
        guard case .queued(let jobID) = outcome else {
            XCTFail("job not queued: \(outcome)")
            return -1
        }
        return jobID
    }

    /// Runs one queued job through the Pusher and returns it as stored afterwards.
    @discardableResult
    func process(_ jobID: Int64) async throws -> Job {
        let job = try XCTUnwrap(try store.job(id: jobID))
        try await pusher.process(job)
        return try XCTUnwrap(try store.job(id: jobID))
    }

    /// Runs a job until it is no longer queued (retryable failures retried at once), at most `tries` times.
    @discardableResult
    func drain(_ jobID: Int64, tries: Int = 5) async throws -> Job {
        var job = try await process(jobID)
        var left = tries - 1
        while job.state == .queued && left > 0 {
            try store.reschedule(jobID, at: Date(), error: "test: retry now")
            job = try await process(jobID)
            left -= 1
        }
        return job
    }

    /// A ship job payload: Colissimo (named for WooCommerce) with its tracking URL, or some lines only.
    static func shipment(_ tracking: String = "6A12345678901", carrier: String? = "colissimo", lines: [String] = [],
                         url: String? = nil) -> JobPayload {
        let config = carrier.flatMap { carriers[$0] }
        return JobPayload(shipment: ShipmentRequest(
            carrierKey: carrier, carrierName: config?.name(for: .woocommerce), trackingNumber: tracking,
            trackingURL: url ?? config?.trackingURL(number: tracking, postcode: "75003"), shippedAt: shipDate,
            lines: lines.map { ShipLine(lineID: $0) }, wholeOrder: lines.isEmpty))
    }

    static let shipDate = Timestamp.parse("2026-03-11T14:00:00Z")!

    // MARK: journal and logs

    func posts(_ orderID: Int, _ suffix: String = "/notes") -> [WooCommerceSimulator.JournalEntry] {
        simulator.requests(method: "POST").filter { $0.path.hasSuffix("/orders/\(orderID)\(suffix)") }
    }

    func puts(_ orderID: Int) -> [WooCommerceSimulator.JournalEntry] {
        simulator.requests(method: "PUT", pathPrefix: "/wp-json/wc/v3/orders/\(orderID)")
    }

    func logMessages(_ level: LogLevel? = nil) -> [String] {
        logs.entries.filter { level == nil || $0.level == level }.map(\.message)
    }

    /// Every log line, error and stored text that could leak a secret, flattened.
    func everythingLogged() -> String {
        logs.entries.map { entry in ([entry.message] + entry.fields.map { "\($0.0)=\($0.1)" }).joined(separator: " ") }
            .joined(separator: "\n")
    }

    func savedCursor() throws -> [String: Any]? {
        guard let text = try store.cursor(channel: Self.channelID) else { return nil }
        return try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
    }
}

/// A base class that builds a fresh harness per test and tears it down.
class WooCommerceTestCase: XCTestCase, @unchecked Sendable {
    private var harnesses: [WooCommerceHarness] = []

    func makeHarness(statuses: [String] = ["processing"], tracking: WooCommerceSettings.Tracking = .note, completeOnShip: Bool = true,
                     auth: WooCommerceSettings.Auth = .basic, attempts: Int = 2, timeout: TimeInterval = 2,
                     clock: (@Sendable () -> Date)? = nil,
                     configure: (inout WooCommerceSimulator.Configuration) -> Void = { _ in }) throws -> WooCommerceHarness {
        let harness = try WooCommerceHarness(statuses: statuses, tracking: tracking, completeOnShip: completeOnShip, auth: auth,
                                             attempts: attempts, timeout: timeout, clock: clock, configure: configure)
        harnesses.append(harness)
        return harness
    }

    override func tearDown() {
        harnesses.forEach { $0.close() }
        harnesses.removeAll()
        super.tearDown()
    }
}
