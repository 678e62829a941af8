import Foundation
import OrderSync

/// Back Market's shipper names: the `Shipper` enum of Back Market's OpenAPI file, verbatim (order and spelling,
/// including `DHL  EXPRESS` with two spaces). The spec types `UpdateOrder.shipper` as a free string, so a name
/// outside this list is a `check-config` warning, never a refusal. Tests check it equals
/// `Tests/Fixtures/specs/backmarket/Shipper.json`.
public enum BackMarketShippers {
    /// Exact spellings, as Back Market's OAS lists them.
    public static let known: [String] = [
        "Allied Express", "Aramex Australia", "Australia Post", "Australia Post Express", "Austrian Post", "BPost",
        "BRT", "Chronopost", "Chronopost Express", "ColisPrivé", "Colissimo", "Correos", "Correos Express",
        "Couriers Please", "CTT", "Cubyn", "Cubyn Express", "DB Schenker", "Deutsche Post", "DHL", "DHL DE",
        "DHL Express", "DHL  EXPRESS", "DHL NL", "DHL Parcel Spain", "DHL SP", "DPD", "DPD Benelux", "DPD DE",
        "DPD FR", "DPD International", "DPD UK", "DPD UK Express", "DTDC Australia", "FedEx", "FedEx - 2Days",
        "FedEx Express", "FedEx International", "FedEx - Overnight", "Geodis",
        "Girard Agediss - Livraison dans la pièce de votre choix sur RDV", "GLS", "GLS - DE", "GLS - FR",
        "GLS International", "GLS - IT", "GLS-SPAIN", "GLS Spain Express", "Hermes - DE", "Hermes - UK",
        "Japan Post", "Livraison au pied du camion", "Livraison dans la pièce de votre choix", "Logoix", "MRW",
        "Murfy transporteur", "NACEX", "ParcelForce Express", "Parcelforce (Worldwide)", "Parcelpoint Pty Ltd",
        "Poste Italiane", "Post NL", "Private Transporter", "Royal Mail", "Royal Mail Express", "Sagawa", "Seino",
        "Sendle", "Seur", "Socolissimo", "Star Track Express", "TIPSA", "TIPSA Express", "TNT", "TNT Australia",
        "TNT Express", "Tourline", "UPS", "UPS 2 days", "UPS 2nd Day Air", "UPS Express", "UPS express save",
        "UPS Ground", "UPS next day", "UPS Overnight", "UPS standard", "USPS", "USPS Express", "USPS - First Class",
        "USPS - Priority Mail", "USPS - Priority Mail Express", "VIR", "Yamato", "Zeleris", "Other",
    ]

    /// Up to `limit` entries of ``known`` closest to `name`, best first: those with the same letters and digits
    /// (ignoring case, spaces and punctuation), then those that start with `name` or that `name` starts with;
    /// when there are none of either, the smallest edit distances. Pure.
    public static func closest(to name: String, limit: Int = 3) -> [String] {
        let wanted = letters(name)
        let ranked = known.enumerated().map { index, entry -> (rank: Int, distance: Int, index: Int, entry: String) in
            let candidate = letters(entry)
            let rank = candidate == wanted ? 0
                : (!wanted.isEmpty && (candidate.hasPrefix(wanted) || wanted.hasPrefix(candidate))) ? 1 : 2
            return (rank, editDistance(Array(wanted), Array(candidate)), index, entry)
        }
        let sorted = ranked.sorted { ($0.rank, $0.distance, $0.index) < ($1.rank, $1.distance, $1.index) }
        let related = sorted.filter { $0.rank < 2 }
        return (related.isEmpty ? sorted : related).prefix(limit).map(\.entry)
    }

    /// Lower-cased letters and digits only.
    static func letters(_ text: String) -> String {
        String(text.lowercased().filter { $0.isLetter || $0.isNumber })
    }

    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}
