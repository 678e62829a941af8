import ChannelSimulator
import Foundation
@testable import OrderSync
@testable import Connectors
import XCTest

/// One Back Market connector wired as the daemon wires it (ChannelHTTP → BackMarketChannel → Ingest →
/// Poller / Pusher), talking over real sockets to a `BackMarketSimulator` on 127.0.0.1, with a fresh
/// temporary SQLite store. Timeouts and pauses are short so fault tests stay quick.
final class BackMarketHarness: @unchecked Sendable {
    static let channelID = "bm-eu"
    /// Sent verbatim after `Basic ` (Back Market tokens look like base64 of `id:BMT-…`).
    static let token = "aWQ6Qk1ULTAxMjM0NTY3ODlhYmNkZWY="
    static let userAgent = "BM-Acme-ordersync;ops@example.com"
    static let acceptLanguage = "fr-fr"

    let simulator: BackMarketSimulator
    let directory: URL
    let store: Store
    let logs = InMemoryLogHandler()
    let logger: Logger
    let channel: BackMarketChannel
    let ingest: Ingest
    let poller: Poller
    let pusher: Pusher

    /// - Parameters:
    ///   - configure: simulator settings (rate limit kept generous unless a test lowers it).
    ///   - baseURL: another server's base URL (the custom-handler tests); default the simulator's.
    init(configure: (inout BackMarketSimulator.Configuration) -> Void = { _ in }, attempts: Int = 3,
         timeout: TimeInterval = 2, rateLimitPause: TimeInterval = 1, resweepDays: Int = 60, baseURL: URL? = nil,
         autoAccept: Bool = false) throws {
        var configuration = BackMarketSimulator.Configuration()
        configuration.rateWindow = 1
        configuration.blockSeconds = 1
        configure(&configuration)
        simulator = BackMarketSimulator(tokens: [Self.token], configuration: configuration)
        try simulator.start()
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ordersync-conn-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try Store(path: directory.appendingPathComponent("ordersync.sqlite3").path)
        logger = Logger(level: .debug, handler: logs)
        let http = ChannelHTTP(transport: URLSessionTransport(), minimumSpacing: 0, timeout: timeout, attempts: attempts,
                               rateLimitPause: rateLimitPause, logger: logger)
        channel = BackMarketChannel(id: Self.channelID, baseURL: baseURL ?? simulator.baseURL, token: Secret(Self.token),
                                    userAgent: Self.userAgent, acceptLanguage: Self.acceptLanguage,
                                    imeiPatterns: ["*iPhone*", "*Galaxy*", "*Pixel*"], acceptWithinHours: 24,
                                    resweepDays: resweepDays, http: http, logger: logger)
        ingest = Ingest(store: store, channelID: Self.channelID, autoAccept: autoAccept,
                        rules: [ShippingRule(carrier: "colissimo")], logger: logger)
        poller = Poller(connector: channel, ingest: ingest, interval: 30, logger: logger, onCycle: {})
        pusher = Pusher(connector: channel, ingest: ingest, logger: logger, tick: 0.05, deadLetterAfter: 3600,
                        backoff: Backoff(base: 5, cap: 60))
    }

