import Foundation
import OrderSync

/// `region`: which Back Market platform the token belongs to (a token works on its own platform only).
public enum BackMarketRegion: String, Sendable, Hashable, CaseIterable, Codable {
    case eu, us, ap

    /// The `Accept-Language` used when `accept_language` is not set.
    public var defaultAcceptLanguage: String {
        switch self {
        case .eu: "fr-fr"
        case .us: "en-us"
        case .ap: "ja-jp"
        }
    }

    /// The host's top-level domain: `fr`, `com`, `co.jp`.
    var domain: String {
        switch self {
        case .eu: "fr"
        case .us: "com"
        case .ap: "co.jp"
        }
    }
}

/// `environment`: Back Market production or its pre-production platform.
public enum BackMarketEnvironment: String, Sendable, Hashable, CaseIterable, Codable {
    case production, preprod
}

/// The keys of a `backmarket` channel.
public struct BackMarketSettings: Sendable, Equatable {
    /// `token` / `token_file` / `token_env`: sent verbatim as `Authorization: Basic <token>`.
    public var token: SecretSource
    /// `region` (required): `eu|us|ap`.
    public var region: BackMarketRegion
    /// `environment` (default `production`).
    public var environment: BackMarketEnvironment
    /// `user_agent` (required by Back Market): `BM-{Company}-{Integration};{contact email}`.
    public var userAgent: String
    /// `accept_language` (default by region: `fr-fr`, `en-us`, `ja-jp`).
    public var acceptLanguage: String
    /// `imei_required_for`: case-insensitive globs on a line's title or SKU marking lines that need an IMEI.
    public var imeiRequiredFor: [String]
    /// `enforce_imei` (default true; an extension to the contract): when false, `ship` does not refuse a line
    /// flagged `requires_imei` that has no IMEI or serial.
    public var enforceIMEI: Bool

    /// `imei_required_for` when absent: Back Market sends no product category, so titles are matched.
    public static let defaultIMEIRequiredFor = ["*iphone*", "*smartphone*", "*galaxy*", "*pixel*"]

    public init(
        token: SecretSource,
        region: BackMarketRegion,
        environment: BackMarketEnvironment = .production,
        userAgent: String,
        acceptLanguage: String? = nil,
        imeiRequiredFor: [String] = BackMarketSettings.defaultIMEIRequiredFor,
        enforceIMEI: Bool = true
    ) {
        self.token = token
        self.region = region
        self.environment = environment
        self.userAgent = userAgent
        self.acceptLanguage = acceptLanguage ?? region.defaultAcceptLanguage
        self.imeiRequiredFor = imeiRequiredFor
        self.enforceIMEI = enforceIMEI
    }

    /// `https://www.backmarket.fr|.com|.co.jp`, or `https://preprod.backmarket.*` for `preprod`.
    public var defaultBaseURL: URL {
        let host = environment == .production ? "www" : "preprod"
        return URL(string: "https://\(host).backmarket.\(region.domain)")!
    }

    /// True when the line's product title or SKU matches one of ``imeiRequiredFor`` (case-insensitive).
    public func requiresIMEI(title: String?, sku: String?) -> Bool {
        imeiRequiredFor.contains { pattern in
            [title, sku].contains { $0.map { Glob.matches(pattern: pattern, $0) } ?? false }
        }
    }
}
