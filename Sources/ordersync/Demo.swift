import ChannelSimulator
import Foundation
import OrderSync

/// `ordersync demo`: the three channel simulators on 127.0.0.1 with generated orders (Back Market,
/// Spartoo with two sites, a WooCommerce store), the real daemon against them (auto-accept on the
/// marketplaces), a few shipments with tracking numbers and IMEIs queued as a person would, and a running
/// account on stdout. Stops by itself and leaves nothing behind.
enum Demo {
    static func say(_ text: String) {
        Console.out("==> " + text)
    }

    static func run(args: ParsedArguments) async throws -> ExitCode {
        var seconds = 20.0
        if let text = args.option("seconds") {
            guard let value = Double(text), value >= 3, value <= 3600 else {
                throw UserError(.usage, "demo: --seconds must be a number from 3 to 3600, got \"\(text)\"")
            }
            seconds = value
        }
        let sims = try DemoSimulators()
        defer { sims.stop() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ordersync-demo-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let configPath = try sims.writeConfig(in: dir)

        say("Back Market simulator on \(sims.backMarket.baseURL.absoluteString) with \(sims.backMarket.allOrders().count) orders")
        say("Spartoo simulator, sites fr and es on \(sims.spartoo.hosts.values.sorted().joined(separator: " and ")) with \(sims.spartoo.allOrders().count) orders")
        say("WooCommerce store on \(sims.woo.baseURL.absoluteString) with \(sims.woo.allOrders().count) orders")
        say("state in \(dir)/state; running the daemon for \(Int(seconds)) s (auto-accept on the marketplaces)")
        let daemon = Daemon(options: .init(configPath: configPath, environment: ProcessInfo.processInfo.environment,
                                           logHandler: ConsoleLogHandler(), onStopOverdue: { exit(0) }))
        let daemonTask = Task { await daemon.run() }
        let started = Date()
        var shipped = Set<OrderRef>()
        var newOrdersAdded = false
        var serial = 0
        var merchant = DemoMerchant()
        while Date().timeIntervalSince(started) < seconds {
            try? await Task.sleep(nanoseconds: 1_000_000_000)
            let elapsed = Date().timeIntervalSince(started)
            if !newOrdersAdded, elapsed >= 4 {
                say("new orders arrive: Back Market \(sims.backMarket.makeNewOrder().orderID), "
                    + "Spartoo es \(sims.spartoo.makeNewOrder(site: "es").id), WooCommerce \(sims.woo.makeNewOrder().id) (seen at the next poll)")
                newOrdersAdded = true
            }
            guard elapsed >= 3, shipped.count < 6 || merchant.fulfilled == nil,
                  let cfg = ConfigLoader.parse(path: configPath).0,
                  let store = try? Store(path: Store.path(inStateDir: cfg.stateDir)) else { continue }
            let ops = Operations(config: cfg, store: store)
            merchant.act(store: store, woo: sims.woo, elapsed: elapsed, reserved: &shipped)
            for channel in ["bm-demo", "spartoo-demo", "shop-demo"] {
                let ready = ((try? store.orders(channel: channel, status: .awaitingShipment)) ?? [])
                    .filter { !shipped.contains($0.ref) }.prefix(max(0, 2 - shipped.filter { $0.channel == channel }.count))
                for order in ready {
                    serial += 1
                    let tracking = "6A" + String(42_000_000_000 + serial)
                    var lines: [(id: String, value: String?)] = []
                    for (index, line) in order.lines.enumerated() where line.requiresIMEI && line.quantity == 1 && line.imei == nil {
                        lines.append((line.lineID, IMEI.withCheckDigit(String(format: "35693803%06d", serial * 10 + index))))
                    }
                    do {
                        let message = try ops.ship(order.ref.description,
                                                   ShipmentInput(trackingNumber: tracking, carrierKey: "colissimo", lines: lines))
                        let imeis = lines.compactMap(\.value)
                        say("ship \(order.ref) tracking \(tracking)" + (imeis.isEmpty ? "" : " IMEI \(imeis.joined(separator: ", "))")
                            + ": " + message)
                    } catch {
                        say("ship \(order.ref) refused: \(error)")
                    }
                    shipped.insert(order.ref)
                }
            }
        }
        say("time is up: stopping the daemon")
        daemon.stop()
        let code = await daemonTask.value
        if let cfg = ConfigLoader.parse(path: configPath).0, let store = try? Store(path: Store.path(inStateDir: cfg.stateDir)) {
            for channel in cfg.channels {
                let orders = (try? store.orders(channel: channel.id)) ?? []
                var byStatus: [String: Int] = [:]
                for order in orders { byStatus[order.status.rawValue, default: 0] += 1 }
                let jobs = (try? store.jobs(channel: channel.id)) ?? []
                say("\(channel.id): \(orders.count) orders (" + byStatus.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
                    .joined(separator: ", ") + "); jobs \(jobs.filter { $0.state == .done }.count) done, "
                    + "\(jobs.filter { $0.state == .queued || $0.state == .running }.count) pending, \(jobs.filter { $0.state == .failed }.count) failed")
            }
        }
        say(sims.account())
        merchant.report(woo: sims.woo, backMarket: sims.backMarket)
        return code
    }
}

/// The three simulators the demo runs, and the config that points the daemon at them.
final class DemoSimulators {
    let bmToken = "demo-" + UUID().uuidString
    let partnerID = "0A1B2C3D4E5F6789"
    let wooKey = WooCommerceSimulator.APIKey(consumerKey: "ck_demo_" + UUID().uuidString.prefix(8), consumerSecret: "cs_demo_" + UUID().uuidString.prefix(8))
    let backMarket: BackMarketSimulator
    let spartoo: SpartooSimulator
    let woo: WooCommerceSimulator