    /// Stops the simulator and deletes the temporary database.
    func close() {
        simulator.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: orders and jobs

    func ref(_ orderID: Int) -> OrderRef { OrderRef(channel: Self.channelID, externalID: String(orderID)) }

    func stored(_ orderID: Int) throws -> Order? { try store.order(ref(orderID))?.order }

    /// Adds an order to the simulator and stores it locally as a poll would, then clears the journal so
    /// the test sees only its own requests.
    @discardableResult
    func seed(_ template: BackMarketSimulator.Order) async throws -> BackMarketSimulator.Order {
        let order = simulator.addOrder(template)
        let fetched = try await channel.fetchOrder(externalID: String(order.orderID))
        let unwrapped = try XCTUnwrap(fetched, "seeded order not readable")
        _ = try store.upsert(unwrapped.order, raw: unwrapped.raw)
        simulator.clearJournal()
        return order
    }

    /// Queues a job and returns its id.
    func enqueue(_ orderID: Int, _ kind: JobKind, dedupeKey: String? = nil, payload: JobPayload = JobPayload()) throws -> Int64 {
        let outcome = try store.enqueue(ref(orderID), kind: kind, dedupeKey: dedupeKey ?? kind.rawValue, payload: payload)
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

    /// A ship job payload: Colissimo with its tracking URL, a fixed ship date.
    static func shipment(tracking: String = "6A 1234 5678 901", lines: [ShipLine] = [], carrierName: String = "Colissimo")
        -> JobPayload {
        let compact = tracking.filter { !$0.isWhitespace }
        return JobPayload(shipment: ShipmentRequest(
            carrierKey: "colissimo", carrierName: carrierName, trackingNumber: tracking,
            trackingURL: "https://www.laposte.fr/outils/suivre-vos-envois?code=\(compact)",
            shippedAt: shipDate, lines: lines, wholeOrder: true))
    }

    static let shipDate = Timestamp.parse("2026-03-11T14:00:00Z")!

    // MARK: journal

    /// Requests to `/ws/orders` lists (not single orders).
    func listRequests() -> [BackMarketSimulator.JournalEntry] {
        simulator.requests(method: "GET").filter { $0.path == "/ws/orders" }
    }

    func posts(_ orderID: Int) -> [BackMarketSimulator.JournalEntry] {
        simulator.requests(method: "POST", pathPrefix: "/ws/orders/\(orderID)")
    }

    func patches() -> [BackMarketSimulator.JournalEntry] {
        simulator.requests(method: "PATCH", pathPrefix: "/ws/orderlines/")
    }

    /// The cursor as saved, decoded (`modified`, `lastResweep`).
    func savedCursor() throws -> (modified: Date?, lastResweep: Date?)? {
        guard let text = try store.cursor(channel: Self.channelID) else { return nil }
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        return ((object["modified"] as? String).flatMap { Timestamp.parse($0) },
                (object["lastResweep"] as? String).flatMap { Timestamp.parse($0) })
    }

    func count(_ sql: String) throws -> Int {
        try store.db.query(sql).first?.int("n") ?? -1
    }
}

/// A JSON body field, typed, so tests can compare whole request bodies exactly.
enum Field: Equatable, CustomStringConvertible {
    case number(Int)
    case string(String)

    var description: String {
        switch self {
        case .number(let n): "\(n)"
        case .string(let s): "\"\(s)\""
        }
    }
}

extension BackMarketSimulator.JournalEntry {
    /// The JSON object body as typed fields; nil when the body is not an object of strings and integers.
    var fields: [String: Field]? {
        guard let object = jsonBody else { return nil }
        var result: [String: Field] = [:]
        for (key, value) in object {
            if let text = value as? String {
                result[key] = .string(text)
            } else if let number = value as? NSNumber {
                result[key] = .number(number.intValue)
            } else {
                return nil
            }
        }
        return result
    }
}

/// A 15-digit IMEI with a valid Luhn check digit, from 14 digits.
func luhnIMEI(_ body: String) -> String {
    let digits = body.compactMap(\.wholeNumberValue)
    precondition(digits.count == 14)
    var sum = 0
    for (offset, digit) in digits.enumerated() {
        let value = offset % 2 == 1 ? digit * 2 : digit
        sum += value > 9 ? value - 9 : value
    }
    return body + String((10 - sum % 10) % 10)
}

/// Waits for `condition` (checked every 20 ms) instead of sleeping a fixed time.
func waitFor(_ what: String, timeout: TimeInterval = 10, _ condition: () throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while try !condition() {
        if Date() > deadline {
            XCTFail("timed out waiting for \(what)")
            return
        }
        try await Task.sleep(nanoseconds: 20_000_000)
    }
}

/// A base class that builds a fresh harness per test and tears it down.
class BackMarketTestCase: XCTestCase, @unchecked Sendable {
    private var harnesses: [BackMarketHarness] = []

    func makeHarness(configure: (inout BackMarketSimulator.Configuration) -> Void = { _ in }, attempts: Int = 3,
                     timeout: TimeInterval = 2, rateLimitPause: TimeInterval = 1, baseURL: URL? = nil,
                     autoAccept: Bool = false) throws -> BackMarketHarness {
        let harness = try BackMarketHarness(configure: configure, attempts: attempts, timeout: timeout,
                                            rateLimitPause: rateLimitPause, baseURL: baseURL, autoAccept: autoAccept)
        harnesses.append(harness)
        return harness
    }

    override func tearDown() {
        harnesses.forEach { $0.close() }
        harnesses.removeAll()
        super.tearDown()
    }
}

/// Simulator line/order templates.
extension BackMarketSimulator.OrderLine {
    static func phone(state: Int, listing: String = "SKU-IP12-64", imei: String = "") -> Self {
        .init(state: state, listing: listing, product: "iPhone 12 64 GB", brand: "Apple", quantity: 1, price: "299.00", imei: imei)
    }

    static func laptop(state: Int, listing: String = "SKU-MBA-M1-256", quantity: Int = 1) -> Self {
        .init(state: state, listing: listing, product: "MacBook Air 13\" M1 256 GB", brand: "Apple", quantity: quantity,
              price: "749.00", condition: 10)
    }
}
