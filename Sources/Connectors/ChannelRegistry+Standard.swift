import Foundation
import OrderSync

/// The channel types this build ships: one line per connector folder. The binary installs them with
/// `ChannelRegistry.install(StandardChannels.definitions)`.
public final class StandardChannels: ChannelDefinitionList {
    public static let definitions: [ChannelDefinition] = [
        BackMarketChannel.definition,
        SpartooChannel.definition,
        WooCommerceChannel.definition,
    ]
}
