import Foundation

/// One entry of `carriers`: a canonical carrier key, its tracking-link template and per-channel spellings.
public struct CarrierConfig: Sendable, Equatable {
    /// The key in `carriers` (`[a-z0-9-]+`), used by `ship --carrier` and `shipping_rules`.
    public var key: String
    /// `tracking_url`: a template with `{tracking}` and optionally `{postcode}`.
    public var trackingURL: String?
    /// `names`: channel type (the config's `type`) → how that channel spells the carrier.
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
