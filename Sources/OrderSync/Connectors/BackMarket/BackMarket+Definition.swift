import Foundation

extension BackMarketChannel {
    /// The `backmarket` channel type.
    public static let definition = ChannelDefinition(
        type: .backmarket,
        displayName: "Back Market",
        // `UpdateOrder.shipper` is a free string in Back Market's spec: any configured name is sent as written
        // (check-config warns about names outside its Shipper list).
        capabilities: ChannelCapabilities(hasAcceptStep: true, shipsPerLine: false, recordsIMEI: true,
                                          needsCarrierName: true, identifiersOnSingleUnitLinesOnly: true),
        // Each order carries its own `expected_dispatch_date`: no `ship_within_hours` default.
        defaultShipWithinHours: nil,
        cancelRefusal: { order in
            // Line state 3 is shipped: Back Market handles a partly shipped order as a return.
            order.lines.contains(where: { $0.channelState == "3" })
                ? "a line is already shipped; Back Market handles that as a return" : nil
        },
        cursorSummary: { cursor, now in BackMarketChannel.cursorSummary(cursor, now: now) },
        makeConnector: { factory, channel, index, config, secrets, logger in
            guard case .backmarket(let bm) = channel.settings else { throw ChannelFactory.wrongSettings(channel, index: index) }
            guard case .backmarket(let token)? = secrets else {
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
