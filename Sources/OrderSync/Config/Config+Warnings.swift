extension Config {
    /// Advice that does not make the config invalid: no enabled channel, each type's own advice (its
    /// settings' warnings, carrier names it may not know), shipping rules that can never match. Pure.
    public func warnings() -> [ConfigProblem] {
        var warnings = ConfigProblemList()
        if !channels.isEmpty && !channels.contains(where: \.enabled) {
            warnings.add("channels", "no channel is enabled; the daemon will do nothing")
        }
        for (index, channel) in channels.enumerated() {
            channel.settings.value.warnings(channel: channel, at: ConfigPath.index("channels", index), into: &warnings)
        }
        for carrier in carrierList {
            for definition in ChannelRegistry.definitions {
                guard let advise = definition.carrierNameAdvice, let name = carrier.name(for: definition.type),
                    !name.isEmpty, let advice = advise(name)
                else { continue }
                let path = ConfigPath.member(ConfigPath.member(ConfigPath.member("carriers", carrier.key), "names"),
                                             definition.type.rawValue)
                warnings.add(path, advice)
            }
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
}
