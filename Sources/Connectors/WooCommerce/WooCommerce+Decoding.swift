import Foundation
import OrderSync

extension WooCommerceSettings {
    /// The type's own keys from `channels[N]` (`path`); problems go to `decoder`.
    static func decode(_ object: ConfigJSON.Object, at path: String, _ decoder: inout ConfigDecoder) -> WooCommerceSettings {
        let key = decoder.secret(object, "consumer_key", at: path) ?? .inline(Secret(""))
        let secret = decoder.secret(object, "consumer_secret", at: path) ?? .inline(Secret(""))
        let tracking: WooCommerceSettings.Tracking? = decoder.enumValue(object, "tracking", at: path)
        let auth: WooCommerceSettings.Auth? = decoder.enumValue(object, "auth", at: path)
        return WooCommerceSettings(
            consumerKey: key, consumerSecret: secret,
            statuses: decoder.stringArray(object, "statuses", at: path) ?? WooCommerceSettings.defaultStatuses,
            tracking: tracking ?? .note, completeOnShip: decoder.bool(object, "complete_on_ship", at: path) ?? true,
            auth: auth ?? .basic)
    }
}
