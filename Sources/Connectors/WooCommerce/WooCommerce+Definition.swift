import Foundation
import OrderSync

extension ChannelType {
    /// WooCommerce (`"type": "woocommerce"`).
    public static let woocommerce = ChannelType(rawValue: "woocommerce")
}

extension ChannelSettings {
    /// A `woocommerce` channel's settings.
    public static func woocommerce(_ settings: WooCommerceSettings) -> ChannelSettings { ChannelSettings(settings) }
}

extension ChannelSecrets {
    /// A `woocommerce` channel's resolved key and secret.
    public static func woocommerce(consumerKey: Secret, consumerSecret: Secret) -> ChannelSecrets {
        ChannelSecrets(["consumer_key": consumerKey, "consumer_secret": consumerSecret])
    }
}

extension WooCommerceSettings: ChannelSettingsValue {
    public static var channelType: ChannelType { .woocommerce }
    public var secretSources: [(key: String, source: SecretSource)] {
        [("consumer_key", consumerKey), ("consumer_secret", consumerSecret)]
    }
    public var summary: String { "statuses \(statuses.joined(separator: ",")), tracking \(tracking.rawValue)" }
}

extension WooCommerceChannel {
    /// The `woocommerce` channel type.
    public static let definition = ChannelDefinition(
        type: .woocommerce,
        displayName: "WooCommerce",
        settingsKeys: ConfigDecoder.secretKeys("consumer_key") + ConfigDecoder.secretKeys("consumer_secret")
            + ["statuses", "tracking", "complete_on_ship", "auth"],
        // A shop has no built-in host.
        requiresBaseURL: true,
        decodeSettings: { object, path, decoder in WooCommerceSettings.decode(object, at: path, &decoder) },
        // The cancel reason is written to the order as a private note.
        capabilities: {
            var capabilities = ChannelCapabilities(hasAcceptStep: false, shipsPerLine: true, recordsIMEI: false,
                                                   needsCarrierName: false, sendsCancelReason: true, refunds: .amountsOrLines)
            capabilities.holdsMirrors = true
            capabilities.listsRefundsAsReturns = true
            return capabilities
        }(),
        // A shop has no marketplace deadline.
        defaultShipWithinHours: nil,
        cursorSummary: { cursor, now in WooCommerceChannel.cursorSummary(cursor, now: now) },
        makeConnector: { factory, channel, index, config, secrets, logger in
            try make(factory, channel, index: index, config: config, secrets: secrets, logger: logger)
        })

    /// The WooCommerce connector for one configured channel: `base_url` (required), the consumer key and
    /// secret, and the channel's statuses, tracking mode and auth.
    static func make(_ factory: ChannelFactory, _ channel: ChannelConfig, index: Int, config: Config,
                     secrets: ChannelSecrets?, logger: Logger) throws -> any ChannelConnector {
        guard let woo = channel.settings.as(WooCommerceSettings.self) else {
            throw ChannelFactory.wrongSettings(channel, index: index)
        }
        guard let key = secrets?["consumer_key"], let secret = secrets?["consumer_secret"] else {
            throw ConfigError(problems: [ConfigProblem(path: "channels[\(index)].consumer_key", reason: "secret not resolved")])
        }
        guard let baseURL = channel.effectiveBaseURL() else {
            throw ConfigError(problems: [ConfigProblem(path: "channels[\(index)].base_url", reason: "required for a woocommerce channel")])
        }
        // Basic auth sends the secret in clear over http: only to this machine (tests, the demo).
        if baseURL.scheme?.lowercased() == "http", !ConfigText.isLoopbackHost(baseURL.host ?? "") {
            throw ConfigError(problems: [ConfigProblem(path: "channels[\(index)].base_url",
                                                       reason: "http:// is only allowed for loopback hosts; use https://")])
        }
        // wc/v3 has no rate limit but hosts do (Wordfence, 503 bursts): one request at a time, gently paced.
        let http = ChannelHTTP(transport: factory.transport, minimumSpacing: factory.spacing(default: 0.1),
                               timeout: factory.timeout, logger: logger)
        return WooCommerceChannel(id: channel.id, baseURL: baseURL, consumerKey: key, consumerSecret: secret,
                                  statuses: woo.statuses, tracking: woo.tracking, completeOnShip: woo.completeOnShip,
                                  auth: woo.auth, carriers: config.carriers, resweepDays: config.resweepDays,
                                  http: http, logger: logger)
    }
}
