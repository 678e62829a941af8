import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// Decoding, defaults, helpers, secrets and the loader. Rule-by-rule messages are in ConfigValidationTests.
final class ConfigTests: XCTestCase {
    // MARK: Example files

    /// `Config/` at the package root, found from this file's location.
    static let examplesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Config")

    func testEveryExampleConfigParsesWithoutProblemsOrWarnings() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.examplesDirectory.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertTrue(files.contains("example.json"))
        XCTAssertTrue(files.contains("backmarket-minimal.json"))
        for file in files {
            let url = Self.examplesDirectory.appendingPathComponent(file)
            let (config, problems) = ConfigLoader.parse(data: try Data(contentsOf: url), sourcePath: url.path)
            XCTAssertEqual(problems.map(\.description), [], file)
            XCTAssertEqual(config?.warnings().map(\.description), [], file)
        }
    }

    func testExampleConfigContents() throws {
        let data = try Data(contentsOf: Self.examplesDirectory.appendingPathComponent("example.json"))
        let config = try XCTUnwrap(ConfigLoader.parse(data: data).0)
        XCTAssertEqual(config.channels.map(\.id), ["spartoo-fr", "bm-eu", "shop"])
        XCTAssertEqual(config.channels.map(\.type), [.spartoo, .backmarket, .woocommerce])
        XCTAssertEqual(config.carrierOrder, ["colissimo", "chronopost", "dhl-express"])
        XCTAssertEqual(config.channel(id: "bm-eu")?.pollIntervalSeconds, 120)
        XCTAssertEqual(config.channel(id: "shop")?.pollIntervalSeconds, 300)
        XCTAssertEqual(config.carrierKey(channelID: "bm-eu", shippingMethod: "DHL Express 24h"), "dhl-express")
        XCTAssertEqual(config.carrierKey(channelID: "spartoo-fr", shippingMethod: "Chronopost Relais"), "chronopost")
        XCTAssertEqual(config.carrierKey(channelID: "shop", shippingMethod: "Flat rate"), "colissimo")
        guard let spartoo = config.channels[0].settings.as(SpartooSettings.self) else { return XCTFail("not spartoo") }
        XCTAssertEqual(spartoo.partnerID, .file("${CREDENTIALS_DIRECTORY}/spartoo.key"))
        XCTAssertEqual(spartoo.sites, ["fr", "es"])
    }

    func testExampleSecretsResolveFromTheCredentialsDirectory() throws {
        let directory = try ConfigTempDirectory()
        try directory.write("spartoo.key", "0A1B2C3D4E5F6789\n")
        try directory.write("bm.token", "bm-secret\n")
        let example = Self.examplesDirectory.appendingPathComponent("backmarket-minimal.json").path
        let loaded = try ConfigLoader.loadWithSecrets(path: example, environment: ["CREDENTIALS_DIRECTORY": directory.path])
        XCTAssertEqual(loaded.secrets["bm-eu"], .backmarket(token: Secret("bm-secret")))
    }

    // MARK: Defaults

    func testDefaultsOfAMinimalDocument() throws {
        let config = try XCTUnwrap(ConfigFixture.parse(ConfigFixture.document()))
        XCTAssertEqual(config.log, LogConfig(file: nil, level: .info))
        XCTAssertNil(config.inboxDir)
        XCTAssertEqual(config.pollIntervalSeconds, 300)
        XCTAssertEqual(config.resweepDays, 5)
        XCTAssertEqual(config.shippingRules, [])
        for channel in config.channels {
            XCTAssertTrue(channel.enabled)
            XCTAssertEqual(channel.pollIntervalSeconds, 300)
            XCTAssertFalse(channel.autoAccept)
            XCTAssertEqual(channel.acceptWithinHours, 24)
            XCTAssertEqual(channel.hasAcceptStep, channel.type != .woocommerce)
        }
        guard let bm = config.channels[0].settings.as(BackMarketSettings.self),
            let spartoo = config.channels[1].settings.as(SpartooSettings.self),
            let woo = config.channels[2].settings.as(WooCommerceSettings.self)
        else { return XCTFail("channel types") }
        XCTAssertEqual(bm.token, .inline(Secret("bm-token")))
        XCTAssertEqual(bm.environment, .production)
        XCTAssertEqual(bm.acceptLanguage, "fr-fr")
        XCTAssertEqual(bm.imeiRequiredFor, ["*iphone*", "*smartphone*", "*galaxy*", "*pixel*"])
        XCTAssertTrue(bm.enforceIMEI)
        XCTAssertEqual(spartoo.sites, ["fr"])
        XCTAssertEqual(spartoo.hosts, [:])
        XCTAssertFalse(spartoo.fetchSlips)
        XCTAssertEqual(woo.statuses, ["processing"])
        XCTAssertEqual(woo.tracking, .note)
        XCTAssertTrue(woo.completeOnShip)
        XCTAssertEqual(woo.auth, .basic)
    }

    func testExplicitValuesAreDecoded() throws {
        let document = ConfigFixture.document(
            channels: [
                ConfigFixture.edit(ConfigFixture.backMarket, [
                    "region": "us", "environment": "preprod", "enforce_imei": false, "enabled": false,
                    "imei_required_for": ["*phone*"], "auto_accept": true, "accept_within_hours": 48,
                ]),
                ConfigFixture.edit(ConfigFixture.spartoo, [
                    "sites": ["fr", "it"], "hosts": ["it": "http://127.0.0.1:8081"], "fetch_slips": true,
                ]),
                ConfigFixture.edit(ConfigFixture.wooCommerce, [
                    "statuses": ["processing", "on-hold"], "tracking": "shipment-tracking", "auth": "query",
                    "complete_on_ship": false, "poll_interval_seconds": 60,
                ]),
            ],
            ["log": ["file": "/var/log/o.log", "level": "debug"], "inbox_dir": "/srv/inbox",
             "poll_interval_seconds": 600, "resweep_days": 3])
        let config = try XCTUnwrap(ConfigFixture.parse(document))
        XCTAssertEqual(config.log, LogConfig(file: "/var/log/o.log", level: .debug))
        XCTAssertEqual(config.inboxDir, "/srv/inbox")
        XCTAssertEqual(config.resweepDays, 3)
        XCTAssertEqual(config.channels.map(\.pollIntervalSeconds), [600, 600, 60])
        XCTAssertEqual(config.channels[0].enabled, false)
        XCTAssertEqual(config.channels[0].autoAccept, true)
        XCTAssertEqual(config.channels[0].acceptWithinHours, 48)
        guard let bm = config.channels[0].settings.as(BackMarketSettings.self),
            let spartoo = config.channels[1].settings.as(SpartooSettings.self),
            let woo = config.channels[2].settings.as(WooCommerceSettings.self)
        else { return XCTFail("channel types") }
        XCTAssertEqual(bm.region, .us)
        XCTAssertEqual(bm.environment, .preprod)
        XCTAssertEqual(bm.acceptLanguage, "en-us")
        XCTAssertFalse(bm.enforceIMEI)
        XCTAssertEqual(bm.imeiRequiredFor, ["*phone*"])
        XCTAssertEqual(spartoo.hosts["it"]?.absoluteString, "http://127.0.0.1:8081")
        XCTAssertTrue(spartoo.fetchSlips)
        XCTAssertEqual(woo.statuses, ["processing", "on-hold"])
        XCTAssertEqual(woo.tracking, .shipmentTracking)
        XCTAssertEqual(woo.auth, .query)
        XCTAssertFalse(woo.completeOnShip)
    }

    func testNullMeansAbsent() throws {
        let config = try XCTUnwrap(ConfigFixture.parse(ConfigFixture.document(["inbox_dir": NSNull(), "log": ["file": NSNull()]])))
        XCTAssertNil(config.inboxDir)
        XCTAssertNil(config.log.file)
    }

    func testAcceptLanguageDefaultsByRegion() throws {
        for (region, language) in [("eu", "fr-fr"), ("us", "en-us"), ("ap", "ja-jp")] {
            let config = try XCTUnwrap(ConfigFixture.parse(ConfigFixture.oneChannel(ConfigFixture.backMarket, ["region": region])))
            guard let bm = config.channels[0].settings.as(BackMarketSettings.self) else { return XCTFail("type") }
            XCTAssertEqual(bm.acceptLanguage, language)
        }
    }

    func testCarriersKeepFileOrder() throws {
        let text = """
            {"state_dir": "/s", "channels": [{"id": "sp", "type": "spartoo", "partner_id": "X"}],
             "carriers": {"zeta": {}, "alpha": {"names": {"spartoo": "A"}}, "mid": {"tracking_url": "https://m.example/{tracking}"}}}
            """
        let config = try XCTUnwrap(ConfigFixture.parse(text))
        XCTAssertEqual(config.carrierOrder, ["zeta", "alpha", "mid"])
        XCTAssertEqual(Set(config.carriers.keys), ["zeta", "alpha", "mid"])
        XCTAssertEqual(config.carriers["alpha"]?.names, ["spartoo": "A"])
    }

    // MARK: Helpers

    func testBackMarketDefaultBaseURLs() {
        let expected: [(BackMarketRegion, BackMarketEnvironment, String)] = [
            (.eu, .production, "https://www.backmarket.fr"), (.us, .production, "https://www.backmarket.com"),
            (.ap, .production, "https://www.backmarket.co.jp"), (.eu, .preprod, "https://preprod.backmarket.fr"),
            (.us, .preprod, "https://preprod.backmarket.com"), (.ap, .preprod, "https://preprod.backmarket.co.jp"),
        ]
        for (region, environment, url) in expected {
            let settings = BackMarketSettings(token: .environment("T"), region: region, environment: environment, userAgent: "BM-a-b;c@d.e")
            XCTAssertEqual(settings.defaultBaseURL.absoluteString, url)
        }
    }

    func testSpartooHostsPerSite() {
        var settings = SpartooSettings(partnerID: .environment("P"), sites: ["fr", "uk", "hr", "es", "it"])
        XCTAssertEqual(settings.baseURL(forSite: "fr").absoluteString, "https://sws.spartoo.com")
        XCTAssertEqual(settings.baseURL(forSite: "uk").absoluteString, "https://sws.spartoo.co.uk")
        XCTAssertEqual(settings.baseURL(forSite: "hr").absoluteString, "https://sws.spartoo.com.hr")
        XCTAssertEqual(settings.baseURL(forSite: "es").absoluteString, "https://sws.spartoo.es")
        settings.hosts["it"] = URL(string: "http://127.0.0.1:9000")!
        XCTAssertEqual(settings.baseURL(forSite: "it").absoluteString, "http://127.0.0.1:9000")
    }

    func testEffectiveBaseURLPrecedence() {
        let sim = URL(string: "http://127.0.0.1:8080")!
        let bm = BackMarketSettings(token: .environment("T"), region: .ap, userAgent: "BM-a-b;c@d.e")
        XCTAssertEqual(ChannelConfig(id: "b", settings: .backmarket(bm)).effectiveBaseURL()?.absoluteString, "https://www.backmarket.co.jp")
        XCTAssertEqual(ChannelConfig(id: "b", baseURL: sim, settings: .backmarket(bm)).effectiveBaseURL(), sim)
        let spartoo = SpartooSettings(partnerID: .environment("P"), sites: ["fr", "es"], hosts: ["es": URL(string: "https://es.example")!])
        let channel = ChannelConfig(id: "s", baseURL: sim, settings: .spartoo(spartoo))
        XCTAssertEqual(channel.effectiveBaseURL(site: "es")?.absoluteString, "https://es.example")
        XCTAssertEqual(channel.effectiveBaseURL(site: "fr"), sim)
        XCTAssertEqual(ChannelConfig(id: "s", settings: .spartoo(spartoo)).effectiveBaseURL(site: "fr")?.absoluteString, "https://sws.spartoo.com")
    }

    func testTrackingURLSubstitutesEncodedValues() {
        let carrier = CarrierConfig(key: "c", trackingURL: "https://t.example/track?n={tracking}&zip={postcode}&again={tracking}")
        XCTAssertEqual(carrier.trackingURL(number: "6A 12/3&x", postcode: "75003"),
                       "https://t.example/track?n=6A%2012%2F3%26x&zip=75003&again=6A%2012%2F3%26x")
        XCTAssertEqual(carrier.trackingURL(number: "é"), "https://t.example/track?n=%C3%A9&zip=&again=%C3%A9")
        XCTAssertNil(CarrierConfig(key: "none").trackingURL(number: "1"))
    }

    func testShippingRulesFirstMatchWinsWithCaseInsensitiveGlobs() {
        let config = Config(
            stateDir: "/s", channels: [], carriers: [CarrierConfig(key: "a"), CarrierConfig(key: "b"), CarrierConfig(key: "c")],
            shippingRules: [
                ShippingRule(channel: "sp", shippingMethod: "colissimo*", carrier: "a"),
                ShippingRule(channel: "*", shippingMethod: "UPS ?", carrier: "b"),
                ShippingRule(carrier: "c"),
            ])
        XCTAssertEqual(config.carrierKey(channelID: "sp", shippingMethod: "Colissimo Domicile"), "a")
        XCTAssertEqual(config.carrierKey(channelID: "bm", shippingMethod: "Colissimo Domicile"), "c")
        XCTAssertEqual(config.carrierKey(channelID: "bm", shippingMethod: "ups 1"), "b")
        XCTAssertEqual(config.carrierKey(channelID: "bm", shippingMethod: "UPS 12"), "c")
        XCTAssertEqual(config.carrierKey(channelID: "bm", shippingMethod: ""), "c")
        XCTAssertNil(Config(stateDir: "/s", channels: []).carrierKey(channelID: "x", shippingMethod: "y"))
    }

    func testGlob() {
        XCTAssertTrue(Glob.matches(pattern: "*", ""))
        XCTAssertTrue(Glob.matches(pattern: "*iphone*", "Apple iPhone 12 64 GB"))
        XCTAssertTrue(Glob.matches(pattern: "a*b*c", "aXXbYYc"))
        XCTAssertFalse(Glob.matches(pattern: "a*b*c", "aXXbYY"))
        XCTAssertTrue(Glob.matches(pattern: "?", "é"))
        XCTAssertFalse(Glob.matches(pattern: "abc", "abcd"))
        XCTAssertTrue(Glob.matches(pattern: "**x", "x"))
    }

    func testRequiresIMEIMatchesTitleOrSKU() {
        let bm = BackMarketSettings(token: .environment("T"), region: .eu, userAgent: "BM-a-b;c@d.e")
        XCTAssertTrue(bm.requiresIMEI(title: "iPhone 12 64 GB - Black", sku: nil))
        XCTAssertTrue(bm.requiresIMEI(title: "Refurbished phone", sku: "SKU-GALAXY-S21"))
        XCTAssertFalse(bm.requiresIMEI(title: "MacBook Air", sku: "SKU-MBA"))
        XCTAssertFalse(bm.requiresIMEI(title: nil, sku: nil))
    }

    func testChannelSummary() throws {
        let config = try XCTUnwrap(ConfigFixture.parse(ConfigFixture.document()))
        XCTAssertEqual(config.channels[0].summary,
                       "bm-eu: backmarket, eu production, https://www.backmarket.fr, every 300 s, manual accept within 24 h")
        XCTAssertEqual(config.channels[2].summary,
                       "shop: woocommerce, statuses processing, tracking note, https://shop.example.com, every 300 s")
    }

    func testConfigPathFromOptionEnvironmentOrDefault() {
        XCTAssertEqual(ConfigLoader.path(option: "/a.json", environment: ["ORDERSYNC_CONFIG": "/b.json"]), "/a.json")
        XCTAssertEqual(ConfigLoader.path(option: nil, environment: ["ORDERSYNC_CONFIG": "/b.json"]), "/b.json")
        XCTAssertEqual(ConfigLoader.path(option: nil, environment: [:]), "/etc/ordersync/config.json")
    }

    // MARK: JSON syntax

    func testInvalidJSONNamesLineAndColumn() {
        XCTAssertEqual(ConfigFixture.problems("{\n  \"state_dir\": \"/s\",\n  \"channels\": [,]\n}"),
                       ["config: $: invalid JSON at line 3, column 16: unexpected ',', expected a value"])
        XCTAssertEqual(ConfigFixture.problems("{\"a\": 1,}"),
                       ["config: $: invalid JSON at line 1, column 9: unexpected '}', expected a key in double quotes"])
        XCTAssertEqual(ConfigFixture.problems(""), ["config: $: invalid JSON at line 1, column 1: the file is empty"])
        XCTAssertEqual(ConfigFixture.problems("{} x"),
                       ["config: $: invalid JSON at line 1, column 4: unexpected 'x' after the JSON value"])
        XCTAssertEqual(ConfigFixture.problems("{\"é\": tru}"),
                       ["config: $: invalid JSON at line 1, column 10: unexpected '}', expected true"])
        XCTAssertEqual(ConfigFixture.problems("{\"a\": \"x\ny\"}"),
                       ["config: $: invalid JSON at line 1, column 9: control character in a string (write it as an escape such as \\n)"])
        XCTAssertEqual(ConfigFixture.problems("{\"a\": 01}"), ["config: $: invalid JSON at line 1, column 8: leading zero in a number"])
        XCTAssertEqual(ConfigFixture.problems(String(repeating: "[", count: 300)),
                       ["config: $: invalid JSON at line 1, column 201: nested deeper than 200 levels"])
    }

    func testJSONStringsAndBOM() throws {
        let text = "\u{FEFF}{\"state_dir\": \"/s\\u00e9\\ud83d\\ude00\\n\", \"channels\": [{\"id\": \"sp\", \"type\": \"spartoo\", \"partner_id\": \"X\"}]}"
        let value = try ConfigJSON.parse(Array(text.utf8))
        guard case .object(let object) = value else { return XCTFail("not an object") }
        XCTAssertEqual(object["state_dir"], .string("/sé😀\n"))
        XCTAssertThrowsError(try ConfigJSON.parse(Array("\"\\ud83d\"".utf8)))
        XCTAssertThrowsError(try ConfigJSON.parse([0x22, 0xFF, 0x22]))
    }

    func testTopLevelMustBeAnObject() {
        XCTAssertEqual(ConfigFixture.problems("[]"), ["config: $: expected object, got array"])
        XCTAssertEqual(ConfigFixture.problems("42"), ["config: $: expected object, got integer"])
    }

    func testDuplicateKeysAreErrors() {
        XCTAssertEqual(
            ConfigFixture.problems("{\"state_dir\": \"/a\", \"state_dir\": \"/b\", \"channels\": [{\"id\": \"sp\", \"type\": \"spartoo\", \"partner_id\": \"X\"}]}"),
            ["config: state_dir: duplicate key \"state_dir\""])
    }
}
