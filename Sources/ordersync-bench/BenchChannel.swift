import ChannelSimulator
import Foundation

/// One marketplace as the benchmark drives it: its simulator behind a `TimedFront`, the channel's entry in
/// the daemon's config, and the few hooks the scenarios need. A new channel type is one conforming class
/// plus a line in `BenchChannels.make`. Simulators run with rate limits and quotas off (the benchmark
/// measures ordersync, not a channel's pacing) and a short journal (the front keeps the request log).
protocol BenchChannel: AnyObject, Sendable {
    /// The channel id in the daemon's config.
    var id: String { get }
    /// The channel type (`backmarket`, `spartoo`, `woocommerce`).
    var type: String { get }
    var front: TimedFront { get }
    /// Adds `count` generated orders.
    func generate(count: Int, seed: UInt64)
    /// Adds one order that the next poll must import: its external id in the database, and a byte string
    /// found in any reply that lists it.
    func newOrder() -> NewOrder
    /// The channel's config object; secrets are written as files under `dir`.
    func configJSON(dir: String) throws -> String
    /// Whether `request` is the push (the first write) of a shipment for `externalID`.
    func isPush(_ request: HTTPRequest, externalID: String) -> Bool
}

struct NewOrder: Sendable {
    var externalID: String
    var marker: Data
}

extension BenchChannel {
    func stop() { front.stop() }

    func writeSecret(_ value: String, dir: String, name: String) throws -> String {
        let path = dir + "/" + name
        guard FileManager.default.createFile(atPath: path, contents: Data(value.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw BenchError("cannot write \(path)")
        }
        return path
    }
}

enum BenchChannels {
    /// Channel types with a simulator in this build, in the order they are set up.
    static let available = ["backmarket", "spartoo", "woocommerce"]
    /// The channel id each type gets in the daemon's config.
    static let ids = ["backmarket": "bm-eu", "spartoo": "spartoo-fr", "woocommerce": "shop"]

    static func make(_ type: String) throws -> any BenchChannel {
        switch type {
        case "backmarket": try BackMarketBench()
        case "spartoo": try SpartooBench()
        case "woocommerce": try WooCommerceBench()
        default: throw BenchError("no simulator for channel type \(type) (available: \(available.joined(separator: ", ")))")
        }
    }

    /// Fresh simulators holding `total` generated orders spread evenly over them.
    static func setUp(_ types: [String], orders total: Int, seed: UInt64 = 7) throws -> [any BenchChannel] {
        let channels = try types.map { try make($0) }
        for (index, channel) in channels.enumerated() {
            let share = total / channels.count + (index < total % channels.count ? 1 : 0)
            channel.generate(count: share, seed: seed + UInt64(index))
        }
        return channels
    }
}

/// Back Market (`/ws/orders`, JSON, `page-size=50`).
final class BackMarketBench: BenchChannel {
    let id = BenchChannels.ids["backmarket"]!
    let type = "backmarket"
    let simulator: BackMarketSimulator
    let front: TimedFront
    private static let token = "bench-bm-token"

    init() throws {
        var configuration = BackMarketSimulator.Configuration()
        configuration.rateLimit = nil
        configuration.journalLimit = 1000
        let simulator = BackMarketSimulator(tokens: [Self.token], configuration: configuration)
        self.simulator = simulator
        front = try TimedFront { simulator.handle($0) }
    }

    func generate(count: Int, seed: UInt64) {
        // Dated 11 minutes back: buyers "still paying" (state 10) complete 1–10 minutes after the base time,
        // so no order changes by itself while a scenario runs ("nothing new" must stay true).
        _ = simulator.generateOrders(count: count, seed: seed, now: Date().addingTimeInterval(-660))
    }

    func newOrder() -> NewOrder {
        let order = simulator.makeNewOrder()
        // Sorted keys: `"order_id":N,"orderlines"…`; the comma keeps 4001 from matching 40012.
        return NewOrder(externalID: String(order.orderID), marker: Data("\"order_id\":\(order.orderID),".utf8))
    }

