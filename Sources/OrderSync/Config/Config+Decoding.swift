import Foundation

/// The result of decoding: a config built over the defaults (with placeholders where a value was unusable),
/// the problems found, and the paths whose validation problems would only repeat them.
struct DecodedConfig {
    /// Nil only when the document is not a JSON object.
    var config: Config?
    var problems: [ConfigProblem]
    var suppressed: Set<String>

    /// True when `path` lies under a path that decoding already reported or gave up on.
    func isSuppressed(_ path: String) -> Bool {
        suppressed.contains { ConfigPath.path(path, isWithin: $0) }
    }
}

/// JSON tree → ``Config``: types, required keys and unknown keys. Rules about values live in validation.
enum ConfigDecoding {
    typealias Value = ConfigJSON.Value
    typealias Object = ConfigJSON.Object

    static let topLevelKeys = [
        "state_dir", "log", "inbox_dir", "poll_interval_seconds", "resweep_days", "channels", "carriers",
        "shipping_rules", "alerts", "metrics_file", "mirror",
    ]
    static let logKeys = ["file", "level"]
    static let carrierKeys = ["tracking_url", "names"]
    static let ruleKeys = ["channel", "shipping_method", "carrier"]
    static let commonChannelKeys = ["id", "type", "enabled", "poll_interval_seconds", "base_url", "ship_within_hours"]
    static let acceptStepKeys = ["auto_accept", "accept_within_hours"]

    /// The keys a channel of `type` may have.
    static func channelKeys(for type: ChannelType) -> [String] {
        let definition = type.definition
        return commonChannelKeys + (definition.capabilities.hasAcceptStep ? acceptStepKeys : []) + definition.settingsKeys
    }

    /// The types of ``ChannelRegistry``, in its order.
    static var types: [ChannelType] { ChannelRegistry.definitions.map(\.type) }

    static func decode(_ root: Value, sourcePath: String?) -> DecodedConfig {
        var decoder = ConfigDecoder()
        guard case .object(let object) = root else {
            decoder.typeMismatch(ConfigPath.root, expected: "object", got: root)
            return DecodedConfig(config: nil, problems: decoder.problems, suppressed: decoder.suppressed)
        }
        let path = ConfigPath.root
        decoder.checkKeys(object, at: path, allowed: topLevelKeys)

        let stateDir = decoder.string(object, "state_dir", at: path, required: true) ?? ""
        let log = decodeLog(object, &decoder)
        let inboxDir = decoder.string(object, "inbox_dir", at: path)
        let poll = decoder.int(object, "poll_interval_seconds", at: path) ?? Config.defaultPollIntervalSeconds
        let resweep = decoder.int(object, "resweep_days", at: path) ?? Config.defaultResweepDays

        var channels: [ChannelConfig] = []
        if let value = decoder.present(object, "channels") {
            if case .array(let items) = value {
                for (index, item) in items.enumerated() {
                    channels.append(decodeChannel(item, at: ConfigPath.index("channels", index), defaultPoll: poll, &decoder))
                }
            } else {
                decoder.typeMismatch("channels", expected: "array", got: value)
            }
        } else {
            decoder.missing(object, "channels", at: path)
        }

        var config = Config(
            stateDir: stateDir, log: log, inboxDir: inboxDir, pollIntervalSeconds: poll, resweepDays: resweep,
            channels: channels, carriers: decodeCarriers(object, &decoder),
            shippingRules: decodeRules(object, &decoder), sourcePath: sourcePath)
        config.alerts = decodeAlerts(object, &decoder)
        config.mirror = decodeMirror(object, &decoder)
        config.metricsFile = decoder.string(object, "metrics_file", at: path)
        return DecodedConfig(config: config, problems: decoder.problems, suppressed: decoder.suppressed)
    }

    static func decodeLog(_ root: Object, _ decoder: inout ConfigDecoder) -> LogConfig {
        guard let value = decoder.present(root, "log"), let object = decoder.object(value, at: "log") else {
            return LogConfig()
        }
        decoder.checkKeys(object, at: "log", allowed: logKeys)
        let level: LogLevel? = decoder.enumValue(object, "level", at: "log")
        return LogConfig(file: decoder.string(object, "file", at: "log"), level: level ?? .info)
    }

    // MARK: Channels

