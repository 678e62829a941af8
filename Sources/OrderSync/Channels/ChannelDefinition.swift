import Foundation

/// Everything the core needs to know about one channel type, defined once in the connector's folder:
/// its config keys and their decoding (validation and warnings live on its ``ChannelSettingsValue``),
/// its capabilities, its defaults, its cursor summary and how to build its connector.
///
/// The core asks ``ChannelRegistry`` for a type's definition instead of switching on the type.
public struct ChannelDefinition: Sendable {
    /// Builds the connector for one configured channel (`index` locates it in `channels` for messages).
    public typealias MakeConnector = @Sendable (
        _ factory: ChannelFactory, _ channel: ChannelConfig, _ index: Int, _ config: Config,
        _ secrets: ChannelSecrets?, _ logger: Logger
    ) throws -> any ChannelConnector

    /// The config's `type`.
    public let type: ChannelType
    /// The name people know the marketplace by, for messages.
    public let displayName: String
    /// The type's own config keys (secret keys with their `_file` / `_env` forms included), in the order
    /// messages list them; the keys every channel has and the acceptance keys are added by the core.
    public let settingsKeys: [String]
    /// `base_url` must be set (the type has no built-in host).
    public let requiresBaseURL: Bool
    /// Decodes the type's own keys from `channels[N]` (`path`), reporting problems to the decoder.
    public let decodeSettings: @Sendable (ConfigJSON.Object, String, inout ConfigDecoder) -> any ChannelSettingsValue
    /// The `check-config` warning for a name under `carriers.<key>.names.<type>`, when the type knows its
    /// carriers; nil for a name it knows.
    public let carrierNameAdvice: (@Sendable (String) -> String?)?
    /// What the channel can do; `hasAcceptStep` here is the one place a type's accept step is defined.
    public let capabilities: ChannelCapabilities
    /// `ship_within_hours` when a channel sets none; nil when the type has no such default.
    public let defaultShipWithinHours: Int?
    /// The channel serves delivery slips (`slip ORDER_REF`).
    public let deliverySlips: Bool
    /// Why `cancel` must be refused for this order on this channel, if it must (checked before queueing).
    public let cancelRefusal: @Sendable (Order) -> String?
    /// The stored cursor in one line for `status`.
    public let cursorSummary: @Sendable (_ cursor: String, _ now: Date) -> String?
    /// The connector for one configured channel.
    public let makeConnector: MakeConnector

    public init(
        type: ChannelType, displayName: String, settingsKeys: [String], requiresBaseURL: Bool = false,
        decodeSettings: @escaping @Sendable (ConfigJSON.Object, String, inout ConfigDecoder) -> any ChannelSettingsValue,
        carrierNameAdvice: (@Sendable (String) -> String?)? = nil,
        capabilities: ChannelCapabilities,
        defaultShipWithinHours: Int? = nil, deliverySlips: Bool = false,
        cancelRefusal: @escaping @Sendable (Order) -> String? = { _ in nil },
        cursorSummary: @escaping @Sendable (String, Date) -> String?,
        makeConnector: @escaping MakeConnector
    ) {
        self.type = type
        self.displayName = displayName
        self.settingsKeys = settingsKeys
        self.requiresBaseURL = requiresBaseURL
        self.decodeSettings = decodeSettings
        self.carrierNameAdvice = carrierNameAdvice
        self.capabilities = capabilities
        self.defaultShipWithinHours = defaultShipWithinHours
        self.deliverySlips = deliverySlips
        self.cancelRefusal = cancelRefusal
        self.cursorSummary = cursorSummary
        self.makeConnector = makeConnector
    }
}

extension ChannelDefinition {
    /// The definition of a type no connector defines (a config whose `type` could not be read): no keys,
    /// no capabilities, and no connector.
    static func unknown(_ type: ChannelType) -> ChannelDefinition {
        ChannelDefinition(
            type: type, displayName: type.rawValue, settingsKeys: [],
            decodeSettings: { _, _, _ in PlaceholderSettings() },
            capabilities: ChannelCapabilities(hasAcceptStep: false, shipsPerLine: false, recordsIMEI: false, needsCarrierName: false),
            cursorSummary: { _, _ in nil },
            makeConnector: { _, channel, index, _, _, _ in
                throw ConfigError(problems: [ConfigProblem(
                    path: "channels[\(index)].type",
                    reason: "channel type \(ConfigText.quoted(channel.type.rawValue)) is not known to this build")])
            })
    }
}

extension ChannelType {
    /// This type's definition in ``ChannelRegistry``.
    public var definition: ChannelDefinition { ChannelRegistry.definition(of: self) }

    /// True when new orders must be accepted before they can ship (from the type's definition).
    public var hasAcceptStep: Bool { definition.capabilities.hasAcceptStep }

    /// `ship_within_hours` when a channel sets none (from the type's definition).
    public var defaultShipWithinHours: Int? { definition.defaultShipWithinHours }
}
