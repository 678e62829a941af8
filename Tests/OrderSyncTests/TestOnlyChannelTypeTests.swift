import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// A channel type defined here, in the tests, with no line in any core file: a definition (keys,
/// decoding, validation, a secret, capabilities, a connector) registered with ``ChannelRegistry``.
enum LedgerChannel {
    static let type = ChannelType(rawValue: "ledger")

    /// `shop_code`: three lowercase letters; `api_key` / `api_key_file` / `api_key_env`: the secret.
    struct Settings: ChannelSettingsValue, Equatable {
        static var channelType: ChannelType { LedgerChannel.type }
        var apiKey: SecretSource
        var shopCode: String

        var secretSources: [(key: String, source: SecretSource)] { [("api_key", apiKey)] }
        var summary: String { "shop \(shopCode)" }

        func validate(channel: ChannelConfig, at path: String, into problems: inout ConfigProblemList) {
            if shopCode.count != 3 || !shopCode.allSatisfy({ $0.isASCII && $0.isLowercase }) {
                problems.add(ConfigPath.member(path, "shop_code"), "must be three lowercase letters (got \(ConfigText.quoted(shopCode)))")
            }
        }

        static func decode(_ object: ConfigJSON.Object, at path: String, _ decoder: inout ConfigDecoder) -> Settings {
            Settings(apiKey: decoder.secret(object, "api_key", at: path) ?? .inline(Secret("")),
                     shopCode: decoder.string(object, "shop_code", at: path, required: true) ?? "")
        }
    }

    /// Lists one order on every poll; remembers the key it was built with.
    struct Connector: ChannelConnector {
        let id: String
        let apiKey: Secret
        var capabilities: ChannelCapabilities { LedgerChannel.definition.capabilities }

        func poll(cursor: String?, now: Date, deliver: @Sendable (OrderPage) async throws -> Void) async throws -> String {
            let order = Order(ref: OrderRef(channel: id, externalID: "L-1"), channelType: LedgerChannel.type.rawValue,
                              status: .awaitingShipment, channelStatus: "open",
                              lines: [OrderLine(lineID: "1", sku: "SKU-1", name: "Ledger item", quantity: 1, unitPrice: nil)])
            try await deliver(OrderPage(orders: [FetchedOrder(order: order, raw: Data(#"{"id":"L-1"}"#.utf8))]))
            return "after-L-1"
        }

        func fetchOrder(externalID: String) async throws -> FetchedOrder? { nil }

        func push(_ job: Job, order: Order) async throws -> PushResult {
            PushResult(outcome: .pushed("noted"), refreshed: nil)
        }
    }

    static let definition = ChannelDefinition(
        type: type, displayName: "Ledger",
        settingsKeys: ConfigDecoder.secretKeys("api_key") + ["shop_code"],
        decodeSettings: { object, path, decoder in Settings.decode(object, at: path, &decoder) },
        capabilities: ChannelCapabilities(hasAcceptStep: false, shipsPerLine: true, recordsIMEI: false, needsCarrierName: false),
        defaultShipWithinHours: 48,
        cursorSummary: { cursor, _ in "ledger at \(cursor)" },
        makeConnector: { _, channel, index, _, secrets, _ in
            guard let key = secrets?["api_key"] else {
                throw ConfigError(problems: [ConfigProblem(path: "channels[\(index)].api_key", reason: "secret not resolved")])
            }
            return Connector(id: channel.id, apiKey: key)
        })
}

final class TestOnlyChannelTypeTests: StoreTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        ChannelRegistry.register(LedgerChannel.definition)
    }

    override func tearDown() {
        ChannelRegistry.unregister(LedgerChannel.type)
        super.tearDown()
    }

    private func parse(_ channel: String) -> (Config?, [ConfigProblem]) {
        ConfigLoader.parse(data: Data(#"{"state_dir": "/var/lib/ordersync", "channels": [\#(channel)]}"#.utf8))
    }

    func testATestOnlyChannelTypeParsesValidatesAndPollsThroughTheCore() async throws {
        let (parsed, problems) = parse(#"{"id": "books", "type": "ledger", "shop_code": "abc", "api_key": "k-1234"}"#)
        XCTAssertEqual(problems, [])
        let config = try XCTUnwrap(parsed)
        let channel = config.channels[0]
        XCTAssertEqual(channel.type, LedgerChannel.type)
        XCTAssertEqual(channel.settings.as(LedgerChannel.Settings.self)?.shopCode, "abc")
        XCTAssertFalse(channel.hasAcceptStep)
        XCTAssertEqual(channel.shipWithinHours, 48, "the type's default comes from its definition")
        XCTAssertTrue(channel.summary.hasPrefix("books: ledger, shop abc"), channel.summary)
        XCTAssertEqual(config.inlineSecretPaths, ["channels[0].api_key"])

        let (secrets, secretProblems) = config.resolvedSecrets(environment: [:])
        XCTAssertEqual(secretProblems, [])
        let connector = try ChannelFactory(environment: [:])
            .make(channel, index: 0, config: config, secrets: secrets["books"], logger: .discarding)
        XCTAssertEqual((connector as? LedgerChannel.Connector)?.apiKey.reveal(), "k-1234")

        let ingest = Ingest(store: store, channelID: "books", autoAccept: false, rules: [], logger: .discarding)
        let poller = Poller(connector: connector, ingest: ingest, interval: 60, logger: .discarding, onCycle: {})
        try await poller.pollOnce()
        let stored = try XCTUnwrap(try store.order(OrderRef(channel: "books", externalID: "L-1")))
        XCTAssertEqual(stored.order.status, .awaitingShipment)
        XCTAssertEqual(try store.cursor(channel: "books"), "after-L-1")
        XCTAssertEqual(ChannelFactory.cursorSummary(type: channel.type, cursor: "after-L-1", now: Date()), "ledger at after-L-1")
    }

    func testATestOnlyChannelTypesOwnValidationAndKeysApply() {
        let (_, problems) = parse(#"{"id": "books", "type": "ledger", "shop_code": "ABCD", "api_key": "k", "auto_accept": true}"#)
        XCTAssertEqual(problems.map(\.path).sorted(), ["channels[0].auto_accept", "channels[0].shop_code"], "\(problems)")
        XCTAssertTrue(problems.contains { $0.reason.contains("no acceptance step") }, "\(problems)")
        let (_, missing) = parse(#"{"id": "books", "type": "ledger", "api_key": "k"}"#)
        XCTAssertEqual(missing.map(\.path), ["channels[0].shop_code"], "\(missing)")
    }

    func testATypeNoDefinitionKnowsIsRefusedNamingTheKnownTypes() {
        let (_, problems) = parse(#"{"id": "books", "type": "abacus"}"#)
        let problem = problems.first { $0.path == "channels[0].type" }
        XCTAssertNotNil(problem, "\(problems)")
        XCTAssertTrue(problem?.reason.contains("ledger") == true, "\(problems)")
    }
}
