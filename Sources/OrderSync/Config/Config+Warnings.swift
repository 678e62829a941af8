extension Config {
    /// Advice that does not make the config invalid: shipper names Back Market may not know, a `user_agent`
    /// not shaped like Back Market asks, no enabled channel, shipping rules that can never match. Pure.
    public func warnings() -> [ConfigProblem] {
        var warnings = ConfigProblemList()
        if !channels.isEmpty && !channels.contains(where: \.enabled) {
            warnings.add("channels", "no channel is enabled; the daemon will do nothing")
        }
        for (index, channel) in channels.enumerated() {
            guard case .backmarket(let bm) = channel.settings, bm.userAgent.contains(";"),
                !Self.looksLikeBackMarketUserAgent(bm.userAgent)
            else { continue }
            warnings.add(ConfigPath.member(ConfigPath.index("channels", index), "user_agent"),
                         "does not look like BM-{Company}-{Integration};{email} (got \(ConfigText.quoted(bm.userAgent)))")
        }
        for carrier in carrierList {
            guard let name = carrier.name(for: .backmarket), !name.isEmpty,
                !BackMarketShippers.known.contains(name)
            else { continue }
            let path = ConfigPath.member(ConfigPath.member(ConfigPath.member("carriers", carrier.key), "names"), "backmarket")
            let closest = BackMarketShippers.closest(to: name).map(ConfigText.quoted).joined(separator: ", ")
            warnings.add(path, "\(ConfigText.quoted(name)) is not in Back Market's Shipper list; closest: \(closest). "
                + "It is sent as written; Back Market may refuse the shipment")
        }
        for (index, rule) in shippingRules.enumerated() {
            guard let earlier = shippingRules.prefix(index).firstIndex(where: { previous in
                previous.shippingMethod.allSatisfy { $0 == "*" } && !previous.shippingMethod.isEmpty
                    && (previous.channel == "*" || previous.channel == rule.channel)
            }) else { continue }
            let scope = shippingRules[earlier].channel == "*" ? "every channel" : "channel \(ConfigText.printable(rule.channel))"
            warnings.add(ConfigPath.index("shipping_rules", index),
                         "never matches: shipping_rules[\(earlier)] matches every shipping method of \(scope) first")
        }
        return warnings.items
    }

    /// `BM-{Company}-{Integration};{email}`: a `BM-` prefix, two more dash-separated parts, an e-mail after `;`.
    static func looksLikeBackMarketUserAgent(_ value: String) -> Bool {
        let halves = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)
        guard halves.count == 2, halves[0].hasPrefix("BM-") else { return false }
        let parts = halves[0].dropFirst(3).split(separator: "-", omittingEmptySubsequences: false)
        let email = halves[1].trimmingPrefix(" ")
        let at = email.firstIndex(of: "@")
        return parts.count >= 2 && parts.allSatisfy { !$0.isEmpty } && at != nil
            && at != email.startIndex && email[at!...].count > 1 && !email.contains(" ")
    }
}
