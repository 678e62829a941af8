extension ChannelRegistry {
    /// The channel types this build ships: one line per connector folder.
    static let standard: [ChannelDefinition] = [
        BackMarketChannel.definition,
        SpartooChannel.definition,
        WooCommerceChannel.definition,
    ]
}
