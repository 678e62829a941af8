import Foundation

/// The daemon's configuration, as read from the JSON config file (see `Config/README.md` for every key).
///
/// A plain value: building one has no side effects. ``ConfigLoader`` decodes it over the defaults below,
/// ``validate()`` checks it without touching the file system, and ``resolvedSecrets(environment:)`` reads
/// the secrets afterwards.
public struct Config: Sendable, Equatable {
    /// `state_dir` (required): the database and `status.json` live here.
    public var stateDir: String
    /// `log`: where and how much to log.
    public var log: LogConfig
    /// `inbox_dir`: folder watched for `import-shipments` CSV files; nil disables the inbox.
    public var inboxDir: String?
    /// `poll_interval_seconds` (default 300, minimum 10): the default for channels that set none.
    public var pollIntervalSeconds: Int
    /// `resweep_days` (default 5, minimum 1): how far back the daily re-read of changed orders goes.
    public var resweepDays: Int
    /// `channels` (required), in file order.
    public var channels: [ChannelConfig]
    /// `carriers` in file order: the ordered source of ``carriers`` and ``carrierOrder``.
    public var carrierList: [CarrierConfig]
    /// `shipping_rules`, in file order; the first match wins.
    public var shippingRules: [ShippingRule]
    /// The file this config was read from, if any (for messages and the permission check).
    public var sourcePath: String?
    /// `alerts`: nil sends none.
    public var alerts: AlertsConfig?
    /// `metrics_file`: Prometheus text file rewritten after every poll cycle; nil writes none.
    public var metricsFile: String?
    /// `mirror`: marketplace orders copied into a store channel; nil mirrors nothing.
    public var mirror: MirrorConfig?

    /// Defaults and limits of the top-level keys.
    public static let defaultPollIntervalSeconds = 300
    public static let defaultResweepDays = 5
    public static let minimumPollIntervalSeconds = 10

    /// Builds a config in code (the demo, tests); nothing is checked until ``validate()``.
    public init(
        stateDir: String,
        log: LogConfig = LogConfig(),
        inboxDir: String? = nil,
        pollIntervalSeconds: Int = Config.defaultPollIntervalSeconds,
        resweepDays: Int = Config.defaultResweepDays,
        channels: [ChannelConfig],
        carriers: [CarrierConfig] = [],
        shippingRules: [ShippingRule] = [],
        sourcePath: String? = nil
    ) {
        self.stateDir = stateDir
        self.log = log
        self.inboxDir = inboxDir
        self.pollIntervalSeconds = pollIntervalSeconds
        self.resweepDays = resweepDays
        self.channels = channels
        self.carrierList = carriers
        self.shippingRules = shippingRules
        self.sourcePath = sourcePath
    }

