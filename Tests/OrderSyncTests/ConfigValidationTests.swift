import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// One test per rule: the exact `config: <path>: <reason>` line, and nothing else reported alongside it.
final class ConfigValidationTests: XCTestCase {
    typealias F = ConfigFixture

    private func assertProblems(_ document: Any, _ expected: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(F.problems(document), expected, file: file, line: line)
    }

    func testValidBaseHasNoProblems() {
        assertProblems(F.document(), [])
    }

    // MARK: Structure

    func testUnknownKeysWithSuggestions() {
        assertProblems(F.document(["pol_interval_seconds": 60]),
                       ["config: pol_interval_seconds: unknown key \"pol_interval_seconds\" (did you mean \"poll_interval_seconds\"?)"])
        assertProblems(F.document(["frobnicate": 1]), ["config: frobnicate: unknown key \"frobnicate\""])
        assertProblems(F.document(["log": ["levle": "info"]]),
                       ["config: log.levle: unknown key \"levle\" (did you mean \"level\"?)"])
        assertProblems(F.oneChannel(F.backMarket, ["regoin": "eu"]),
                       ["config: channels[0].regoin: unknown key \"regoin\" (did you mean \"region\"?)"])
    }

    func testUnknownKeyThatBelongsToAnotherChannelType() {
        assertProblems(F.oneChannel(F.backMarket, ["sites": ["fr"]]),
                       ["config: channels[0].sites: unknown key \"sites\" (only for spartoo channels)"])
        assertProblems(F.oneChannel(F.wooCommerce, ["token": "x"]),
                       ["config: channels[0].token: unknown key \"token\" (only for backmarket channels)"])
    }

    func testUnknownKeysInCarriersAndRules() {
        assertProblems(F.document(["carriers": ["colissimo": ["tracking": "x", "names": ["backmarket": "Colissimo"]]]]),
                       ["config: carriers.colissimo.tracking: unknown key \"tracking\" (did you mean \"tracking_url\"?)"])
        assertProblems(F.document(["shipping_rules": [["carrier": "colissimo", "chanel": "*"]]]),
                       ["config: shipping_rules[0].chanel: unknown key \"chanel\" (did you mean \"channel\"?)"])
    }

    func testWrongJSONTypes() {
        assertProblems(F.document(["poll_interval_seconds": "300"]),
                       ["config: poll_interval_seconds: expected integer, got string"])
        assertProblems(F.document(["resweep_days": 2.5]), ["config: resweep_days: expected integer, got number"])
        assertProblems(F.document(["state_dir": 5]), ["config: state_dir: expected string, got integer"])
        assertProblems(F.document(["channels": ["a": 1]]), ["config: channels: expected array, got object"])
        assertProblems(F.document(["log": "info"]), ["config: log: expected object, got string"])
        assertProblems(F.oneChannel(F.backMarket, ["enabled": "yes"]), ["config: channels[0].enabled: expected boolean, got string"])
        assertProblems(F.oneChannel(F.backMarket, ["auto_accept": 1]), ["config: channels[0].auto_accept: expected boolean, got integer"])
        assertProblems(F.oneChannel(F.backMarket, ["imei_required_for": ["*x*", 3]]),
                       ["config: channels[0].imei_required_for[1]: expected string, got integer"])
        assertProblems(F.oneChannel(F.spartoo, ["sites": "fr"]), ["config: channels[0].sites: expected array of strings, got string"])
        assertProblems(F.document(channels: ["bm"]), ["config: channels[0]: expected object, got string"])
        assertProblems(F.document(["carriers": ["colissimo": ["names": ["backmarket": true]]]]),
                       ["config: carriers.colissimo.names.backmarket: expected string, got boolean"])
        assertProblems(F.document(["shipping_rules": ["x"]]), ["config: shipping_rules[0]: expected object, got string"])
    }

    func testRequiredKeys() {
        assertProblems(F.document(["state_dir": nil]), ["config: state_dir: required key is missing"])
        assertProblems(F.document(["state_dir": NSNull()]), ["config: state_dir: required key is null"])
        assertProblems(F.document(["channels": nil]), ["config: channels: required key is missing"])
        assertProblems(F.oneChannel(F.backMarket, ["id": nil]), ["config: channels[0].id: required key is missing"])
        assertProblems(F.oneChannel(F.backMarket, ["type": nil]), ["config: channels[0].type: required key is missing"])
        assertProblems(F.oneChannel(F.backMarket, ["region": nil]), ["config: channels[0].region: required key is missing"])
        assertProblems(F.oneChannel(F.backMarket, ["user_agent": nil]), ["config: channels[0].user_agent: required key is missing"])
        assertProblems(F.oneChannel(F.wooCommerce, ["base_url": nil]), ["config: channels[0].base_url: required key is missing"])
        assertProblems(F.document(["shipping_rules": [["channel": "*"]]]), ["config: shipping_rules[0].carrier: required key is missing"])
    }

