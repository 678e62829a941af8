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
        if baseURL == nil, type.definition.requiresBaseURL {
            problems.add(key("base_url"), "required for a \(type.rawValue) channel")
        }
        settings.value.validate(channel: self, at: path, into: &problems)
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
