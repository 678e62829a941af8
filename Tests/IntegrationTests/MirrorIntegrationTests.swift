import ChannelSimulator
import Foundation
import XCTest

/// The store as the fulfilment desk, with the built binary: Back Market orders mirrored into the
/// WooCommerce simulator, fulfilment typed in the store pushed back, cancellations carried over.
final class MirrorIntegrationTests: XCTestCase {
    final class Setup {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ordersync-mirror-\(UUID().uuidString)").path
        let bm = BackMarketSimulator(tokens: ["mirror-bm-token"])
        let woo = WooCommerceSimulator(keys: [WooCommerceSimulator.defaultKey])
        var daemon: Process?
        var runs = 0
        var configPath: String { dir + "/config.json" }

        init() throws {
            try FileManager.default.createDirectory(atPath: dir + "/state", withIntermediateDirectories: true)
            try bm.start()
            try woo.start()
            try """
            {
              "state_dir": "\(dir)/state",
              "log": { "file": "\(dir)/ordersync.log", "level": "info" },
              "poll_interval_seconds": 10,
              "channels": [
                { "id": "bm", "type": "backmarket", "region": "eu", "token": "mirror-bm-token", "base_url": "\(bm.baseURL.absoluteString)",
                  "user_agent": "BM-Acme-ordersync;ops@acme.example", "auto_accept": true, "imei_required_for": ["*iphone*"],
                  "enforce_imei": true },
                { "id": "shop", "type": "woocommerce", "base_url": "\(woo.baseURL.absoluteString)",
                  "consumer_key": "\(WooCommerceSimulator.defaultKey.consumerKey)",
                  "consumer_secret": "\(WooCommerceSimulator.defaultKey.consumerSecret)" }
              ],
              "carriers": {
                "colissimo": { "tracking_url": "https://t.example/?c={tracking}", "names": { "backmarket": "Colissimo", "woocommerce": "Colissimo" } },
                "dhl-express": { "names": { "backmarket": "DHL Express", "woocommerce": "DHL Parcel Pro" } } },
              "shipping_rules": [ { "channel": "*", "shipping_method": "*", "carrier": "colissimo" } ],
              "mirror": { "store": "shop", "from": ["bm"] }
            }
            """.write(toFile: configPath, atomically: true, encoding: .utf8)
            chmod(configPath, 0o600)
        }

        deinit {
            if let daemon, daemon.isRunning { kill(daemon.processIdentifier, SIGKILL); daemon.waitUntilExit() }
            bm.stop(); woo.stop()
            try? FileManager.default.removeItem(atPath: dir)
        }

        var environment: [String: String] {
            var env = ProcessInfo.processInfo.environment
            env["ORDERSYNC_CONFIG"] = nil
            env["NOTIFY_SOCKET"] = nil
            env["ORDERSYNC_HTTP_TIMEOUT"] = "1"
            env["ORDERSYNC_MIN_REQUEST_SPACING"] = "0.01"
            return env
        }

        func start() throws {
            runs += 1
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Harness.binary)
            process.arguments = ["--config", configPath, "run"]
            process.environment = environment
            let out = dir + "/run\(runs).out"
            _ = FileManager.default.createFile(atPath: out, contents: nil)
            process.standardOutput = FileHandle(forWritingAtPath: out)
            process.standardError = FileHandle(forWritingAtPath: out)
            try process.run()
            daemon = process
        }

        func kill9() {
            guard let daemon else { return }
            kill(daemon.processIdentifier, SIGKILL)
            daemon.waitUntilExit()
            self.daemon = nil
        }

        func cli(_ args: [String]) throws -> (code: Int32, out: String, err: String) {
            try runOrdersync(["--config", configPath] + args, environment: environment)
        }

        var log: String { (try? String(contentsOfFile: dir + "/ordersync.log", encoding: .utf8)) ?? "" }

        /// Store orders carrying `ordersync_ref`, by that ref.
        func mirrors() -> [String: [WooCommerceSimulator.Order]] {
            Dictionary(grouping: woo.allOrders().filter { $0.metaData.contains { $0.key == "ordersync_ref" } }) {
                $0.metaData.first { $0.key == "ordersync_ref" }!.value
            }
        }