    /// Carriers by key (the first wins should a key repeat, which ``validate()`` reports).
    public var carriers: [String: CarrierConfig] {
        Dictionary(carrierList.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Carrier keys in file order, for deterministic output.
    public var carrierOrder: [String] { carrierList.map(\.key) }

    /// The channel with this id, if configured.
    public func channel(id: String) -> ChannelConfig? { channels.first { $0.id == id } }

    /// The carrier with this key, if configured.
    public func carrier(key: String) -> CarrierConfig? { carrierList.first { $0.key == key } }

    /// The default carrier key for an order: the first rule matching the channel and shipping label, or nil.
    public func carrierKey(channelID: String, shippingMethod: String) -> String? {
        shippingRules.first { $0.matches(channelID: channelID, shippingMethod: shippingMethod) }?.carrier
    }
}

/// `log`: `file` (absent: stderr) and `level` (default `info`).
public struct LogConfig: Sendable, Equatable {
    /// `log.file`: JSON lines are appended here; nil means stderr.
    public var file: String?
    /// `log.level`: `trace|debug|info|warning|error`.
    public var level: LogLevel

    /// Logs to stderr at `info` unless told otherwise.
    public init(file: String? = nil, level: LogLevel = .info) {
        self.file = file
        self.level = level
    }
}

/// A channel type: the config's `type`. Each connector folder defines its own (``ChannelDefinition``).
public struct ChannelType: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}

/// One entry of `channels`: the settings every channel has, plus its type's own in ``settings``.
public struct ChannelConfig: Sendable, Equatable {
    /// `id` (`[a-z0-9-]+`, unique): the first half of every order reference.
    public var id: String
    /// `enabled` (default true): a disabled channel is neither polled nor pushed to, and its secrets are not read.
    public var enabled: Bool
    /// `poll_interval_seconds` (default the top-level value, minimum 10).
    public var pollIntervalSeconds: Int
    /// `auto_accept` (default false; channels with an acceptance step only).
    public var autoAccept: Bool
    /// `accept_within_hours` (default 24, 1...720; channels with an acceptance step only).
    public var acceptWithinHours: Int
    /// `ship_within_hours` as written (1...720), nil when absent; see ``shipWithinHours``.
    public var shipWithinHoursSetting: Int?
    /// `base_url`: override of the API base (sandbox, simulator); some types require it.
    public var baseURL: URL?
    /// The type's own keys; also determines ``type``.
    public var settings: ChannelSettings

    /// `accept_within_hours` when absent, and its allowed range.
    public static let defaultAcceptWithinHours = 24
    public static let acceptWithinHoursRange = 1...720
    /// The allowed range of `ship_within_hours`.
    public static let shipWithinHoursRange = 1...720

    /// Builds a channel in code; nothing is checked until ``Config/validate()``.
    public init(
        id: String,
        enabled: Bool = true,
        pollIntervalSeconds: Int = Config.defaultPollIntervalSeconds,
        autoAccept: Bool = false,
        acceptWithinHours: Int = ChannelConfig.defaultAcceptWithinHours,
        shipWithinHours: Int? = nil,
        baseURL: URL? = nil,
        settings: ChannelSettings
    ) {
        self.id = id
        self.enabled = enabled
        self.pollIntervalSeconds = pollIntervalSeconds
        self.autoAccept = autoAccept
        self.acceptWithinHours = acceptWithinHours
        self.shipWithinHoursSetting = shipWithinHours
        self.baseURL = baseURL
        self.settings = settings
    }

    /// `enforce_imei` where the type has it (see ``ChannelSettings/enforceIMEI``).
    public var enforceIMEI: Bool { settings.enforceIMEI }

    /// `type`, derived from ``settings`` so the two cannot disagree.
    public var type: ChannelType { settings.type }

    /// Hours from acceptance to `ship_by` for orders whose channel gives no date of its own: the setting,
    /// else the type's default (``ChannelDefinition/defaultShipWithinHours``); nil means no such deadline.
    public var shipWithinHours: Int? { shipWithinHoursSetting ?? type.defaultShipWithinHours }

    /// True when the type's orders wait for acceptance before shipping (``ChannelCapabilities/hasAcceptStep``).
    public var hasAcceptStep: Bool { type.hasAcceptStep }

    /// The API base to call: `base_url`, else the type's built-in host; `site` picks one of several hosts.
    public func effectiveBaseURL(site: String? = nil) -> URL? {
        settings.value.effectiveBaseURL(channel: self, site: site)
    }

    /// One line for `check-config`: `<id>: <type>, <the type's summary>, every 120 s, auto-accept`.
    public var summary: String {
        var parts: [String] = [type.rawValue]
        parts.append(settings.value.summary)
        if let url = effectiveBaseURL() { parts.append(url.absoluteString) }
        parts.append("every \(pollIntervalSeconds) s")
        if hasAcceptStep { parts.append(autoAccept ? "auto-accept" : "manual accept within \(acceptWithinHours) h") }
        if let hours = shipWithinHours { parts.append("ship within \(hours) h") }
        if !enabled { parts.append("disabled") }
        return "\(id): " + parts.joined(separator: ", ")
    }
}
