import Foundation

/// Builds connectors from the config through each type's ``ChannelDefinition``.
public struct ChannelFactory: Sendable {
    public let transport: any HTTPTransport
    public let environment: [String: String]
    /// Per-request timeout; `ORDERSYNC_HTTP_TIMEOUT` (seconds) overrides it, for tests of slow channels.
    public let timeout: TimeInterval

    public init(transport: any HTTPTransport = URLSessionTransport(), environment: [String: String]) {
        self.transport = transport
        self.environment = environment
        self.timeout = environment["ORDERSYNC_HTTP_TIMEOUT"].flatMap(TimeInterval.init) ?? 30
        self.spacingOverride = environment["ORDERSYNC_MIN_REQUEST_SPACING"].flatMap(TimeInterval.init).map { max(0, $0) }
    }

    /// `ORDERSYNC_MIN_REQUEST_SPACING` (seconds): replaces every channel's pacing, for benchmarks against
    /// the local simulators (never lower it against a real marketplace).
    public let spacingOverride: TimeInterval?

    /// The pacing for a channel: its documented safe spacing unless overridden.
    public func spacing(default value: TimeInterval) -> TimeInterval { spacingOverride ?? value }

    /// The error for a channel whose settings are not its definition's (a programming error, reported not trapped).
    public static func wrongSettings(_ channel: ChannelConfig, index: Int) -> ConfigError {
        ConfigError(problems: [ConfigProblem(
            path: "channels[\(index)].type",
            reason: "the settings of channel \"\(channel.id)\" do not belong to type \"\(channel.type.rawValue)\"")])
    }

    /// The connector for one configured channel.
    /// `secrets` are the channel's resolved credentials (`ConfigLoader.loadWithSecrets`).
    public func make(_ channel: ChannelConfig, index: Int, config: Config, secrets: ChannelSecrets?,
                     logger: Logger) throws -> any ChannelConnector {
        try channel.type.definition.makeConnector(self, channel, index, config, secrets, logger)
    }

    /// The planner for `ship` on this channel.
    public static func planner(for channel: ChannelConfig, config: Config) -> ShipmentPlanner {
        ShipmentPlanner(channelType: channel.type, capabilities: capabilities(of: channel.type),
                        carriers: config.carriers, enforceIMEI: channel.enforceIMEI)
    }

    /// What each channel type can do (used before a connector exists, e.g. by the CLI).
    public static func capabilities(of type: ChannelType) -> ChannelCapabilities {
        type.definition.capabilities
    }

    /// The channel's cursor in one line for `status` (the whole cursor stays in `status --json`).
    public static func cursorSummary(type: ChannelType, cursor: String?, now: Date) -> String? {
        guard let cursor else { return nil }
        return type.definition.cursorSummary(cursor, now)
    }
}
