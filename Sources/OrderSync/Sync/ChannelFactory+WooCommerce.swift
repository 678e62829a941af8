import Foundation

extension ChannelFactory {
    /// Whether this build has a WooCommerce connector.
    static let wooCommerceImplemented = false

    /// The WooCommerce connector for one configured channel.
    func makeWooCommerce(_ channel: ChannelConfig, index: Int, config: Config, secrets: ChannelSecrets?,
                         logger: Logger) throws -> any ChannelConnector {
        throw ChannelFactory.notImplemented(channel, index: index)
    }
}
