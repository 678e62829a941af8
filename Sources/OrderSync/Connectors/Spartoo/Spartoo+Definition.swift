import Foundation

extension SpartooChannel {
    /// The `spartoo` channel type.
    public static let definition = ChannelDefinition(
        type: .spartoo,
        displayName: "Spartoo",
        capabilities: ChannelCapabilities(hasAcceptStep: true, shipsPerLine: false, recordsIMEI: false, needsCarrierName: false),
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

    /// The Spartoo connector for one configured channel: one endpoint per site (`hosts[site]`, else
    /// `base_url`, else the built-in host), the partner id, and `state_dir/slips` when `fetch_slips` is on.
    static func make(_ factory: ChannelFactory, _ channel: ChannelConfig, index: Int, config: Config,
                     secrets: ChannelSecrets?, logger: Logger) throws -> any ChannelConnector {
        guard case .spartoo(let settings) = channel.settings else { throw ChannelFactory.wrongSettings(channel, index: index) }
        guard case .spartoo(let partnerID)? = secrets else {
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
                              slipsDirectory: slips, logger: logger)
    }
}
