import Foundation

/// The keys only one channel type has, as its connector defines them. Decoded by the type's
/// ``ChannelDefinition``; the core reads them only through this protocol.
public protocol ChannelSettingsValue: Sendable {
    /// The type these settings belong to.
    static var channelType: ChannelType { get }
    /// The channel's secrets with their config key names (`token`, `consumer_key`, …).
    var secretSources: [(key: String, source: SecretSource)] { get }
    /// The type's own rules; `path` is `channels[N]`. Pure.
    func validate(channel: ChannelConfig, at path: String, into problems: inout ConfigProblemList)
    /// Advice that does not make the config invalid; `path` is `channels[N]`. Pure.
    func warnings(channel: ChannelConfig, at path: String, into warnings: inout ConfigProblemList)
    /// The API base to call (`site` for types with several hosts), from the channel's `base_url` and these keys.
    func effectiveBaseURL(channel: ChannelConfig, site: String?) -> URL?
    /// The type's part of the `check-config` summary line (`eu production`).
    var summary: String { get }
    /// `enforce_imei` where the type has it.
    var enforceIMEI: Bool { get }
    /// Days a shipped order is re-read for after-sale outcomes, where the type has them.
    var aftersaleRereadDays: Int? { get }
    /// Value equality across the type erasure.
    func isEqual(to other: any ChannelSettingsValue) -> Bool
}

extension ChannelSettingsValue {
    public func warnings(channel: ChannelConfig, at path: String, into warnings: inout ConfigProblemList) {}
    public func effectiveBaseURL(channel: ChannelConfig, site: String?) -> URL? { channel.baseURL }
    public var enforceIMEI: Bool { true }
    public var aftersaleRereadDays: Int? { nil }
}

extension ChannelSettingsValue where Self: Equatable {
    public func isEqual(to other: any ChannelSettingsValue) -> Bool { (other as? Self) == self }
}

/// One channel's type-specific settings; also determines the channel's ``ChannelType``.
public struct ChannelSettings: Sendable, Equatable {
    /// The connector's own settings value.
    public let value: any ChannelSettingsValue

    public init(_ value: any ChannelSettingsValue) { self.value = value }

    /// The channel type these settings belong to.
    public var type: ChannelType { Swift.type(of: value).channelType }

    /// The settings as the connector's own type, or nil when they belong to another type.
    public func `as`<T: ChannelSettingsValue>(_ type: T.Type) -> T? { value as? T }

    /// The channel's secrets with their config key names.
    public var secretSources: [(key: String, source: SecretSource)] { value.secretSources }
    /// `enforce_imei` where the type has it; true otherwise.
    public var enforceIMEI: Bool { value.enforceIMEI }
    /// After-sale re-read days where the type has them; nil otherwise (the poller's default).
    public var aftersaleDays: Int? { value.aftersaleRereadDays }

    public static func == (lhs: ChannelSettings, rhs: ChannelSettings) -> Bool { lhs.value.isEqual(to: rhs.value) }
}

/// Settings of a channel whose `type` could not be read: never validated, never connected.
struct PlaceholderSettings: ChannelSettingsValue, Equatable {
    static let channelType = ChannelType(rawValue: "")
    var secretSources: [(key: String, source: SecretSource)] { [] }
    func validate(channel: ChannelConfig, at path: String, into problems: inout ConfigProblemList) {}
    var summary: String { "" }
}
