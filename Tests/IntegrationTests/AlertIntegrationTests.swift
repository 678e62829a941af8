import ChannelSimulator
import Foundation
import XCTest

/// Alerts from the built binary: a fake alert command appends its stdin to a file; a loopback listener
/// plays the webhook.
final class AlertIntegrationTests: XCTestCase {
    /// A shell script that appends each alert it reads to `file`.
    static func appendingCommand(in dir: String, to file: String) throws -> String {
        let script = dir + "/alert.sh"
        try "#!/bin/sh\ncat >> '\(file)'\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        return script
    }

    static func alertLines(_ path: String) -> [[String: String]] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String]
        }
    }

    func consecutiveErrors(_ h: Harness, channel: String) -> Int {
        guard let out = try? h.cli(["status", "--json"]).out,
              let status = try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any],
              let channels = status["channels"] as? [[String: Any]] else { return 0 }
        return channels.first { $0["id"] as? String == channel }?["consecutive_errors"] as? Int ?? 0
    }

    func testAWrongTokenAlertsUnauthorizedOnceAndACorrectedSecretWithSIGHUPAlertsRecovered() throws {
        let h = try Harness(pollInterval: 10)
        let alerts = h.dir + "/alerts.jsonl"
        h.extraConfigJSON = "\n  \"alerts\": { \"command\": [\"\(try Self.appendingCommand(in: h.dir, to: alerts))\"] },"
        try h.writeConfig(autoAccept: true, pollInterval: 10)
        h.simulator.setTokens(["rotated-token"])  // the configured token is refused: 401
        try h.start()
        h.wait("channel_unauthorized alerted") { Self.alertLines(alerts).count >= 1 }
        // A restart while the token is still wrong: the condition is remembered, no second alert.
        XCTAssertEqual(h.stop()?.status, 0)
        try h.start()
        h.wait("a second 401 after the restart") { consecutiveErrors(h, channel: "bm-eu") >= 2 }

        try "rotated-token".write(toFile: h.dir + "/bm.token", atomically: true, encoding: .utf8)
        kill(h.daemon!.processIdentifier, SIGHUP)
        h.wait("channel_recovered alerted") { Self.alertLines(alerts).contains { $0["event"] == "channel_recovered" } }
        let lines = Self.alertLines(alerts)
        XCTAssertEqual(lines.map { $0["event"] }, ["channel_unauthorized", "channel_recovered"])
        XCTAssertEqual(lines.map { $0["channel"] }, ["bm-eu", "bm-eu"])
        XCTAssertEqual(lines.map { $0["level"] }, ["error", "info"])
        for line in lines {
            XCTAssertNotNil(line["ts"].flatMap(ISO8601DateFormatter().date(from:)), "ts is an ISO 8601 UTC time")
            XCTAssertNil(line["order_ref"], "absent fields are omitted")
        }
        let text = try String(contentsOfFile: alerts, encoding: .utf8)
        XCTAssertFalse(text.contains(h.token) || text.contains("rotated-token"), "a secret in an alert: \(text)")
        XCTAssertEqual(h.stop()?.status, 0)
    }

    func testAHangingAlertCommandDoesNotDelayAPush() throws {
        // Back Market refuses the shipper name "DHL Express" here: shipping with dhl becomes a dead letter.
        let h = try Harness(pollInterval: 10) { $0.updateConfiguration { $0.knownShippers = ["Colissimo"] } }
        let started = h.dir + "/alert-started"
        let script = h.dir + "/hang.sh"
        try "#!/bin/sh\necho $$ > '\(started)'\nexec sleep 120\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        h.extraConfigJSON = "\n  \"alerts\": { \"command\": [\"\(script)\"] },"
        try h.writeConfig(autoAccept: true, pollInterval: 10)
        let first = h.simulator.addOrder(BackMarketSimulator.Order(lines: [.init(listing: "SKU-IP12-64", product: "iPhone 12 64 GB")]))
        let second = h.simulator.addOrder(BackMarketSimulator.Order(lines: [.init(listing: "SKU-IP12-64", product: "iPhone 12 64 GB")]))
        try h.start()
        for order in [first, second] {
            h.wait("accepted") { (try? h.order("bm-eu:\(order.orderID)"))?["status"] as? String == "awaiting_shipment" }
        }
        XCTAssertEqual(try h.cli(["ship", "bm-eu:\(first.orderID)", "--tracking", "HANG-1", "--carrier", "dhl",
                                  "--imei", Harness.imei("35693803564380")]).code, 0)
        h.wait("the job_failed alert command hangs") { ((try? String(contentsOfFile: started, encoding: .utf8)) ?? "").hasSuffix("\n") }
        let hanging = Int32((try String(contentsOfFile: started, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        defer { if hanging > 0 { kill(hanging, SIGKILL) } }

        // The same channel's pusher, which raised the alert, pushes the next shipment while the command hangs.
        XCTAssertEqual(try h.cli(["ship", "bm-eu:\(second.orderID)", "--tracking", "HANG-2",
                                  "--imei", Harness.imei("35693803564381")]).code, 0)
        h.wait("second shipment pushed") { h.shipEffects(second.orderID) == 1 }
        // Delivery gives up only after three attempts of 10 s each: the push did not wait for it.
        XCTAssertFalse(h.log.contains("alert not delivered"), "the push waited for the alert command")
        XCTAssertEqual(h.stop()?.status, 0)
    }

    func testTheWebhookReceivesTheSameJSONAsTheCommandAndItsURLIsNeverLogged() throws {
        let h = try Harness(pollInterval: 10)
        let received = Received()
        let listener = HTTPServer { request in
            received.add(request)
            return HTTPResponse(status: 204, headers: [], body: Data())
        }
        try listener.start()
        defer { listener.stop() }
        let hookSecret = "S3CRET-hook-" + UUID().uuidString.prefix(8)
        let url = "http://127.0.0.1:\(listener.port)/alerts/\(hookSecret)"
        let alerts = h.dir + "/alerts.jsonl"
        h.extraConfigJSON = "\n  \"alerts\": { \"command\": [\"\(try Self.appendingCommand(in: h.dir, to: alerts))\"], "
            + "\"webhook_url_env\": \"ORDERSYNC_TEST_HOOK\" },"
        try h.writeConfig(autoAccept: true, pollInterval: 10)
        h.simulator.setTokens(["rotated-token"])
        try h.start(extraEnvironment: ["ORDERSYNC_TEST_HOOK": url])
        h.wait("both targets reached") { !received.requests.isEmpty && !Self.alertLines(alerts).isEmpty }
        let request = try XCTUnwrap(received.requests.first)
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.path, "/alerts/\(hookSecret)")
        XCTAssertEqual(request.header("Content-Type"), "application/json")
        let commandLine = try String(contentsOfFile: alerts, encoding: .utf8).split(separator: "\n").first.map(String.init)
        XCTAssertEqual(String(decoding: request.body, as: UTF8.self), commandLine, "the same JSON on both")
        XCTAssertEqual(h.stop()?.status, 0)
        let status = (try? h.cli(["status", "--json"]).out) ?? ""
        for (name, text) in [("log", h.log), ("run output", h.runOutput(1)), ("status", status), ("alert", commandLine ?? "")] {
            XCTAssertFalse(text.contains(hookSecret), "the webhook URL appears in the \(name)")
        }
    }
}

/// Requests a loopback listener received.
final class Received: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [HTTPRequest] = []
    func add(_ request: HTTPRequest) { lock.withLock { stored.append(request) } }
    var requests: [HTTPRequest] { lock.withLock { stored } }
}
