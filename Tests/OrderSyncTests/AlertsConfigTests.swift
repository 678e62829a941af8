import Foundation
import XCTest

@testable import OrderSync

/// `alerts` and `metrics_file` in the config: defaults, the webhook read as a secret, problems at their paths.
final class AlertsConfigTests: XCTestCase {
    func testAlertsDecodeWithTheirDefaults() throws {
        let config = try XCTUnwrap(ConfigFixture.parse(ConfigFixture.document(channels: [ConfigFixture.backMarket], [
            "alerts": ["command": ["/usr/local/bin/ordersync-alert-mail", "ops@example.com"], "webhook_url_env": "HOOK"],
            "metrics_file": "/var/lib/prometheus/node-exporter/ordersync.prom",
        ])))
        XCTAssertEqual(config.alerts, AlertsConfig(command: ["/usr/local/bin/ordersync-alert-mail", "ops@example.com"],
                                                   webhook: .environment("HOOK"), repeatHours: 6))
        XCTAssertEqual(config.metricsFile, "/var/lib/prometheus/node-exporter/ordersync.prom")
        XCTAssertNil(try XCTUnwrap(ConfigFixture.parse(ConfigFixture.document(channels: [ConfigFixture.backMarket]))).alerts)
    }

    func testTheWebhookIsReadLikeASecretAndCheckedWithoutEchoingIt() throws {
        let directory = try ConfigTempDirectory()
        let document = ConfigFixture.document(channels: [ConfigFixture.backMarket], ["alerts": ["webhook_url_env": "HOOK"]])
        let path = try directory.write("config.json", String(decoding: ConfigFixture.data(document), as: UTF8.self), permissions: 0o600)
        let loaded = try ConfigLoader.loadWithSecrets(path: path, environment: ["HOOK": "https://ntfy.sh/S3CRET-topic"])
        XCTAssertEqual(loaded.alertWebhook?.reveal(), "https://ntfy.sh/S3CRET-topic")

        let check = ConfigLoader.check(path: path, environment: ["HOOK": "S3CRET-not-a-url"])
        XCTAssertEqual(check.problems.map(\.description),
                       ["config: alerts.webhook_url_env: environment variable \"HOOK\" does not hold an http or https URL with a host"])
        XCTAssertNil(check.config)
        let unset = ConfigLoader.check(path: path, environment: [:])
        XCTAssertEqual(unset.problems.map(\.path), ["alerts.webhook_url_env"])
    }

    func testAnInlineWebhookCountsAsAnInlineSecret() throws {
        let config = try XCTUnwrap(ConfigFixture.parse(ConfigFixture.document(channels: [ConfigFixture.backMarket], [
            "alerts": ["webhook_url": "https://ntfy.sh/topic"],
        ])))
        XCTAssertEqual(config.inlineSecretPaths.last, "alerts.webhook_url")
    }

    func testRepeatHoursOutsideItsRangeIsAProblem() {
        XCTAssertEqual(ConfigFixture.problems(ConfigFixture.document(channels: [ConfigFixture.backMarket], [
            "alerts": ["command": ["/bin/true"], "repeat_hours": 169],
        ])), ["config: alerts.repeat_hours: must be between 1 and 168 (got 169)"])
    }
}
