import Foundation

/// One entry of `carriers`: a canonical carrier key, its tracking-link template and per-channel spellings.
public struct CarrierConfig: Sendable, Equatable {
    /// The key in `carriers` (`[a-z0-9-]+`), used by `ship --carrier` and `shipping_rules`.
    public var key: String
    /// `tracking_url`: a template with `{tracking}` and optionally `{postcode}`.
    public var trackingURL: String?
    /// `names`: channel type (`backmarket`, `spartoo`, `woocommerce`) → how that channel spells the carrier.
    public var names: [String: String]

    /// Builds a carrier in code; nothing is checked until ``Config/validate()``.
    public init(key: String, trackingURL: String? = nil, names: [String: String] = [:]) {
        self.key = key
        self.trackingURL = trackingURL
        self.names = names
    }

    /// How a channel of this type spells the carrier, if configured.
    public func name(for type: ChannelType) -> String? { names[type.rawValue] }

    /// The tracking link with `{tracking}` and `{postcode}` replaced, each percent-encoded
    /// (everything but `A-Z a-z 0-9 - . _ ~`). A missing postcode becomes the empty string.
    /// - Returns: nil when the carrier has no `tracking_url`.
    public func trackingURL(number: String, postcode: String? = nil) -> String? {
        guard let template = trackingURL else { return nil }
        return template
            .replacingOccurrences(of: "{tracking}", with: Self.percentEncoded(number))
            .replacingOccurrences(of: "{postcode}", with: Self.percentEncoded(postcode ?? ""))
    }

    static let placeholders = ["{tracking}", "{postcode}"]

    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            if ConfigText.isLowerOrDigit(scalar) || ConfigText.isUpper(scalar) || "-._~".unicodeScalars.contains(scalar) {
                out.unicodeScalars.append(scalar)
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}

/// One entry of `shipping_rules`: which carrier an order gets by default. The first matching rule wins.
public struct ShippingRule: Sendable, Equatable {
    /// `channel`: a channel id, or `*` (the default) for every channel.
    public var channel: String
    /// `shipping_method`: a case-insensitive glob (`*`, `?`) on the channel's shipping label; default `*`.
    public var shippingMethod: String
    /// `carrier` (required): a key of `carriers`.
    public var carrier: String

    /// Builds a rule in code; nothing is checked until ``Config/validate()``.
    public init(channel: String = "*", shippingMethod: String = "*", carrier: String) {
        self.channel = channel
        self.shippingMethod = shippingMethod
        self.carrier = carrier
    }

    /// True when the rule applies to this channel and shipping label.
    public func matches(channelID: String, shippingMethod label: String) -> Bool {
        (channel == "*" || channel == channelID) && Glob.matches(pattern: shippingMethod, label)
    }

    /// True when the rule can apply to the channel (ignoring the label).
    public func applies(toChannel id: String) -> Bool { channel == "*" || channel == id }
}

/// Case-insensitive shell-style globs: `*` any run of characters, `?` one character, everything else literal.
public enum Glob {
    /// True when `text` matches `pattern` as a whole, ignoring case.
    public static func matches(pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.lowercased()), t = Array(text.lowercased())
        var pi = 0, ti = 0
        var star: Int?, resume = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || (p[pi] != "*" && p[pi] == t[ti]) {
                pi += 1
                ti += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi
                resume = ti
                pi += 1
            } else if let starIndex = star {
                pi = starIndex + 1
                resume += 1
                ti = resume
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}

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
