import Foundation

/// A list of channel definitions a connectors module provides (`Connectors.StandardChannels`).
public protocol ChannelDefinitionList: AnyObject {
    static var definitions: [ChannelDefinition] { get }
}

/// The channel types this build knows. The binary hands the connectors' list to ``install(_:)``; a
/// program that installs none (a test bundle) gets `Connectors.StandardChannels` when it is linked in.
/// Tests may ``register(_:)`` a type of their own.
public enum ChannelRegistry {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var installed: [ChannelDefinition]?
    nonisolated(unsafe) private static var added: [ChannelDefinition] = []

    /// Makes `definitions` the types this program knows (before any config is read).
    public static func install(_ definitions: [ChannelDefinition]) {
        lock.lock(); defer { lock.unlock() }
        installed = definitions
    }

    /// Every definition, in the order messages list the available types.
    public static var definitions: [ChannelDefinition] {
        lock.lock(); defer { lock.unlock() }
        if installed == nil { installed = linkedList() }
        let base = installed ?? []
        return base.filter { definition in !added.contains { $0.type == definition.type } } + added
    }

    /// Adds a type (or replaces the definition of a type already known) until ``unregister(_:)``.
    public static func register(_ definition: ChannelDefinition) {
        lock.lock(); defer { lock.unlock() }
        added.removeAll { $0.type == definition.type }
        added.append(definition)
    }

    /// Forgets a type added by ``register(_:)``.
    public static func unregister(_ type: ChannelType) {
        lock.lock(); defer { lock.unlock() }
        added.removeAll { $0.type == type }
    }

    /// The definition of `type`; a type no connector defines gets one with no keys and no connector.
    public static func definition(of type: ChannelType) -> ChannelDefinition {
        definitions.first { $0.type == type } ?? .unknown(type)
    }

    /// The connectors module's list when it is linked into this program, else none.
    private static func linkedList() -> [ChannelDefinition] {
        (NSClassFromString("Connectors.StandardChannels") as? any ChannelDefinitionList.Type)?.definitions ?? []
    }
}