        func mirrorOf(_ bmID: Int) -> WooCommerceSimulator.Order? { mirrors()["bm:\(bmID)"]?.first }

        func wait(_ what: String, timeout: TimeInterval = 60, file: StaticString = #filePath, line: UInt = #line,
                  _ condition: () -> Bool) {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if condition() { return }
                Thread.sleep(forTimeInterval: 0.2)
            }
            XCTFail("timed out waiting for: \(what)\n\(log.suffix(3000))", file: file, line: line)
        }
    }

    func testKillMinus9DuringMirrorCreationStillLeavesOneStoreOrderPerMarketplaceOrder() throws {
        let setup = try Setup()
        let ids = setup.bm.generateOrders(count: 6, seed: 15).map(\.orderID)
        // Every creation is applied by the store but answered after the daemon's 1 s timeout.
        setup.woo.injectFault(.slow(seconds: 1.5), count: 4, method: "POST", pathPrefix: "/wp-json/wc/v3/orders")
        try setup.start()
        setup.wait("a mirror created in the store while its reply is still pending") { setup.mirrors().count >= 2 }
        setup.kill9()
        try setup.start()
        setup.wait("every accepted order mirrored", timeout: 90) { ids.allSatisfy { setup.mirrorOf($0) != nil } }
        setup.wait("every mirror job done") {
            let jobs = (try? setup.cli(["jobs", "--json"]).out) ?? ""
            return jobs.contains("\"mirror\"") && !jobs.contains("\"queued\"") && !jobs.contains("\"running\"")
        }
        setup.kill9()
        for (ref, copies) in setup.mirrors() { XCTAssertEqual(copies.count, 1, "\(ref) mirrored \(copies.count) times") }
        XCTAssertEqual(setup.mirrors().count, ids.count)
        for id in ids {
            let show = try setup.cli(["show", "bm:\(id)", "--json"])
            XCTAssertTrue(show.out.contains("\"mirror\":\"shop:\(setup.mirrorOf(id)?.id ?? -1)\""), show.out)
        }
    }

    func testNoEmailGoesToAMarketplaceBuyerAndMirrorsAreNotStoreSales() throws {
        let setup = try Setup()
        let ids = (1...3).map { n in
            setup.bm.addOrder(BackMarketSimulator.Order(lines: [.init(listing: "CASE-\(n)", product: "Case \(n)")])).orderID
        }
        try setup.start()
        setup.wait("every accepted order mirrored") { ids.allSatisfy { setup.mirrorOf($0) != nil } }
        let mirrored = Date()
        setup.wait("the store polled after the mirrors were created") {
            let status = (try? setup.cli(["status", "--json"]).out).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) }
            let shop = ((status as? [String: Any])?["channels"] as? [[String: Any]])?.first { $0["id"] as? String == "shop" }
            let last = (shop?["last_poll_success"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) }
            return (last ?? .distantPast) > mirrored
        }
        XCTAssertEqual(setup.woo.emails().filter { $0.recipient != "admin" }.map(\.recipient), [],
                       "WooCommerce e-mailed a marketplace buyer")
        let listed = try setup.cli(["orders", "--channel", "shop", "--json"])
        XCTAssertEqual(listed.out.trimmingCharacters(in: .whitespacesAndNewlines), "", "a mirror listed as a store order")
        setup.kill9()
    }

    func testAPhoneMirrorCompletedWithTrackingButNoIMEIIsNotPushedGetsANoteAndIsPushedOnceAfterAnIMEINote() throws {
        let setup = try Setup()
        let phone = setup.bm.addOrder(BackMarketSimulator.Order(lines: [.init(listing: "IP13-128", product: "iPhone 13 128 Go")]))
        try setup.start()
        setup.wait("the phone order mirrored") { setup.mirrorOf(phone.orderID) != nil }
        let mirror = try XCTUnwrap(setup.mirrorOf(phone.orderID)).id
        _ = setup.woo.addNote(orderID: mirror, "Tracking: Colissimo 6A99988877766")
        setup.woo.setStatus(mirror, "completed")
        setup.wait("a note saying the IMEI is missing") {
            setup.woo.notes(orderID: mirror).contains { !$0.customerNote && $0.note.contains("IMEI missing") }
        }
        XCTAssertEqual(setup.bm.appliedEffects(orderID: phone.orderID, kind: .ship).count, 0, "pushed without its IMEI")
        _ = setup.woo.addNote(orderID: mirror, "IMEI 356938035643809")
        setup.wait("the shipment pushed to Back Market") { !setup.bm.appliedEffects(orderID: phone.orderID, kind: .ship).isEmpty }
        setup.wait("the push recorded on the mirror") {
            setup.woo.notes(orderID: mirror).contains { $0.note.contains("IMEI set on 1 line") }
        }
        XCTAssertEqual(setup.bm.order(phone.orderID)?.lines.first?.imei, "356938035643809")
        XCTAssertEqual(setup.bm.order(phone.orderID)?.trackingNumber, "6A99988877766")
        setup.kill9()
        XCTAssertEqual(setup.bm.appliedEffects(orderID: phone.orderID, kind: .ship).count, 1, "pushed exactly once")
    }

    func testACustomProviderResolvesToTheRightBackMarketShipper() throws {
        let setup = try Setup()
        let order = setup.bm.addOrder(BackMarketSimulator.Order(lines: [.init(listing: "CASE-1", product: "Leather case")]))
        try setup.start()
        setup.wait("the order mirrored") { setup.mirrorOf(order.orderID) != nil }
        let mirror = try XCTUnwrap(setup.mirrorOf(order.orderID)).id
        _ = setup.woo.addNote(orderID: mirror, "Tracking: DHL Parcel Pro JD014600006281")
        setup.woo.setStatus(mirror, "completed")
        setup.wait("the shipment pushed to Back Market") { !setup.bm.appliedEffects(orderID: order.orderID, kind: .ship).isEmpty }
        XCTAssertEqual(setup.bm.order(order.orderID)?.shipper, "DHL Express")
        setup.kill9()
    }

    func testAMarketplaceCancellationCancelsTheMirror() throws {
        let setup = try Setup()
        let order = setup.bm.addOrder(BackMarketSimulator.Order(lines: [.init(listing: "CASE-2", product: "Silicone case")]))
        try setup.start()
        setup.wait("the order mirrored") { setup.mirrorOf(order.orderID) != nil }
        let mirror = try XCTUnwrap(setup.mirrorOf(order.orderID)).id
        setup.bm.setLineState(orderID: order.orderID, to: 4)
        setup.wait("the mirror cancelled", timeout: 90) { setup.woo.order(mirror)?.status == "cancelled" }
        XCTAssertTrue(setup.woo.notes(orderID: mirror).contains { !$0.customerNote && $0.note.contains("cancelled on the marketplace") })
        setup.kill9()
    }

    func testTheMirrorCommandExitsZeroForAMirrorableOrderAnd65SayingWhyOtherwise() throws {
        let setup = try Setup()
        let order = setup.bm.addOrder(BackMarketSimulator.Order(lines: [.init(listing: "CASE-3", product: "Case")]))
        try setup.start()
        setup.wait("the order mirrored") { setup.mirrorOf(order.orderID) != nil }
        setup.kill9()
        let again = try setup.cli(["mirror", "bm:\(order.orderID)"])
        XCTAssertEqual(again.code, 0, again.err)
        XCTAssertTrue(again.out.contains("already mirrored as shop:"), again.out)
        let unknown = try setup.cli(["mirror", "bm:1"])
        XCTAssertEqual(unknown.code, 65)
        XCTAssertTrue(unknown.err.contains("unknown order"), unknown.err)
        let store = try setup.cli(["mirror", "shop:1"])
        XCTAssertEqual(store.code, 65)
        XCTAssertTrue(store.err.contains("not mirrored"), store.err)
        let jobs = try setup.cli(["jobs"])
        XCTAssertTrue(jobs.out.contains("mirror"), "jobs lists mirror jobs:\n\(jobs.out)")
    }
}
