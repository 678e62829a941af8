import ChannelSimulator
import Foundation
import OrderSync

/// `ordersync demo`: a Back Market simulator on 127.0.0.1 with generated orders, the real daemon
/// against it (auto-accept on), a few shipments with tracking numbers and IMEIs queued as a person
/// would, and a running account on stdout. Stops by itself and leaves nothing behind.
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
        let token = "demo-" + UUID().uuidString
        let simulator = BackMarketSimulator(tokens: [token])
        simulator.generateOrders(count: 12, seed: 7)
        try simulator.start()
        defer { simulator.stop() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ordersync-demo-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let tokenFile = dir + "/bm.token"
        _ = FileManager.default.createFile(atPath: tokenFile, contents: Data(token.utf8), attributes: [.posixPermissions: 0o600])
        let configPath = dir + "/config.json"
        let config = """
        {
          "state_dir": "\(dir)/state",
          "log": { "level": "info" },
          "poll_interval_seconds": 10,
          "channels": [
            { "id": "bm-demo", "type": "backmarket", "region": "eu", "token_file": "\(tokenFile)",
              "base_url": "\(simulator.baseURL.absoluteString)",
              "user_agent": "BM-Demo-ordersync;ops@example.com", "auto_accept": true }
          ],
          "carriers": {
            "colissimo": { "tracking_url": "https://www.laposte.fr/outils/suivre-vos-envois?code={tracking}",
                           "names": { "backmarket": "Colissimo" } }
          },
          "shipping_rules": [ { "channel": "*", "shipping_method": "*", "carrier": "colissimo" } ]
        }
        """
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)

        say("Back Market simulator on \(simulator.baseURL.absoluteString) with \(simulator.allOrders().count) generated orders")
        say("state in \(dir)/state; running the daemon for \(Int(seconds)) s (auto-accept on)")
        let daemon = Daemon(options: .init(configPath: configPath, environment: ProcessInfo.processInfo.environment,
                                           logHandler: ConsoleLogHandler()))
        let daemonTask = Task { await daemon.run() }
        let started = Date()
        var shipped = Set<OrderRef>()
        var newOrderAdded = false
        var serial = 0
        while Date().timeIntervalSince(started) < seconds {
            try? await Task.sleep(nanoseconds: 1_000_000_000)
            let elapsed = Date().timeIntervalSince(started)
            if !newOrderAdded, elapsed >= 4 {
                let order = simulator.makeNewOrder()
                say("a buyer places order \(order.orderID) on Back Market (seen at the next poll)")
                newOrderAdded = true
            }
            guard elapsed >= 3, shipped.count < 3,
                  let cfg = ConfigLoader.parse(path: configPath).0,
                  let store = try? Store(path: Store.path(inStateDir: cfg.stateDir)) else { continue }
            let ops = Operations(config: cfg, store: store)
            for order in (try? store.orders(status: .awaitingShipment)) ?? [] where !shipped.contains(order.ref) && shipped.count < 3 {
                serial += 1
                let tracking = "6A" + String(42_000_000_000 + serial)
                var lines: [(id: String, value: String?)] = []
                for (index, line) in order.lines.enumerated() where line.requiresIMEI && line.quantity == 1 && line.imei == nil {
                    lines.append((line.lineID, IMEI.withCheckDigit(String(format: "35693803%06d", serial * 10 + index))))
                }
                do {
                    let message = try ops.ship(order.ref.description, ShipmentInput(trackingNumber: tracking, lines: lines))
                    let imeis = lines.compactMap(\.value)
                    say("ship \(order.ref) tracking \(tracking)" + (imeis.isEmpty ? "" : " IMEI \(imeis.joined(separator: ", ")))")
                        + ": " + message)
                } catch {
                    say("ship \(order.ref) refused: \(error)")
                }
                shipped.insert(order.ref)
            }
        }
        say("time is up: stopping the daemon")
        daemon.stop()
        let code = await daemonTask.value
        // The account: what the daemon stored and what Back Market received.
        if let cfg = ConfigLoader.parse(path: configPath).0,
           let store = try? Store(path: Store.path(inStateDir: cfg.stateDir)) {
            let orders = (try? store.orders()) ?? []
            var byStatus: [String: Int] = [:]
            for order in orders { byStatus[order.status.rawValue, default: 0] += 1 }
            say("database: \(orders.count) orders (" + byStatus.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
                .joined(separator: ", ") + ")")
            let jobs = (try? store.jobs()) ?? []
            say("jobs: \(jobs.filter { $0.state == .done }.count) done, \(jobs.filter { $0.state == .queued }.count) queued, "
                + "\(jobs.filter { $0.state == .failed }.count) failed")
        }
        let effects = simulator.journal.count
        let accepted = simulator.allOrders().flatMap { simulator.appliedEffects(orderID: $0.orderID, kind: .accept) }.count
        let ships = simulator.allOrders().flatMap { simulator.appliedEffects(orderID: $0.orderID, kind: .ship) }.count
        let patches = simulator.allOrders().flatMap { simulator.appliedEffects(orderID: $0.orderID, kind: .patchLine) }.count
        say("Back Market received \(effects) requests: \(accepted) accept call(s), \(ships) shipment(s), \(patches) IMEI/serial update(s)")
        return code
    }
}
