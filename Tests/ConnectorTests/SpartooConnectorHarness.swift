import ChannelSimulator
import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// One Spartoo connector wired as the daemon wires it (SpartooChannel → Ingest → Poller / Pusher), talking
/// over real sockets to a two-site `SpartooSimulator` on 127.0.0.1, with a fresh temporary SQLite store.
/// No pacing, short timeouts, so fault tests stay quick.
final class SpartooConnectorHarness: @unchecked Sendable {
    static let channelID = "spartoo-eu"
    static let partner = "0A1B2C3D4E5F6789"

    let simulator: SpartooSimulator
    let directory: URL
    let store: Store
    let logs = InMemoryLogHandler()
    let logger: Logger
    let channel: SpartooChannel
    let ingest: Ingest
    let poller: Poller
    let pusher: Pusher
    var slipsDirectory: URL { directory.appendingPathComponent("slips", isDirectory: true) }
    /// Where export replies are streamed, as the daemon's `state_dir/replies`.
    var replyDirectory: URL { directory.appendingPathComponent("replies", isDirectory: true) }

    init(sites: [String] = ["fr", "es"], configure: (inout SpartooSimulator.Configuration) -> Void = { _ in },
         readAttempts: Int = 2, timeout: TimeInterval = 2, fetchSlips: Bool = false, autoAccept: Bool = false,
         endpoints: [SpartooEndpoint]? = nil, partnerID: String = SpartooConnectorHarness.partner,
         followsReturns: Bool = false) throws {
        var configuration = SpartooSimulator.Configuration()
        configure(&configuration)
        simulator = SpartooSimulator(partnerIDs: [Self.partner], sites: sites, configuration: configuration)
        try simulator.start()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ordersync-spartoo-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try Store(path: directory.appendingPathComponent("ordersync.sqlite3").path)
        logger = Logger(level: .debug, handler: logs)
        let simulator = self.simulator
        channel = SpartooChannel(id: Self.channelID,
                                 endpoints: endpoints ?? sites.map { SpartooEndpoint(site: $0, baseURL: simulator.baseURL(site: $0)) },
                                 partnerID: Secret(partnerID), transport: URLSessionTransport(), minimumSpacing: 0,
                                 timeout: timeout, readAttempts: readAttempts, rateLimitPause: 1,
                                 slipsDirectory: fetchSlips ? directory.appendingPathComponent("slips", isDirectory: true) : nil,
                                 replyDirectory: directory.appendingPathComponent("replies", isDirectory: true), logger: logger,
                                 followsReturns: followsReturns)
        ingest = Ingest(store: store, channelID: Self.channelID, autoAccept: autoAccept,
                        rules: [ShippingRule(shippingMethod: "Mondial*", carrier: "mondial-relay"), ShippingRule(carrier: "colissimo")],
                        logger: logger)
        poller = Poller(connector: channel, ingest: ingest, interval: 30, logger: logger, onCycle: {})
        pusher = Pusher(connector: channel, ingest: ingest, logger: logger, tick: 0.05, deadLetterAfter: 3600,
                        backoff: Backoff(base: 5, cap: 60))
    }

    /// Stops the simulator and deletes the temporary database.
    func close() {
        simulator.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    func ref(_ externalID: String) -> OrderRef { OrderRef(channel: Self.channelID, externalID: externalID) }

    func stored(_ externalID: String) throws -> Order? { try store.order(ref(externalID))?.order }

    /// Adds an order to the simulator and stores it locally as a poll would, then clears the journal.
    @discardableResult
    func seed(_ template: SpartooSimulator.Order) async throws -> SpartooSimulator.Order {
        let order = simulator.addOrder(template)
        let read = try await channel.fetchOrder(externalID: "\(order.site)/\(order.id)")
        let fetched = try XCTUnwrap(read, "seeded order not readable")
        var local = fetched.order
        local.ref = ref(order.id)
        _ = try store.upsert(local, raw: fetched.raw)
        simulator.clearJournal()
        return order
    }

    /// Queues a job and returns its id.
    func enqueue(_ externalID: String, _ kind: JobKind, dedupeKey: String? = nil, payload: JobPayload = JobPayload()) throws -> Int64 {
        let outcome = try store.enqueue(ref(externalID), kind: kind, dedupeKey: dedupeKey ?? kind.rawValue, payload: payload)
        guard case .queued(let id) = outcome else {
            XCTFail("job not queued: \(outcome)")
            return -1
        }
        return id
    }

    /// Runs one queued job through the Pusher as the daemon does and returns it as stored afterwards.
    @discardableResult
    func process(_ jobID: Int64) async throws -> Job {
        let job = try XCTUnwrap(try store.job(id: jobID))
        try await pusher.process(job)
        return try XCTUnwrap(try store.job(id: jobID))
    }

    static func shipment(_ tracking: String) -> JobPayload {
        JobPayload(shipment: ShipmentRequest(carrierKey: "colissimo", carrierName: nil, trackingNumber: tracking,
                                             trackingURL: "https://www.laposte.fr/outils/suivre-vos-envois?code=\(tracking)",
                                             shippedAt: Date(), lines: [], wholeOrder: true))
    }

    /// Update calls (`xml_maj_orders.php`) in the journal, optionally on one site.
    func updates(site: String? = nil) -> [SpartooSimulator.JournalEntry] {
        simulator.requests(script: "xml_maj_orders.php", site: site)
    }

    /// Every text the connector produced that a user could see: log lines, job errors and results, cursor.
    func visibleText() throws -> String {
        var parts = logs.entries.map { entry in
            entry.message + " " + entry.fields.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
        }
        parts += try store.jobs().flatMap { [$0.lastError ?? "", $0.result ?? ""] }
        parts.append(try store.cursor(channel: Self.channelID) ?? "")
        return parts.joined(separator: "\n")
    }
}

/// A base class that builds a fresh harness per test and tears it down.
class SpartooTestCase: XCTestCase, @unchecked Sendable {
    private var harnesses: [SpartooConnectorHarness] = []