    static func decodeChannel(
        _ value: Value, at path: String, defaultPoll: Int, _ decoder: inout ConfigDecoder
    ) -> ChannelConfig {
        // A placeholder keeps later channels at their own index; nothing under `path` is validated.
        let placeholder = ChannelConfig(id: "", pollIntervalSeconds: defaultPoll, settings: ChannelSettings(PlaceholderSettings()))
        guard let object = decoder.object(value, at: path) else { return placeholder }

        let type = decoder.choice(object, "type", at: path, among: types.map(\.rawValue), required: true)
            .map(ChannelType.init(rawValue:))
        if let type {
            checkChannelKeys(object, type: type, at: path, &decoder)
        } else {
            let all = types.flatMap(channelKeys(for:)) + acceptStepKeys
            decoder.checkKeys(object, at: path, allowed: Array(Set(all)).sorted())
            decoder.suppress(path)
        }

        var channel = placeholder
        channel.id = decoder.string(object, "id", at: path, required: true) ?? ""
        channel.enabled = decoder.bool(object, "enabled", at: path) ?? true
        channel.pollIntervalSeconds = decoder.int(object, "poll_interval_seconds", at: path) ?? defaultPoll
        channel.baseURL = decoder.url(object, "base_url", at: path, required: type?.definition.requiresBaseURL ?? false)
        channel.shipWithinHoursSetting = decoder.int(object, "ship_within_hours", at: path)
        guard let type else { return channel }

        if type.hasAcceptStep {
            channel.autoAccept = decoder.bool(object, "auto_accept", at: path) ?? false
            channel.acceptWithinHours =
                decoder.int(object, "accept_within_hours", at: path) ?? ChannelConfig.defaultAcceptWithinHours
        }
        channel.settings = ChannelSettings(type.definition.decodeSettings(object, path, &decoder))
        return channel
    }

    /// Unknown keys, with a hint when the key belongs to another channel type, and acceptance keys on a
    /// channel type that has no acceptance step.
    private static func checkChannelKeys(_ object: Object, type: ChannelType, at path: String, _ decoder: inout ConfigDecoder) {
        let own = channelKeys(for: type)
        var foreign: [String: String] = [:]
        for other in types where other != type {
            for key in channelKeys(for: other) where !own.contains(key) && foreign[key] == nil {
                let owners = types.filter { channelKeys(for: $0).contains(key) }.map(\.rawValue)
                foreign[key] = "only for \(ConfigText.list(owners, last: "and")) channels"
            }
        }
        if !type.hasAcceptStep {
            for key in acceptStepKeys where object[key] != nil {
                foreign[key] = nil
                decoder.report(ConfigPath.member(path, key),
                               "not allowed on a \(type.rawValue) channel (it has no acceptance step)")
            }
        }
        decoder.checkKeys(object, at: path, allowed: type.hasAcceptStep ? own : own + acceptStepKeys, foreign: foreign)
    }

    // MARK: Carriers and rules

    private static func decodeCarriers(_ root: Object, _ decoder: inout ConfigDecoder) -> [CarrierConfig] {
        guard let value = decoder.present(root, "carriers"), let map = decoder.object(value, at: "carriers") else {
            return []
        }
        decoder.checkKeys(map, at: "carriers", allowed: map.members.map(\.key))
        var carriers: [CarrierConfig] = []
        var seen: Set<String> = []
        for member in map.members where seen.insert(member.key).inserted {
            let path = ConfigPath.member("carriers", member.key)
            var carrier = CarrierConfig(key: member.key)
            defer { carriers.append(carrier) }
            guard let object = decoder.object(member.value, at: path) else { continue }
            decoder.checkKeys(object, at: path, allowed: carrierKeys)
            carrier.trackingURL = decoder.string(object, "tracking_url", at: path)
            let namesPath = ConfigPath.member(path, "names")
            guard let namesValue = decoder.present(object, "names"),
                let names = decoder.object(namesValue, at: namesPath)
            else { continue }
            decoder.checkKeys(names, at: namesPath, allowed: names.members.map(\.key))
            for name in names.members where carrier.names[name.key] == nil {
                if case .string(let text) = name.value {
                    carrier.names[name.key] = text
                } else {
                    decoder.typeMismatch(ConfigPath.member(namesPath, name.key), expected: "string", got: name.value)
                }
            }
        }
        return carriers
    }

    private static func decodeRules(_ root: Object, _ decoder: inout ConfigDecoder) -> [ShippingRule] {
        guard let value = decoder.present(root, "shipping_rules") else { return [] }
        guard case .array(let items) = value else {
            decoder.typeMismatch("shipping_rules", expected: "array", got: value)
            return []
        }
        return items.enumerated().map { index, item in
            let path = ConfigPath.index("shipping_rules", index)
            guard let object = decoder.object(item, at: path) else { return ShippingRule(carrier: "") }
            decoder.checkKeys(object, at: path, allowed: ruleKeys)
            return ShippingRule(
                channel: decoder.string(object, "channel", at: path) ?? "*",
                shippingMethod: decoder.string(object, "shipping_method", at: path) ?? "*",
                carrier: decoder.string(object, "carrier", at: path, required: true) ?? "")
        }
    }
}
