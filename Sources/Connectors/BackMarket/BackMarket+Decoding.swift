import Foundation
import OrderSync

extension BackMarketSettings {
    /// The type's own keys from `channels[N]` (`path`); problems go to `decoder`.
    static func decode(_ object: ConfigJSON.Object, at path: String, _ decoder: inout ConfigDecoder) -> BackMarketSettings {
        let token = decoder.secret(object, "token", at: path) ?? .inline(Secret(""))
        let region: BackMarketRegion? = decoder.enumValue(object, "region", at: path, required: true)
        let environment: BackMarketEnvironment? = decoder.enumValue(object, "environment", at: path)
        return BackMarketSettings(
            token: token, region: region ?? .eu, environment: environment ?? .production,
            userAgent: decoder.string(object, "user_agent", at: path, required: true) ?? "",
            acceptLanguage: decoder.string(object, "accept_language", at: path),
            imeiRequiredFor: decoder.stringArray(object, "imei_required_for", at: path)
                ?? BackMarketSettings.defaultIMEIRequiredFor,
            enforceIMEI: decoder.bool(object, "enforce_imei", at: path) ?? true)
    }
}
