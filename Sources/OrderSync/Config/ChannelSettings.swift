import Foundation

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

/// The keys of a `spartoo` channel.
public struct SpartooSettings: Sendable, Equatable {
    /// `partner_id` / `partner_id_file` / `partner_id_env`: the "Merchant ID for webservices" (`partenaire`).
    public var partnerID: SecretSource
    /// `sites` (default `["fr"]`): two-letter site codes polled, each on its own host.
    public var sites: [String]
    /// `hosts`: per-site base URL overrides.
    public var hosts: [String: URL]
    /// `fetch_slips` (default false): fetch the delivery-slip PDF of accepted orders.
    public var fetchSlips: Bool
    /// `aftersale_days` (default 60, 0…365; 0 turns it off): shipped orders are re-read by `oID` for this
    /// many days after shipping, so a lost parcel (45), a returned one (47) or a late cancellation (41) arrives.
    public var aftersaleDays: Int

    /// `sites` when absent.
    public static let defaultSites = ["fr"]
    /// `aftersale_days` when absent, and its allowed range.
    public static let defaultAftersaleDays = 60
    public static let aftersaleDaysRange = 0...365

    public init(
        partnerID: SecretSource, sites: [String] = SpartooSettings.defaultSites,
        hosts: [String: URL] = [:], fetchSlips: Bool = false, aftersaleDays: Int = SpartooSettings.defaultAftersaleDays
    ) {
        self.partnerID = partnerID
        self.sites = sites
        self.hosts = hosts
        self.fetchSlips = fetchSlips
        self.aftersaleDays = aftersaleDays
    }

    /// Sites whose host is not `sws.spartoo.<site>` (a site code is not always the TLD).
    static let builtInHosts = ["fr": "sws.spartoo.com", "uk": "sws.spartoo.co.uk", "hr": "sws.spartoo.com.hr"]

    /// `hosts[site]`, else the built-in host: `fr` → `https://sws.spartoo.com`, `uk` → `https://sws.spartoo.co.uk`,
    /// `hr` → `https://sws.spartoo.com.hr`, any other → `https://sws.spartoo.<site>`.
    public func baseURL(forSite site: String) -> URL {
        if let override = hosts[site] { return override }
        let host = Self.builtInHosts[site] ?? "sws.spartoo.\(site)"
        return URL(string: "https://\(host)") ?? URL(string: "https://sws.spartoo.com")!
    }
}

/// The keys of a `woocommerce` channel (`base_url` is on ``ChannelConfig``; it is required for this type).
public struct WooCommerceSettings: Sendable, Equatable {
    /// `tracking`: how a shipment is told to the shop.
    public enum Tracking: String, Sendable, Hashable, CaseIterable, Codable {
        /// An order note to the customer, then status `completed`.
        case note
        /// The Shipment Tracking extension's endpoint.
        case shipmentTracking = "shipment-tracking"
    }

    /// `auth`: how the key and secret reach WooCommerce.
    public enum Auth: String, Sendable, Hashable, CaseIterable, Codable {
        /// HTTP Basic (HTTPS, or http to loopback for tests).
        case basic
        /// `consumer_key` / `consumer_secret` query parameters, for hosts that strip `Authorization`.
        case query
    }

    /// `consumer_key` / `consumer_key_file` / `consumer_key_env`.
    public var consumerKey: SecretSource
    /// `consumer_secret` / `consumer_secret_file` / `consumer_secret_env`.
    public var consumerSecret: SecretSource
    /// `statuses` (default `["processing"]`): statuses whose new orders are imported.
    public var statuses: [String]
    /// `tracking` (default `note`).
    public var tracking: Tracking
    /// `complete_on_ship` (default true): set the order `completed` once every line has shipped.
    public var completeOnShip: Bool
    /// `auth` (default `basic`).
    public var auth: Auth

    /// `statuses` when absent.
    public static let defaultStatuses = ["processing"]
    /// Statuses that are never imported (`checkout-draft`, `auto-draft`) or not listable (`trash`).
    public static let forbiddenStatuses = ["checkout-draft", "auto-draft", "trash"]

    public init(
        consumerKey: SecretSource, consumerSecret: SecretSource,
        statuses: [String] = WooCommerceSettings.defaultStatuses, tracking: Tracking = .note,
        completeOnShip: Bool = true, auth: Auth = .basic
    ) {
        self.consumerKey = consumerKey
        self.consumerSecret = consumerSecret
        self.statuses = statuses
        self.tracking = tracking
        self.completeOnShip = completeOnShip
        self.auth = auth
    }
}
