import Foundation

extension ChannelFactory {
    /// Whether this build has a Spartoo connector.
    static let spartooImplemented = false

    /// The Spartoo connector for one configured channel.
    func makeSpartoo(_ channel: ChannelConfig, index: Int, config: Config, secrets: ChannelSecrets?,
                     logger: Logger) throws -> any ChannelConnector {
        throw ChannelFactory.notImplemented(channel, index: index)
    }
}
