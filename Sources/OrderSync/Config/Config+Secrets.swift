extension Config {
    /// Reads every enabled channel's secrets. Call after ``validate()`` found nothing (or accept that an
    /// invalid source gives a problem here too). Disabled channels are skipped: their credentials may be absent.
    ///
    /// - Returns: secrets by channel id, and one problem per secret that could not be read, at the secret's
    ///   path (`channels[0].token_file`); reasons name the file or variable, never the content.
    public func resolvedSecrets(
        environment: [String: String]
    ) -> (secrets: [String: ChannelSecrets], problems: [ConfigProblem]) {
        var secrets: [String: ChannelSecrets] = [:]
        var problems: [ConfigProblem] = []
        for (index, channel) in channels.enumerated() where channel.enabled {
            let path = ConfigPath.index("channels", index)
            var resolved: [Secret] = []
            for (key, source) in channel.settings.secretSources {
                do throws(ConfigProblem) {
                    resolved.append(try source.resolve(environment: environment, path: ConfigPath.member(path, key)))
                } catch {
                    problems.append(error)
                }
            }
            guard resolved.count == channel.settings.secretSources.count else { continue }
            switch channel.settings {
            case .backmarket: secrets[channel.id] = .backmarket(token: resolved[0])
            case .spartoo: secrets[channel.id] = .spartoo(partnerID: resolved[0])
            case .woocommerce: secrets[channel.id] = .woocommerce(consumerKey: resolved[0], consumerSecret: resolved[1])
            }
        }
        return (secrets, problems)
    }

    /// Paths of the secrets written inline in the file (`channels[2].consumer_key`).
    public var inlineSecretPaths: [String] {
        let channelPaths: [String] = channels.enumerated().flatMap { index, channel -> [String] in
            channel.settings.secretSources.compactMap { key, source -> String? in
                guard case .inline = source else { return nil }
                return ConfigPath.member(ConfigPath.index("channels", index), key)
            }
        }
        guard case .inline = alerts?.webhook else { return channelPaths }
        return channelPaths + ["alerts.webhook_url"]
    }
}
