import Foundation

/// Builds connectors from the config. A channel type without a connector yet is refused with a clear
/// message, never ignored.
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

    /// Channel types this build can talk to.
    public static var implementedTypes: Set<ChannelType> {
        var types: Set<ChannelType> = [.backmarket]
        if spartooImplemented { types.insert(.spartoo) }
        if wooCommerceImplemented { types.insert(.woocommerce) }
        return types
    }

    static func notImplemented(_ channel: ChannelConfig, index: Int) -> ConfigError {
        ConfigError(problems: [ConfigProblem(
            path: "channels[\(index)].type",
            reason: "channel type \"\(channel.type.rawValue)\" is not implemented in this version (available: "
                + implementedTypes.map(\.rawValue).sorted().joined(separator: ", ") + ")")])
    }

    /// The connector for one configured channel.
    /// `secrets` are the channel's resolved credentials (`ConfigLoader.loadWithSecrets`).
    public func make(_ channel: ChannelConfig, index: Int, config: Config, secrets: ChannelSecrets?,
                     logger: Logger) throws -> any ChannelConnector {
        switch channel.settings {
        case .backmarket(let bm):
            guard case .backmarket(let token)? = secrets else {
                throw ConfigError(problems: [ConfigProblem(path: "channels[\(index)].token", reason: "secret not resolved")])
            }
            // Back Market: ~200 requests per 10 s before Cloudflare blocks; stay well under (≤ 10 per second).
            let http = ChannelHTTP(transport: transport, minimumSpacing: spacing(default: 0.1), timeout: timeout, logger: logger)
            return BackMarketChannel(id: channel.id, baseURL: channel.effectiveBaseURL() ?? bm.defaultBaseURL,
                                     token: token, userAgent: bm.userAgent, acceptLanguage: bm.acceptLanguage,
                                     imeiPatterns: bm.imeiRequiredFor, acceptWithinHours: channel.acceptWithinHours,
                                     resweepDays: config.resweepDays, http: http, logger: logger)
        case .spartoo:
            return try makeSpartoo(channel, index: index, config: config, secrets: secrets, logger: logger)
        case .woocommerce:
            return try makeWooCommerce(channel, index: index, config: config, secrets: secrets, logger: logger)
        }
    }

    /// Problems that stop `run` for channel types not implemented yet (enabled channels only).
    public static func unimplemented(in config: Config) -> [ConfigProblem] {
        config.channels.enumerated().compactMap { index, channel in
            guard channel.enabled, !implementedTypes.contains(channel.type) else { return nil }
            return notImplemented(channel, index: index).problems.first
        }
    }

    /// The planner for `ship` on this channel.
    public static func planner(for channel: ChannelConfig, config: Config) -> ShipmentPlanner {
        var enforce = true
        if case .backmarket(let bm) = channel.settings { enforce = bm.enforceIMEI }
        return ShipmentPlanner(channelType: channel.type, capabilities: capabilities(of: channel.type),
                               carriers: config.carriers, enforceIMEI: enforce)
    }

    /// What each channel type can do (used before a connector exists, e.g. by the CLI).
    public static func capabilities(of type: ChannelType) -> ChannelCapabilities {
        switch type {
        case .backmarket:
            // `UpdateOrder.shipper` is a free string in Back Market's spec: any configured name is sent as written
            // (check-config warns about names outside its Shipper list).
            ChannelCapabilities(hasAcceptStep: true, shipsPerLine: false, recordsIMEI: true, needsCarrierName: true)
        case .spartoo:
            ChannelCapabilities(hasAcceptStep: true, shipsPerLine: false, recordsIMEI: false, needsCarrierName: false)
        case .woocommerce:
            // The cancel reason is written to the order as a private note.
            ChannelCapabilities(hasAcceptStep: false, shipsPerLine: true, recordsIMEI: false, needsCarrierName: false,
                                sendsCancelReason: true)
        }
    }

    /// The channel's cursor in one line for `status` (the whole cursor stays in `status --json`).
    public static func cursorSummary(type: ChannelType, cursor: String?, now: Date) -> String? {
        guard let cursor else { return nil }
        switch type {
        case .backmarket: return BackMarketChannel.cursorSummary(cursor, now: now)
        case .spartoo: return SpartooChannel.cursorSummary(cursor, now: now)
        case .woocommerce: return WooCommerceChannel.cursorSummary(cursor, now: now)
        }
    }
}
