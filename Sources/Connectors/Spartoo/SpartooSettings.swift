import Foundation
import OrderSync

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
