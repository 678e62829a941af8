/// The channel types this build knows: one line per connector folder.
public enum ChannelRegistry {
    /// Every definition, in the order `check-config` lists the available types.
    public static let definitions: [ChannelDefinition] = [
        BackMarketChannel.definition,
        SpartooChannel.definition,
        WooCommerceChannel.definition,
    ]

    /// The definition of `type`.
    public static func definition(of type: ChannelType) -> ChannelDefinition {
        guard let found = definitions.first(where: { $0.type == type }) else {
            preconditionFailure("channel type \(type.rawValue) has no definition in ChannelRegistry")
        }
        return found
    }
}