    func testEverySecretNeedsExactlyOneSpelling() {
        assertProblems(F.oneChannel(F.backMarket, ["token": nil]),
                       ["config: channels[0].token: exactly one of token, token_file, token_env must be given (found none)"])
        assertProblems(F.oneChannel(F.backMarket, ["token_file": "/etc/t"]),
                       ["config: channels[0].token: exactly one of token, token_file, token_env must be given (found token, token_file)"])
        assertProblems(F.oneChannel(F.spartoo, ["partner_id": nil]),
                       ["config: channels[0].partner_id: exactly one of partner_id, partner_id_file, partner_id_env must be given (found none)"])
        assertProblems(F.oneChannel(F.wooCommerce, ["consumer_key": nil, "consumer_secret_env": "S"]), [
            "config: channels[0].consumer_key: exactly one of consumer_key, consumer_key_file, consumer_key_env must be given (found none)",
            "config: channels[0].consumer_secret: exactly one of consumer_secret, consumer_secret_file, consumer_secret_env must be given (found consumer_secret, consumer_secret_env)",
        ])
        assertProblems(F.oneChannel(F.backMarket, ["token": nil, "token_file": 7]),
                       ["config: channels[0].token_file: expected string, got integer"])
    }

    func testSecretSpellingShapes() {
        assertProblems(F.oneChannel(F.backMarket, ["token": ""]), ["config: channels[0].token: must not be empty"])
        assertProblems(F.oneChannel(F.backMarket, ["token": nil, "token_file": "secrets/bm"]),
                       ["config: channels[0].token_file: must be an absolute path or start with ${CREDENTIALS_DIRECTORY} (got \"secrets/bm\")"])
        assertProblems(F.oneChannel(F.backMarket, ["token": nil, "token_file": "$CREDENTIALS_DIRECTORY/bm"]), [])
        assertProblems(F.oneChannel(F.backMarket, ["token": nil, "token_env": "1BAD-NAME"]),
                       ["config: channels[0].token_env: must be an environment variable name (got \"1BAD-NAME\")"])
    }

    // MARK: Top level

    func testTopLevelValues() {
        assertProblems(F.document(["poll_interval_seconds": 9]), ["config: poll_interval_seconds: must be at least 10 (got 9)"])
        assertProblems(F.document(["resweep_days": 0]), ["config: resweep_days: must be at least 1 (got 0)"])
        assertProblems(F.document(["log": ["level": "verbose"]]),
                       ["config: log.level: must be one of trace, debug, info, warning, error (got \"verbose\")"])
        assertProblems(F.document(["log": ["level": "warn"]]),
                       ["config: log.level: must be one of trace, debug, info, warning, error (got \"warn\"; did you mean \"warning\"?)"])
        assertProblems(F.document(["log": ["file": "ordersync.log"]]), ["config: log.file: must be an absolute path (got \"ordersync.log\")"])
        assertProblems(F.document(["inbox_dir": ""]), ["config: inbox_dir: must not be empty"])
        assertProblems(F.document(channels: []), ["config: channels: must list at least one channel"])
    }

    // MARK: Every channel

    func testChannelIDPatternAndUniqueness() {
        assertProblems(F.oneChannel(F.backMarket, ["id": "BM_EU"]), ["config: channels[0].id: must match [a-z0-9-]+ (got \"BM_EU\")"])
        assertProblems(F.oneChannel(F.backMarket, ["id": ""]), ["config: channels[0].id: must not be empty"])
        assertProblems(F.document(channels: [F.backMarket, F.edit(F.spartoo, ["id": "bm-eu"])]),
                       ["config: channels[1].id: duplicate channel id \"bm-eu\" (first used by channels[0])"])
    }

