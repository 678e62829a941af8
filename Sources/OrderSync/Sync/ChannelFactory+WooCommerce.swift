import Foundation

extension ChannelFactory {
    /// Whether this build has a WooCommerce connector.
    static let wooCommerceImplemented = true

    /// The WooCommerce connector for one configured channel: `base_url` (required), the consumer key and
    /// secret from `ChannelSecrets.woocommerce`, and the channel's statuses, tracking mode and auth.
    func makeWooCommerce(_ channel: ChannelConfig, index: Int, config: Config, secrets: ChannelSecrets?,
                         logger: Logger) throws -> any ChannelConnector {
        guard case .woocommerce(let woo) = channel.settings else { throw ChannelFactory.notImplemented(channel, index: index) }
        guard case .woocommerce(let key, let secret)? = secrets else {
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
        let http = ChannelHTTP(transport: transport, minimumSpacing: spacing(default: 0.1), timeout: timeout, logger: logger)
        return WooCommerceChannel(id: channel.id, baseURL: baseURL, consumerKey: key, consumerSecret: secret,
                                  statuses: woo.statuses, tracking: woo.tracking, completeOnShip: woo.completeOnShip,
                                  auth: woo.auth, carriers: config.carriers, resweepDays: config.resweepDays,
                                  http: http, logger: logger)
    }
}