    init() throws {
        backMarket = BackMarketSimulator(tokens: [bmToken])
        let bmOrders = backMarket.generateOrders(count: 12, seed: 7)
        spartoo = SpartooSimulator(partnerIDs: [partnerID], sites: ["fr", "es"])
        let spartooOrders = spartoo.generateOrders(count: 8, seed: 7)
        woo = WooCommerceSimulator(keys: [wooKey])
        woo.generateOrders(count: 8, seed: 7)
        // The store sells the same goods: its catalogue holds the marketplaces' SKUs, so mirrors match products.
        var skus: [String: (name: String, price: String)] = [:]
        for line in bmOrders.flatMap(\.lines) { skus[line.listing] = (line.product, line.price) }
        for product in spartooOrders.flatMap(\.products) where !product.sizeReference.isEmpty {
            let cents = product.unitCents
            skus[product.sizeReference] = (product.name, "\(cents / 100).\(String(format: "%02d", cents % 100))")
        }
        for (sku, item) in skus.sorted(by: { $0.key < $1.key }) {
            woo.addProduct(WooCommerceSimulator.Product(name: item.name, sku: sku, price: item.price, stock: 20))
        }
        try backMarket.start()
        try spartoo.start()
        try woo.start()
    }

    func stop() {
        backMarket.stop()
        spartoo.stop()
        woo.stop()
    }

    /// Writes the secrets (0600) and the config; returns the config path.
    func writeConfig(in dir: String) throws -> String {
        func secret(_ name: String, _ value: String) -> String {
            let path = dir + "/" + name
            _ = FileManager.default.createFile(atPath: path, contents: Data(value.utf8), attributes: [.posixPermissions: 0o600])
            return path
        }
        let hosts = spartoo.hosts.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \"\($0.value)\"" }.joined(separator: ", ")
        let config = """
        {
          "state_dir": "\(dir)/state",
          "log": { "level": "info" },
          "poll_interval_seconds": 10,
          "channels": [
            { "id": "bm-demo", "type": "backmarket", "region": "eu", "token_file": "\(secret("bm.token", bmToken))",
              "base_url": "\(backMarket.baseURL.absoluteString)",
              "user_agent": "BM-Demo-ordersync;ops@example.com", "auto_accept": true,
              "imei_required_for": ["*iphone*", "*galaxy*", "*pixel*", "*smartphone*"] },
            { "id": "spartoo-demo", "type": "spartoo", "partner_id_file": "\(secret("spartoo.key", partnerID))",
              "sites": ["fr", "es"], "hosts": { \(hosts) }, "auto_accept": true },
            { "id": "shop-demo", "type": "woocommerce", "base_url": "\(woo.baseURL.absoluteString)",
              "consumer_key_file": "\(secret("woo.key", wooKey.consumerKey))",
              "consumer_secret_file": "\(secret("woo.secret", wooKey.consumerSecret))", "tracking": "note" }
          ],
          "carriers": {
            "colissimo": { "tracking_url": "https://www.laposte.fr/outils/suivre-vos-envois?code={tracking}",
                           "names": { "backmarket": "Colissimo", "woocommerce": "Colissimo" } }
          },
          "shipping_rules": [ { "channel": "*", "shipping_method": "*", "carrier": "colissimo" } ],
          "mirror": { "store": "shop-demo" }
        }
        """
        let path = dir + "/config.json"
        try config.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// What each channel received.
    func account() -> String {
        let bm = backMarket.appliedEffects
        let sp = spartoo.appliedEffects
        let wc = woo.appliedEffects
        return "received: Back Market \(bm.filter { $0.kind == .accept }.count) accept call(s), \(bm.filter { $0.kind == .ship }.count) shipment(s), "
            + "\(bm.filter { $0.kind == .patchLine }.count) IMEI update(s); Spartoo \(sp.filter { $0.kind == .accept }.count) acceptance(s), "
            + "\(sp.filter { $0.kind == .ship }.count) shipment(s); WooCommerce \(wc.filter { $0.kind == .customerNote }.count) customer note(s), "
            + "\(wc.filter { $0.kind == .statusChange }.count) status change(s)"
    }
}
