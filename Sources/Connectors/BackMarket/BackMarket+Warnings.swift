import Foundation
import OrderSync

extension BackMarketSettings {
    /// A `user_agent` with a contact part that is not shaped like Back Market asks.
    public func warnings(channel: ChannelConfig, at path: String, into warnings: inout ConfigProblemList) {
        guard userAgent.contains(";"), !Self.looksLikeBackMarketUserAgent(userAgent) else { return }
        warnings.add(ConfigPath.member(path, "user_agent"),
                     "does not look like BM-{Company}-{Integration};{email} (got \(ConfigText.quoted(userAgent)))")
    }

    /// `BM-{Company}-{Integration};{email}`: a `BM-` prefix, two more dash-separated parts, an e-mail after `;`.
    static func looksLikeBackMarketUserAgent(_ value: String) -> Bool {
        let halves = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)
        guard halves.count == 2, halves[0].hasPrefix("BM-") else { return false }
        let parts = halves[0].dropFirst(3).split(separator: "-", omittingEmptySubsequences: false)
        let email = halves[1].trimmingPrefix(" ")
        let at = email.firstIndex(of: "@")
        return parts.count >= 2 && parts.allSatisfy { !$0.isEmpty } && at != nil
            && at != email.startIndex && email[at!...].count > 1 && !email.contains(" ")
    }
}

extension BackMarketShippers {
    /// The `check-config` warning for a carrier name outside the Shipper list; nil for a known name.
    static func advice(for name: String) -> String? {
        guard !known.contains(name) else { return nil }
        let closest = closest(to: name).map(ConfigText.quoted).joined(separator: ", ")
        return "\(ConfigText.quoted(name)) is not in Back Market's Shipper list; closest: \(closest). "
            + "It is sent as written; Back Market may refuse the shipment"
    }
}
