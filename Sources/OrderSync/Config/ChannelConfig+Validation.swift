import Foundation

extension ChannelConfig {
    /// The channel's rules; `path` is `channels[N]`. Pure.
    func validate(at path: String, topLevelPollInterval: Int, into problems: inout ConfigProblemList) {
        let key = { (name: String) in ConfigPath.member(path, name) }
        if id.isEmpty {
            problems.add(key("id"), "must not be empty")
        } else if !ConfigText.isIdentifier(id) {
            problems.add(key("id"), "must match [a-z0-9-]+ (got \(ConfigText.quoted(id)))")
        }
        // An interval inherited from a too-small top-level value is reported once, at the top level.
        let inheritedBad = pollIntervalSeconds == topLevelPollInterval
            && topLevelPollInterval < Config.minimumPollIntervalSeconds
        if pollIntervalSeconds < Config.minimumPollIntervalSeconds && !inheritedBad {
            problems.add(key("poll_interval_seconds"),
                         "must be at least \(Config.minimumPollIntervalSeconds) (got \(pollIntervalSeconds))")
        }
        if hasAcceptStep {
            if !Self.acceptWithinHoursRange.contains(acceptWithinHours) {
                problems.add(key("accept_within_hours"), "must be between \(Self.acceptWithinHoursRange.lowerBound) "
                    + "and \(Self.acceptWithinHoursRange.upperBound) (got \(acceptWithinHours))")
            }
        } else {
            let reason = "not allowed on a \(type.rawValue) channel (it has no acceptance step)"
            if autoAccept { problems.add(key("auto_accept"), reason) }
            if acceptWithinHours != Self.defaultAcceptWithinHours { problems.add(key("accept_within_hours"), reason) }
        }
        if let hours = shipWithinHoursSetting, !Self.shipWithinHoursRange.contains(hours) {
            problems.add(key("ship_within_hours"), "must be between \(Self.shipWithinHoursRange.lowerBound) "
                + "and \(Self.shipWithinHoursRange.upperBound) (got \(hours))")
        }
        if let baseURL { problems.checkAPIURL(baseURL, at: key("base_url")) }
        for (name, source) in settings.secretSources {
            source.validate(at: key(name), into: &problems)
        }
        switch settings {
        case .backmarket(let bm): bm.validate(at: path, into: &problems)
        case .spartoo(let spartoo): spartoo.validate(at: path, into: &problems)
        case .woocommerce(let woo):
            if baseURL == nil { problems.add(key("base_url"), "required for a woocommerce channel") }
            woo.validate(at: path, into: &problems)
        }
    }
}

extension SecretSource {
    /// Shape only (no reading): inline non-empty, file path absolute, variable name well-formed.
    func validate(at basePath: String, into problems: inout ConfigProblemList) {
        let path = basePath + keySuffix
        switch self {
        case .inline(let secret):
            if secret.isEmpty { problems.add(path, "must not be empty") }
        case .file(let file):
            if file.isEmpty {
                problems.add(path, "must not be empty")
            } else if !file.hasPrefix("/") && !Self.usesCredentialsDirectory(file) {
                problems.add(path, "must be an absolute path or start with ${CREDENTIALS_DIRECTORY} "
                    + "(got \(ConfigText.quoted(file)))")
            }
        case .environment(let name):
            let valid = name.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } == true
                && name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
            if !valid { problems.add(path, "must be an environment variable name (got \(ConfigText.quoted(name)))") }
        }
    }
}

extension BackMarketSettings {
    func validate(at path: String, into problems: inout ConfigProblemList) {
        let key = { (name: String) in ConfigPath.member(path, name) }
        // Back Market: `User-Agent: BM-{Company}-{Integration};{contact email}` on every call, else 403.
        problems.checkHeaderValue(userAgent, at: key("user_agent"),
                                  emptyHint: " (Back Market requires BM-{Company}-{Integration};{email})")
        if !userAgent.trimmingCharacters(in: .whitespaces).isEmpty && !userAgent.contains(";") {
            problems.add(key("user_agent"), "must look like BM-{Company}-{Integration};{email} (no \";\" before the contact e-mail)")
        }
        let languageOK = acceptLanguage.split(separator: "-", omittingEmptySubsequences: false).enumerated().allSatisfy {
            index, part in
            let range = index == 0 ? 2...3 : 2...8
            return range.contains(part.count) && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
        }
        if !languageOK {
            problems.add(key("accept_language"), "must be a language tag such as fr-fr, en-gb or ja-jp (got \(ConfigText.quoted(acceptLanguage)))")
        }
        for (index, pattern) in imeiRequiredFor.enumerated() where pattern.isEmpty {
            problems.add(ConfigPath.index(key("imei_required_for"), index), "must not be empty")
        }
    }
}

extension SpartooSettings {
    func validate(at path: String, into problems: inout ConfigProblemList) {
        let sitesPath = ConfigPath.member(path, "sites")
        if sites.isEmpty { problems.add(sitesPath, "must list at least one site") }
        var seen: Set<String> = []
        for (index, site) in sites.enumerated() {
            let sitePath = ConfigPath.index(sitesPath, index)
            if site.count != 2 || !site.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) }) {
                problems.add(sitePath, "must be a 2-letter lowercase site code such as fr or es (got \(ConfigText.quoted(site)))")
            } else if !seen.insert(site).inserted {
                problems.add(sitePath, "duplicate site \(ConfigText.quoted(site))")
            }
        }
        let hostsPath = ConfigPath.member(path, "hosts")
        for (site, url) in hosts.sorted(by: { $0.key < $1.key }) {
            let hostPath = ConfigPath.member(hostsPath, site)
            if !sites.contains(site) {
                problems.add(hostPath, "site \(ConfigText.quoted(site)) is not in sites (\(sites.map(ConfigText.printable).joined(separator: ", ")))")
            }
            problems.checkAPIURL(url, at: hostPath)
        }
        if !Self.aftersaleDaysRange.contains(aftersaleDays) {
            problems.add(ConfigPath.member(path, "aftersale_days"), "must be between \(Self.aftersaleDaysRange.lowerBound) "
                + "and \(Self.aftersaleDaysRange.upperBound) days (got \(aftersaleDays))")
        }
    }
}

extension WooCommerceSettings {
    func validate(at path: String, into problems: inout ConfigProblemList) {
        let statusesPath = ConfigPath.member(path, "statuses")
        if statuses.isEmpty { problems.add(statusesPath, "must list at least one status") }
        var seen: Set<String> = []
        for (index, status) in statuses.enumerated() {
            let statusPath = ConfigPath.index(statusesPath, index)
            if status.trimmingCharacters(in: .whitespaces).isEmpty {
                problems.add(statusPath, "must not be empty")
            } else if Self.forbiddenStatuses.contains(status) {
                problems.add(statusPath, "\(ConfigText.quoted(status)) is never imported (drafts and trash are skipped)")
            } else if status.hasPrefix("wc-") {
                problems.add(statusPath, "write \(ConfigText.quoted(String(status.dropFirst(3)))) without the \"wc-\" prefix")
            } else if !seen.insert(status).inserted {
                problems.add(statusPath, "duplicate status \(ConfigText.quoted(status))")
            }
        }
    }
}