    func makeHarness(sites: [String] = ["fr", "es"], configure: (inout SpartooSimulator.Configuration) -> Void = { _ in },
                     readAttempts: Int = 2, fetchSlips: Bool = false, autoAccept: Bool = false,
                     partnerID: String = SpartooConnectorHarness.partner, followsReturns: Bool = false) throws -> SpartooConnectorHarness {
        let harness = try SpartooConnectorHarness(sites: sites, configure: configure, readAttempts: readAttempts,
                                                  fetchSlips: fetchSlips, autoAccept: autoAccept, partnerID: partnerID,
                                                  followsReturns: followsReturns)
        harnesses.append(harness)
        return harness
    }

    override func tearDown() {
        harnesses.forEach { $0.close() }
        harnesses.removeAll()
        super.tearDown()
    }
}

/// An `HTTPTransport` that answers from a script (status, body) and records each request: for codes the
/// simulator cannot produce on demand (−7 after a race, −9 after a read, an update reply without a code).
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var replies: [(Int, String)]
    private var sent: [ChannelRequest] = []

    init(_ replies: [(Int, String)]) { self.replies = replies }

    func send(_ request: ChannelRequest, timeout: TimeInterval) async throws -> ChannelResponse {
        let reply: (Int, String)? = lock.withLock {
            sent.append(request)
            return replies.isEmpty ? nil : replies.removeFirst()
        }
        guard let reply else { throw TransportError(timedOut: true, message: "script exhausted") }
        return ChannelResponse(status: reply.0, headers: ["content-type": "text/xml"], body: Data(reply.1.utf8))
    }

    /// The requests sent, with their form fields decoded.
    var requests: [(script: String, fields: [String: String])] {
        lock.withLock {
            sent.map { request in
                let body = String(decoding: request.body ?? Data(), as: UTF8.self)
                var fields: [String: String] = [:]
                for item in HTTPRequest.parseQuery(body) { fields[item.name] = item.value }
                return (request.url.lastPathComponent, fields)
            }
        }
    }

    var remaining: Int { lock.withLock { replies.count } }

    /// A connector on one site (`fr`) over this transport.
    func channel(slips: URL? = nil, logger: Logger = .discarding) -> SpartooChannel {
        SpartooChannel(id: "spartoo-fr", endpoints: [SpartooEndpoint(site: "fr", baseURL: URL(string: "https://sws.spartoo.com")!)],
                       partnerID: Secret(SpartooConnectorHarness.partner), transport: self, minimumSpacing: 0, timeout: 1,
                       readAttempts: 2, slipsDirectory: slips, logger: logger)
    }

    /// An export reply with one order at `status`.
    static func order(_ id: String = "3FF75E96C3434E92", status: Int, tracking: String? = nil) -> (Int, String) {
        (200, """
        <?xml version="1.0" encoding="UTF-8"?><root><orders><order><orders_id>\(id)</orders_id>
        <customers><customers_lastname>Martin</customers_lastname></customers><order_total>10.00</order_total>
        <orders_status_id>\(status)</orders_status_id>\(tracking.map { "<tracking_number>\($0)</tracking_number>" } ?? "")
        <products><product><products_reference>R1</products_reference><products_size_reference>R1-42</products_size_reference>
        <products_qty>1</products_qty></product></products></order></orders><statut><id>1</id></statut></root>
        """)
    }

    /// An update or slip reply carrying `code` as `<root><errors>N</errors></root>`.
    static func code(_ value: Int) -> (Int, String) {
        (200, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><root><errors>\(value)</errors></root>")
    }
}

extension SpartooSimulator.Order {
    /// A new order on `site` with one line, as tests need them.
    static func new(site: String = "fr", status: Int = 11, lines: Int = 1) -> Self {
        var products: [SpartooSimulator.Product] = []
        for index in 0..<lines {
            products.append(.init(reference: "REF-\(index + 1)", sizeReference: "REF-\(index + 1)-4\(index)",
                                  spartooID: "90000\(index)", name: "Escarpins « Léa » & co", quantity: index + 1))
        }
        return .init(site: site, status: status, products: products, trackingNumber: status == 3 ? "6A000" : "")
    }
}