    func testChannelType() {
        assertProblems(F.oneChannel(F.backMarket, ["type": "amazon"]),
                       ["config: channels[0].type: must be one of backmarket, spartoo, woocommerce (got \"amazon\")"])
        assertProblems(F.oneChannel(F.backMarket, ["type": "backmarkt"]),
                       ["config: channels[0].type: must be one of backmarket, spartoo, woocommerce (got \"backmarkt\"; did you mean \"backmarket\"?)"])
    }

    func testChannelPollInterval() {
        assertProblems(F.oneChannel(F.backMarket, ["poll_interval_seconds": 5]),
                       ["config: channels[0].poll_interval_seconds: must be at least 10 (got 5)"])
        // Inherited from a bad top-level value: reported once, at the top level.
        assertProblems(F.document(["poll_interval_seconds": 1]), ["config: poll_interval_seconds: must be at least 10 (got 1)"])
    }

    func testAcceptanceKeys() {
        assertProblems(F.oneChannel(F.wooCommerce, ["auto_accept": true]),
                       ["config: channels[0].auto_accept: not allowed on a woocommerce channel (it has no acceptance step)"])
        assertProblems(F.oneChannel(F.wooCommerce, ["accept_within_hours": 12]),
                       ["config: channels[0].accept_within_hours: not allowed on a woocommerce channel (it has no acceptance step)"])
        assertProblems(F.oneChannel(F.backMarket, ["accept_within_hours": 0]),
                       ["config: channels[0].accept_within_hours: must be between 1 and 720 (got 0)"])
        assertProblems(F.oneChannel(F.spartoo, ["accept_within_hours": 721]),
                       ["config: channels[0].accept_within_hours: must be between 1 and 720 (got 721)"])
        assertProblems(F.oneChannel(F.spartoo, ["accept_within_hours": 720, "auto_accept": true]), [])
    }

    func testAcceptanceRulesHoldForConfigsBuiltInCode() {
        let woo = WooCommerceSettings(consumerKey: .environment("K"), consumerSecret: .environment("S"))
        let channel = ChannelConfig(id: "shop", autoAccept: true, acceptWithinHours: 2,
                                    baseURL: URL(string: "https://s.example"), settings: .woocommerce(woo))
        XCTAssertEqual(Config(stateDir: "/s", channels: [channel]).validate().map(\.description), [
            "config: channels[0].auto_accept: not allowed on a woocommerce channel (it has no acceptance step)",
            "config: channels[0].accept_within_hours: not allowed on a woocommerce channel (it has no acceptance step)",
        ])
    }

