import Foundation
import OrderSync

extension ChannelType {
    /// Spartoo (`"type": "spartoo"`).
    public static let spartoo = ChannelType(rawValue: "spartoo")
}

extension ChannelSettings {
    /// A `spartoo` channel's settings.
    public static func spartoo(_ settings: SpartooSettings) -> ChannelSettings { ChannelSettings(settings) }
}

extension ChannelSecrets {
    /// A `spartoo` channel's resolved partner id.
    public static func spartoo(partnerID: Secret) -> ChannelSecrets { ChannelSecrets(["partner_id": partnerID]) }
}

extension SpartooSettings: ChannelSettingsValue {
    public static var channelType: ChannelType { .spartoo }
    public var secretSources: [(key: String, source: SecretSource)] { [("partner_id", partnerID)] }
    /// `hosts[site]`, else `base_url`, else the site's built-in host (`site` nil: the first site).
    public func effectiveBaseURL(channel: ChannelConfig, site: String?) -> URL? {
        let site = site ?? sites.first ?? "fr"
        return hosts[site] ?? channel.baseURL ?? baseURL(forSite: site)
    }
    public var summary: String { "sites \(sites.joined(separator: ","))" }
    public var aftersaleRereadDays: Int? { aftersaleDays }
}

extension SpartooChannel {
    /// The `spartoo` channel type.
    public static let definition = ChannelDefinition(
        type: .spartoo,
        displayName: "Spartoo",
        settingsKeys: ConfigDecoder.secretKeys("partner_id") + ["sites", "hosts", "fetch_slips", "aftersale_days"],
        decodeSettings: { object, path, decoder in SpartooSettings.decode(object, at: path, &decoder) },
        capabilities: ChannelCapabilities(hasAcceptStep: true, shipsPerLine: false, recordsIMEI: false, needsCarrierName: false,
                                          refunds: .none(advice: SpartooStates.refundAdvice), decidesReturns: true,
                                          marksParcelOutcomes: true),
        // Spartoo's back office: ship with tracking within 24 h of acceptance.
        defaultShipWithinHours: 24,
        deliverySlips: true,
        cursorSummary: { cursor, now in SpartooChannel.cursorSummary(cursor, now: now) },
        makeConnector: { factory, channel, index, config, secrets, logger in
            try make(factory, channel, index: index, config: config, secrets: secrets, logger: logger)
        })

    /// Pause between request starts on one Spartoo host. The hourly quota is unpublished (API notes §4;
    /// Lengow polls hourly): at most two calls a second per host keeps bursts (a push is three calls, a
    /// daily re-read one call per open order) gentle, and a −429 pauses the host until the next hour.
    static let requestSpacing: TimeInterval = 0.5

    /// Calls that may follow each other without the pause after a quiet spell: one push's calls (read,
    /// update, read back), so a shipment is not held back by its own spacing; the sustained rate is the same.
    static let requestBurst = 3

    /// The Spartoo connector for one configured channel: one endpoint per site (`hosts[site]`, else
    /// `base_url`, else the built-in host), the partner id, `state_dir/slips` when `fetch_slips` is on, and
    /// `state_dir/replies` for export replies streamed to disk.
    static func make(_ factory: ChannelFactory, _ channel: ChannelConfig, index: Int, config: Config,
                     secrets: ChannelSecrets?, logger: Logger) throws -> any ChannelConnector {
        guard let settings = channel.settings.as(SpartooSettings.self) else {
            throw ChannelFactory.wrongSettings(channel, index: index)
        }
        guard let partnerID = secrets?["partner_id"] else {
            throw ConfigError(problems: [ConfigProblem(path: "channels[\(index)].partner_id", reason: "secret not resolved")])
        }
        let endpoints = settings.sites.map { site in
            SpartooEndpoint(site: site, baseURL: channel.effectiveBaseURL(site: site) ?? settings.baseURL(forSite: site))
        }
        let slips = settings.fetchSlips
            ? URL(fileURLWithPath: config.stateDir, isDirectory: true).appendingPathComponent("slips", isDirectory: true)
            : nil
        return SpartooChannel(id: channel.id, endpoints: endpoints, partnerID: partnerID, transport: factory.transport,
                              minimumSpacing: factory.spacing(default: requestSpacing), timeout: factory.timeout,
                              slipsDirectory: slips, replyDirectory: ReplyFiles.directory(stateDir: config.stateDir),
                              logger: logger, followsReturns: true)
    }
}
