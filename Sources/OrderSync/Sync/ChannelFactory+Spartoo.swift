import Foundation

extension ChannelFactory {
    /// Whether this build has a Spartoo connector.
    static let spartooImplemented = true

    /// Pause between request starts on one Spartoo host. The hourly quota is unpublished (API notes §4;
    /// Lengow polls hourly): at most two calls a second per host keeps bursts (a push is three calls, a
    /// daily re-read one call per open order) gentle, and a −429 pauses the host until the next hour.
    static let spartooRequestSpacing: TimeInterval = 0.5

    /// The Spartoo connector for one configured channel: one endpoint per site (`hosts[site]`, else
    /// `base_url`, else the built-in host), the partner id, and `state_dir/slips` when `fetch_slips` is on.
    func makeSpartoo(_ channel: ChannelConfig, index: Int, config: Config, secrets: ChannelSecrets?,
                     logger: Logger) throws -> any ChannelConnector {
        guard case .spartoo(let settings) = channel.settings else { throw ChannelFactory.notImplemented(channel, index: index) }
        guard case .spartoo(let partnerID)? = secrets else {
            throw ConfigError(problems: [ConfigProblem(path: "channels[\(index)].partner_id", reason: "secret not resolved")])
        }
        let endpoints = settings.sites.map { site in
            SpartooEndpoint(site: site, baseURL: channel.effectiveBaseURL(site: site) ?? settings.baseURL(forSite: site))
        }
        let slips = settings.fetchSlips
            ? URL(fileURLWithPath: config.stateDir, isDirectory: true).appendingPathComponent("slips", isDirectory: true)
            : nil
        return SpartooChannel(id: channel.id, endpoints: endpoints, partnerID: partnerID, transport: transport,
                              minimumSpacing: spacing(default: Self.spartooRequestSpacing), timeout: timeout, slipsDirectory: slips,
                              logger: logger)
    }
}