    func configJSON(dir: String) throws -> String {
        let token = try writeSecret(Self.token, dir: dir, name: "bm.token")
        return """
            { "id": "\(id)", "type": "backmarket", "region": "eu", "token_file": "\(token)",
              "base_url": "\(front.baseURL.absoluteString)", "user_agent": "BM-Bench-ordersync;bench@example.com",
              "auto_accept": false, "enforce_imei": false }
            """
    }

    func isPush(_ request: HTTPRequest, externalID: String) -> Bool {
        request.method == "POST" && request.path == "/ws/orders/\(externalID)"
    }
}

/// Spartoo (`/mp/xml_export_orders.php`, XML, one site: the whole date window in one reply).
final class SpartooBench: BenchChannel {
    let id = BenchChannels.ids["spartoo"]!
    let type = "spartoo"
    let simulator: SpartooSimulator
    let front: TimedFront
    private static let partner = "0A1B2C3D4E5F6789"

    init() throws {
        var configuration = SpartooSimulator.Configuration()
        configuration.hourlyQuota = nil
        configuration.journalLimit = 1000
        let simulator = SpartooSimulator(partnerIDs: [Self.partner], sites: ["fr"], configuration: configuration)
        self.simulator = simulator
        front = try TimedFront { simulator.handle($0, site: "fr") }
    }

    func generate(count: Int, seed: UInt64) { _ = simulator.generateOrders(count: count, seed: seed) }

    func newOrder() -> NewOrder {
        let order = simulator.makeNewOrder(site: "fr")
        // Ids are 16 random hex digits: unique in any reply, with or without CDATA.
        return NewOrder(externalID: order.id, marker: Data(order.id.utf8))
    }

    func configJSON(dir: String) throws -> String {
        let partner = try writeSecret(Self.partner, dir: dir, name: "spartoo.partner")
        return """
            { "id": "\(id)", "type": "spartoo", "partner_id_file": "\(partner)", "sites": ["fr"],
              "hosts": { "fr": "\(front.baseURL.absoluteString)" }, "auto_accept": false }
            """
    }

    func isPush(_ request: HTTPRequest, externalID: String) -> Bool {
        guard request.path.hasSuffix("/xml_maj_orders.php") else { return false }
        let body = HTTPRequest.parseQuery(String(decoding: request.body, as: UTF8.self))
        return (request.queryItems + body).contains { $0.name == "oID" && $0.value == externalID }
    }
}

/// WooCommerce (`/wp-json/wc/v3/orders`, JSON, `per_page=100`).
final class WooCommerceBench: BenchChannel {
    let id = BenchChannels.ids["woocommerce"]!
    let type = "woocommerce"
    let simulator: WooCommerceSimulator
    let front: TimedFront

    init() throws {
        var configuration = WooCommerceSimulator.Configuration()
        configuration.journalLimit = 1000
        let simulator = WooCommerceSimulator(configuration: configuration)
        self.simulator = simulator
        front = try TimedFront { simulator.handle($0) }
    }

    func generate(count: Int, seed: UInt64) { _ = simulator.generateOrders(count: count, seed: seed) }

    func newOrder() -> NewOrder {
        let order = simulator.makeNewOrder()
        return NewOrder(externalID: String(order.id), marker: Data("\"wc_order_sim\(order.id)\"".utf8))
    }

    func configJSON(dir: String) throws -> String {
        let key = try writeSecret(WooCommerceSimulator.defaultKey.consumerKey, dir: dir, name: "woo.key")
        let secret = try writeSecret(WooCommerceSimulator.defaultKey.consumerSecret, dir: dir, name: "woo.secret")
        return """
            { "id": "\(id)", "type": "woocommerce", "base_url": "\(front.baseURL.absoluteString)",
              "consumer_key_file": "\(key)", "consumer_secret_file": "\(secret)", "auth": "basic" }
            """
    }

    func isPush(_ request: HTTPRequest, externalID: String) -> Bool {
        let path = "/wp-json/wc/v3/orders/\(externalID)"
        return request.method != "GET" && (request.path == path || request.path.hasPrefix(path + "/"))
    }
}
