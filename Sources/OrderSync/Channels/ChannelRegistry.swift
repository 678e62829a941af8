import Foundation

/// The channel types this build knows. The list itself is ``ChannelRegistry/standard``, one line per
/// connector folder; tests may ``register(_:)`` a type of their own.
public enum ChannelRegistry {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var registered: [ChannelDefinition] = standard

    /// Every definition, in the order messages list the available types.
    public static var definitions: [ChannelDefinition] {
        lock.lock(); defer { lock.unlock() }
        return registered
    }

    /// Adds a type (or replaces the definition of a type already known).
    public static func register(_ definition: ChannelDefinition) {
        lock.lock(); defer { lock.unlock() }
        if let index = registered.firstIndex(where: { $0.type == definition.type }) {
            registered[index] = definition
        } else {
            registered.append(definition)
        }
    }

    /// Forgets a type added by ``register(_:)``.
    public static func unregister(_ type: ChannelType) {
        lock.lock(); defer { lock.unlock() }
        registered = registered.filter { $0.type != type || standard.contains { $0.type == type } }
    }

    /// The definition of `type`; a type no connector defines gets one with no keys and no connector.
    public static func definition(of type: ChannelType) -> ChannelDefinition {
        definitions.first { $0.type == type } ?? .unknown(type)
    }
}