    func testBaseURL() {
        let path = "config: channels[0].base_url: "
        assertProblems(F.oneChannel(F.backMarket, ["base_url": "ftp://x.example"]), [path + "must be an http or https URL (got \"ftp://x.example\")"])
        assertProblems(F.oneChannel(F.backMarket, ["base_url": "www.backmarket.fr"]), [path + "must be an http or https URL (got \"www.backmarket.fr\")"])
        assertProblems(F.oneChannel(F.backMarket, ["base_url": "http://sandbox.example"]),
                       [path + "http:// is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost); use https://"])
        assertProblems(F.oneChannel(F.backMarket, ["base_url": "https://x.example/?a=1"]), [path + "must not contain a query or fragment"])
        assertProblems(F.oneChannel(F.backMarket, ["base_url": "https://u:p@x.example"]),
                       [path + "must not contain a user name or password (use the channel's secret keys)"])
        for loopback in ["http://127.0.0.1:8080", "http://127.8.9.10", "http://localhost:1", "http://[::1]:8080", "http://[0:0:0:0:0:0:0:1]/", "https://x.example/base/"] {
            assertProblems(F.oneChannel(F.backMarket, ["base_url": loopback]), [], line: #line)
        }
        for notLoopback in ["http://128.0.0.1", "http://127.0.0.1.example.com", "http://[::2]", "http://localhost.example"] {
            assertProblems(F.oneChannel(F.backMarket, ["base_url": notLoopback]),
                           [path + "http:// is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost); use https://"])
        }
    }

    // MARK: Back Market

    func testBackMarketEnums() {
        assertProblems(F.oneChannel(F.backMarket, ["region": "asia"]), ["config: channels[0].region: must be one of eu, us, ap (got \"asia\")"])
        assertProblems(F.oneChannel(F.backMarket, ["environment": "staging"]),
                       ["config: channels[0].environment: must be one of production, preprod (got \"staging\")"])
        assertProblems(F.oneChannel(F.backMarket, ["environment": "prepod"]),
                       ["config: channels[0].environment: must be one of production, preprod (got \"prepod\"; did you mean \"preprod\"?)"])
    }

    func testBackMarketUserAgent() {
        assertProblems(F.oneChannel(F.backMarket, ["user_agent": ""]),
                       ["config: channels[0].user_agent: must not be empty (Back Market requires BM-{Company}-{Integration};{email})"])
        assertProblems(F.oneChannel(F.backMarket, ["user_agent": "BM-Acme-ordersync"]),
                       ["config: channels[0].user_agent: must look like BM-{Company}-{Integration};{email} (no \";\" before the contact e-mail)"])
        assertProblems(F.oneChannel(F.backMarket, ["user_agent": "BM-Acme-x;a@b.c\r\nX-Evil: 1"]),
                       ["config: channels[0].user_agent: must not contain a line break or control character"])
        // Shape beyond the ';' is advice only.
        let config = F.parse(F.oneChannel(F.backMarket, ["user_agent": "curl/8;ops"]))
        XCTAssertEqual(config?.warnings().map(\.description),
                       ["config: channels[0].user_agent: does not look like BM-{Company}-{Integration};{email} (got \"curl/8;ops\")"])
    }

    func testBackMarketOtherKeys() {
        assertProblems(F.oneChannel(F.backMarket, ["accept_language": "french"]),
                       ["config: channels[0].accept_language: must be a language tag such as fr-fr, en-gb or ja-jp (got \"french\")"])
        assertProblems(F.oneChannel(F.backMarket, ["accept_language": "en-gb"]), [])
        assertProblems(F.oneChannel(F.backMarket, ["imei_required_for": ["*iphone*", ""]]),
                       ["config: channels[0].imei_required_for[1]: must not be empty"])
        assertProblems(F.oneChannel(F.backMarket, ["imei_required_for": [], "enforce_imei": false]), [])
        assertProblems(F.oneChannel(F.backMarket, ["enforce_imei": "no"]), ["config: channels[0].enforce_imei: expected boolean, got string"])
    }

    // MARK: Spartoo

    func testSpartooSites() {
        assertProblems(F.oneChannel(F.spartoo, ["sites": []]), ["config: channels[0].sites: must list at least one site"])
        assertProblems(F.oneChannel(F.spartoo, ["sites": ["fr", "FR", "fra", "fr"]]), [
            "config: channels[0].sites[1]: must be a 2-letter lowercase site code such as fr or es (got \"FR\")",
            "config: channels[0].sites[2]: must be a 2-letter lowercase site code such as fr or es (got \"fra\")",
            "config: channels[0].sites[3]: duplicate site \"fr\"",
        ])
    }

    func testSpartooHosts() {
        assertProblems(F.oneChannel(F.spartoo, ["sites": ["fr"], "hosts": ["de": "https://sws.spartoo.de"]]),
                       ["config: channels[0].hosts.de: site \"de\" is not in sites (fr)"])
        assertProblems(F.oneChannel(F.spartoo, ["hosts": ["fr": "http://sws.spartoo.com"]]),
                       ["config: channels[0].hosts.fr: http:// is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost); use https://"])
        assertProblems(F.oneChannel(F.spartoo, ["hosts": ["fr": 1]]), ["config: channels[0].hosts.fr: expected string, got integer"])
        assertProblems(F.oneChannel(F.spartoo, ["hosts": ["fr": "http://127.0.0.1:9"]]), [])
    }

    // MARK: WooCommerce

    func testWooCommerceEnums() {
        assertProblems(F.oneChannel(F.wooCommerce, ["tracking": "notes"]),
                       ["config: channels[0].tracking: must be one of note, shipment-tracking (got \"notes\"; did you mean \"note\"?)"])
        assertProblems(F.oneChannel(F.wooCommerce, ["auth": "oauth"]), ["config: channels[0].auth: must be one of basic, query (got \"oauth\")"])
    }

    func testWooCommerceStatuses() {
        let path = "config: channels[0].statuses"
        assertProblems(F.oneChannel(F.wooCommerce, ["statuses": []]), [path + ": must list at least one status"])
        assertProblems(F.oneChannel(F.wooCommerce, ["statuses": ["processing", "", "checkout-draft", "auto-draft", "trash", "wc-on-hold", "processing"]]), [
            path + "[1]: must not be empty",
            path + "[2]: \"checkout-draft\" is never imported (drafts and trash are skipped)",
            path + "[3]: \"auto-draft\" is never imported (drafts and trash are skipped)",
            path + "[4]: \"trash\" is never imported (drafts and trash are skipped)",
            path + "[5]: write \"on-hold\" without the \"wc-\" prefix",
            path + "[6]: duplicate status \"processing\"",
        ])
    }

    func testWooCommerceBaseURLRequiredInCode() {
        let woo = WooCommerceSettings(consumerKey: .environment("K"), consumerSecret: .environment("S"))
        XCTAssertEqual(Config(stateDir: "/s", channels: [ChannelConfig(id: "shop", settings: .woocommerce(woo))]).validate().map(\.description),
                       ["config: channels[0].base_url: required for a woocommerce channel"])
    }

    // MARK: Carriers

    func testCarrierKeysTemplatesAndNames() {
        assertProblems(F.document(["carriers": ["DHL": [:]]]), ["config: carriers.DHL: carrier key must match [a-z0-9-]+ (got \"DHL\")"])
        assertProblems(F.document(["carriers": ["dhl express": [:]]]),
                       ["config: carriers[\"dhl express\"]: carrier key must match [a-z0-9-]+ (got \"dhl express\")"])
        assertProblems(F.document(["carriers": ["dhl": ["tracking_url": "https://dhl.example/track"]]]),
                       ["config: carriers.dhl.tracking_url: must contain {tracking}"])
        assertProblems(F.document(["carriers": ["dhl": ["tracking_url": "https://dhl.example/{tracking}/{zip}"]]]),
                       ["config: carriers.dhl.tracking_url: unknown placeholder {zip} (only {tracking} and {postcode} are replaced)"])
        assertProblems(F.document(["carriers": ["dhl": ["tracking_url": "dhl.example/{tracking}"]]]),
                       ["config: carriers.dhl.tracking_url: must be an http or https URL (got \"dhl.example/{tracking}\")"])
        assertProblems(F.document(["carriers": ["dhl": ["names": ["amazon": "DHL", "backmarkt": "DHL", "woocommerce": " "]]]]), [
            "config: carriers.dhl.names.amazon: unknown channel type \"amazon\" (expected backmarket, spartoo or woocommerce)",
            "config: carriers.dhl.names.backmarkt: unknown channel type \"backmarkt\" (expected backmarket, spartoo or woocommerce) (did you mean \"backmarket\"?)",
            "config: carriers.dhl.names.woocommerce: must not be empty",
        ])
        assertProblems(F.document(["carriers": ["dhl": ["tracking_url": "https://dhl.example/?id={tracking}&pc={postcode}", "names": ["spartoo": "DHL"]]]]), [])
    }

    // MARK: Shipping rules

    func testShippingRuleReferences() {
        assertProblems(F.document(["shipping_rules": [["channel": "bm-e", "shipping_method": "*", "carrier": "colissimo"]]]),
                       ["config: shipping_rules[0].channel: unknown channel \"bm-e\" (expected \"*\" or a configured channel id: bm-eu, sp, shop) (did you mean \"bm-eu\"?)"])
        assertProblems(F.document(["shipping_rules": [["channel": "*", "shipping_method": "*", "carrier": "colisimo"]]]),
                       ["config: shipping_rules[0].carrier: unknown carrier \"colisimo\" (configured: colissimo) (did you mean \"colissimo\"?)"])
        assertProblems(F.document(["carriers": nil, "shipping_rules": [["carrier": "ups"]]]),
                       ["config: shipping_rules[0].carrier: unknown carrier \"ups\" (no carriers are configured)"])
        assertProblems(F.document(["shipping_rules": [["channel": "sp", "shipping_method": "", "carrier": "colissimo"]]]),
                       ["config: shipping_rules[0].shipping_method: must not be empty (use \"*\" to match every method)"])
    }

    func testBackMarketNeedsANameForEveryCarrierARuleCanAssignIt() {
        let carriers: [String: Any] = [
            "colissimo": ["names": ["backmarket": "Colissimo"]],
            "ups": ["names": ["woocommerce": "UPS"]],
            "gls": [:],
        ]
        let rules = [
            ["channel": "sp", "shipping_method": "GLS*", "carrier": "gls"],  // never a Back Market order
            ["channel": "bm-eu", "shipping_method": "UPS*", "carrier": "ups"],
            ["channel": "*", "shipping_method": "*", "carrier": "colissimo"],
        ]
        assertProblems(F.document(["carriers": carriers, "shipping_rules": rules]),
                       ["config: carriers.ups.names: no name for channel type backmarket used by channel bm-eu (shipping_rules[1])"])
        let catchAll = [["channel": "*", "shipping_method": "*", "carrier": "gls"]]
        assertProblems(F.document(["carriers": carriers, "shipping_rules": catchAll]),
                       ["config: carriers.gls.names: no name for channel type backmarket used by channel bm-eu (shipping_rules[0])"])
    }

    // MARK: Warnings

    func testUnknownBackMarketShipperIsAWarningNamingTheClosestEntries() throws {
        let document = F.document(["carriers": [
            "dhl": ["names": ["backmarket": "DHL Parcel"]], "fedex": ["names": ["backmarket": "Fedex"]],
            "hermes": ["names": ["backmarket": "Hermes"]], "gls": ["names": ["backmarket": "GLS - FR"]],
        ]])
        let config = try XCTUnwrap(F.parse(document))
        XCTAssertEqual(config.warnings().map(\.description), [
            "config: carriers.dhl.names.backmarket: \"DHL Parcel\" is not in Back Market's Shipper list; closest: \"DHL Parcel Spain\", \"DHL\". It is sent as written; Back Market may refuse the shipment",
            "config: carriers.fedex.names.backmarket: \"Fedex\" is not in Back Market's Shipper list; closest: \"FedEx\", \"FedEx - 2Days\", \"FedEx Express\". It is sent as written; Back Market may refuse the shipment",
            "config: carriers.hermes.names.backmarket: \"Hermes\" is not in Back Market's Shipper list; closest: \"Hermes - DE\", \"Hermes - UK\". It is sent as written; Back Market may refuse the shipment",
        ])
    }

    func testClosestShipperNamesPreferSameLettersThenPrefixes() {
        XCTAssertEqual(BackMarketShippers.closest(to: "SEUR").first, "Seur")
        XCTAssertEqual(BackMarketShippers.closest(to: "PostNL").first, "Post NL")
        XCTAssertEqual(BackMarketShippers.closest(to: "Bpost").first, "BPost")
        XCTAssertEqual(BackMarketShippers.closest(to: "dpd fr"), ["DPD FR", "DPD"])
        XCTAssertEqual(BackMarketShippers.closest(to: "Mondial Relay").count, 3, "no related name: the nearest three")
    }

    func testOtherWarnings() throws {
        let disabled = try XCTUnwrap(F.parse(F.oneChannel(F.backMarket, ["enabled": false])))
        XCTAssertEqual(disabled.warnings().map(\.description), ["config: channels: no channel is enabled; the daemon will do nothing"])
        let rules = [["carrier": "colissimo"], ["channel": "sp", "shipping_method": "X*", "carrier": "colissimo"]]
        let shadowed = try XCTUnwrap(F.parse(F.document(["shipping_rules": rules])))
        XCTAssertEqual(shadowed.warnings().map(\.description),
                       ["config: shipping_rules[1]: never matches: shipping_rules[0] matches every shipping method of every channel first"])
    }

    // MARK: Collecting

    func testEveryProblemIsCollectedAndNoneRepeated() {
        let document = F.document(channels: [
            F.edit(F.backMarket, ["id": "Bad Id", "region": "mars", "token": nil, "user_agent": 3, "poll_interval_seconds": 1]),
            F.edit(F.spartoo, ["sites": ["xx", "FR"], "hosts": ["de": "https://d.example"]]),
            F.edit(F.wooCommerce, ["type": "shopify", "statuses": []]),
        ], ["resweep_days": 0])
        assertProblems(document, [
            "config: channels[0].token: exactly one of token, token_file, token_env must be given (found none)",
            "config: channels[0].region: must be one of eu, us, ap (got \"mars\")",
            "config: channels[0].user_agent: expected string, got integer",
            "config: channels[2].type: must be one of backmarket, spartoo, woocommerce (got \"shopify\")",
            "config: resweep_days: must be at least 1 (got 0)",
            "config: channels[0].id: must match [a-z0-9-]+ (got \"Bad Id\")",
            "config: channels[0].poll_interval_seconds: must be at least 10 (got 1)",
            "config: channels[1].sites[1]: must be a 2-letter lowercase site code such as fr or es (got \"FR\")",
            "config: channels[1].hosts.de: site \"de\" is not in sites (xx, FR)",
        ])
    }
}
