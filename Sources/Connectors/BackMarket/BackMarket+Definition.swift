import Foundation
import OrderSync

extension ChannelType {
    /// Back Market (`"type": "backmarket"`).
    public static let backmarket = ChannelType(rawValue: "backmarket")
}

extension ChannelSettings {
    /// A `backmarket` channel's settings.
    public static func backmarket(_ settings: BackMarketSettings) -> ChannelSettings { ChannelSettings(settings) }
}

extension ChannelSecrets {
    /// A `backmarket` channel's resolved token.
    public static func backmarket(token: Secret) -> ChannelSecrets { ChannelSecrets(["token": token]) }
}

extension BackMarketSettings: ChannelSettingsValue {
    public static var channelType: ChannelType { .backmarket }
    public var secretSources: [(key: String, source: SecretSource)] { [("token", token)] }
    /// `base_url`, else the region and environment's host.
    public func effectiveBaseURL(channel: ChannelConfig, site: String?) -> URL? { channel.baseURL ?? defaultBaseURL }
    public var summary: String { "\(region.rawValue) \(environment.rawValue)" }
}

extension BackMarketChannel {
    /// The `backmarket` channel type.
    public static let definition = ChannelDefinition(
        type: .backmarket,
        displayName: "Back Market",
        settingsKeys: ConfigDecoder.secretKeys("token")
            + ["region", "environment", "user_agent", "accept_language", "imei_required_for", "enforce_imei"],
        decodeSettings: { object, path, decoder in BackMarketSettings.decode(object, at: path, &decoder) },
        carrierNameAdvice: { name in BackMarketShippers.advice(for: name) },
        // `UpdateOrder.shipper` is a free string in Back Market's spec: any configured name is sent as written
        // (check-config warns about names outside its Shipper list).
        capabilities: ChannelCapabilities(hasAcceptStep: true, shipsPerLine: false, recordsIMEI: true,
                                          needsCarrierName: true, identifiersOnSingleUnitLinesOnly: true,
                                          refunds: .wholeLines(partialAdvice: BackMarketChannel.partialRefundAdvice)),
        // Each order carries its own `expected_dispatch_date`: no `ship_within_hours` default.
        defaultShipWithinHours: nil,
        cancelRefusal: { order in
            // Line state 3 is shipped: Back Market handles a partly shipped order as a return.
            order.lines.contains(where: { $0.channelState == "3" })
                ? "a line is already shipped; Back Market handles that as a return" : nil
        },
        cursorSummary: { cursor, now in BackMarketChannel.cursorSummary(cursor, now: now) },
        makeConnector: { factory, channel, index, config, secrets, logger in
            guard let bm = channel.settings.as(BackMarketSettings.self) else {
                throw ChannelFactory.wrongSettings(channel, index: index)
            }
            guard let token = secrets?["token"] else {
                throw ConfigError(problems: [ConfigProblem(path: "channels[\(index)].token", reason: "secret not resolved")])
            }
            // Back Market: ~200 requests per 10 s before Cloudflare blocks; stay well under (≤ 10 per second).
            let http = ChannelHTTP(transport: factory.transport, minimumSpacing: factory.spacing(default: 0.1),
                                   timeout: factory.timeout, logger: logger)
            return BackMarketChannel(id: channel.id, baseURL: channel.effectiveBaseURL() ?? bm.defaultBaseURL,
                                     token: token, userAgent: bm.userAgent, acceptLanguage: bm.acceptLanguage,
                                     imeiPatterns: bm.imeiRequiredFor, acceptWithinHours: channel.acceptWithinHours,
                                     resweepDays: config.resweepDays, http: http, logger: logger)
        })
}
