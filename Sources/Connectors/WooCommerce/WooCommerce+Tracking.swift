import Foundation
import OrderSync

/// How a shipment is told to a WooCommerce store, as pure values: the customer note's text, whether a
/// note or tracking entry already carries a tracking number (the duplicate-note guard), the Shipment
/// Tracking extension's custom link and provider-name comparison, and when an order counts as fully shipped.
enum WooCommerceTracking {
    /// The tracking number as sent: without whitespace (carriers' sites take it compact).
    static func compact(_ tracking: String) -> String { tracking.filter { !$0.isWhitespace } }

    /// `Shipped with Colissimo, tracking 6A123: https://…` — one customer note per shipment; a partial
    /// shipment names its lines (`Shipped with Colissimo (1 × T-shirt M, 2 × Mug), tracking …`).
    static func noteText(carrier: String?, tracking: String, url: String?, lines: [OrderLine]) -> String {
        var text = "Shipped"
        if let carrier, !carrier.isEmpty { text += " with \(carrier)" }
        if !lines.isEmpty {
            text += " (" + lines.map { "\($0.quantity) × \($0.name.isEmpty ? "item \($0.lineID)" : $0.name)" }
                .joined(separator: ", ") + ")"
        }
        text += ", tracking \(compact(tracking))"
        if let url, !url.isEmpty { text += ": \(url)" } else { text += "." }
        return text
    }

    /// True when `text` (a note, possibly with HTML) carries `tracking` as a whole token, ignoring case,
    /// whether written compact or in groups (`6A 1234 5678` by hand): `6A123` is in
    /// "tracking 6A123: https://…?code=6A123" but not in "6A1234".
    static func mentions(_ text: String, tracking: String) -> Bool {
        substringMentions(text, tracking: tracking) || groupedMentions(text, tracking: tracking)
    }

    /// Consecutive word tokens separated only by spaces that spell the compact number.
    private static func groupedMentions(_ text: String, tracking: String) -> Bool {
        let target = compact(tracking).lowercased()
        guard !target.isEmpty else { return false }
        var tokens: [(text: String, spaceAfter: Bool)] = []
        var current = ""
        for scalar in text.lowercased().unicodeScalars {
            if isWordScalar(scalar) || scalar == "-" || scalar == "_" {
                current.unicodeScalars.append(scalar)
                continue
            }
            if !current.isEmpty { tokens.append((current, scalar.properties.isWhitespace)); current = "" }
            else if !scalar.properties.isWhitespace, !tokens.isEmpty { tokens[tokens.count - 1].spaceAfter = false }
        }
        if !current.isEmpty { tokens.append((current, false)) }
        for start in tokens.indices where target.hasPrefix(tokens[start].text) {
            var joined = ""
            for index in start..<tokens.count {
                joined += tokens[index].text
                if joined == target { return true }
                guard target.hasPrefix(joined), tokens[index].spaceAfter else { break }
            }
        }
        return false
    }

    private static func substringMentions(_ text: String, tracking: String) -> Bool {
        let haystack = Array(text.lowercased().unicodeScalars)
        var candidates = [compact(tracking).lowercased()]
        let typed = tracking.trimmingWhitespace().lowercased()
        if typed != candidates[0] { candidates.append(typed) }
        for candidate in candidates where !candidate.isEmpty {
            let needle = Array(candidate.unicodeScalars)
            guard needle.count <= haystack.count else { continue }
            for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
                guard Array(haystack[start..<start + needle.count]) == needle else { continue }
                let before = start == 0 ? nil : haystack[start - 1]
                let after = start + needle.count < haystack.count ? haystack[start + needle.count] : nil
                if !isWordScalar(before) && !isWordScalar(after) { return true }
            }
        }
        return false
    }

    private static func isWordScalar(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        return scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
    }

    /// The extension's `custom_tracking_link`: the URL the buyer follows, rendered. The extension shows a
    /// custom provider's link word for word (`get_formatted_tracking_item`; only its built-in providers'
    /// formats go through `sprintf`), so no placeholder or doubled `%` may be left in it. The shipment's own
    /// link (typed with `--tracking-url`, or the carrier's template already rendered) comes first.
    static func customLink(shipmentURL: String?, rendered: String?) -> String? {
        for candidate in [shipmentURL, rendered] {
            if let link = candidate?.trimmingWhitespace(), !link.isEmpty { return link }
        }
        return nil
    }

    /// WordPress's `sanitize_title` (save context) as the extension applies it to `tracking_provider`:
    /// accents removed, lower case, `.` `/` and spaces as `-`, other punctuation dropped, one `-` between
    /// words (`DHL Intraship (DE)` → `dhl-intraship-de`, `DPD.de` → `dpd-de`). Letters without an ASCII form
    /// are kept percent-encoded, as WordPress keeps them.
    static func providerSlug(_ name: String) -> String {
        let folded = name.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "en_US_POSIX"))
            .lowercased()
        var slug = ""
        for scalar in folded.unicodeScalars {
            switch scalar {
            case "a"..."z", "0"..."9", "_", "-": slug.unicodeScalars.append(scalar)
            case ".", "/": slug += "-"
            case _ where scalar.properties.isWhitespace: slug += "-"
            case _ where scalar.isASCII: continue
            default:
                slug += String(scalar).utf8.map { String(format: "%%%02x", $0) }.joined()
            }
        }
        while slug.contains("--") { slug = slug.replacingOccurrences(of: "--", with: "-") }
        return slug.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }

    /// `date_shipped`: the UTC calendar day, `YYYY-MM-DD`.
    static func dateShipped(_ date: Date) -> String { String(Timestamp.format(date).prefix(10)) }

    /// True when, with `shipment` pushed, every line of the order has shipped: a whole-order shipment, or
    /// the lines of this and the already pushed shipments together cover every line.
    static func allLinesShipped(lines: [OrderLine], shipments: [Shipment], current shipment: ShipmentRequest) -> Bool {
        if shipment.wholeOrder || shipment.lines.isEmpty { return true }
        var covered = Set(shipment.lines.map(\.lineID))
        let key = ShipmentPlanner.dedupeKey(shipment.trackingNumber)
        for other in shipments where other.state == .pushed && ShipmentPlanner.dedupeKey(other.trackingNumber) != key {
            if other.lineIDs.isEmpty { return true }
            covered.formUnion(other.lineIDs)
        }
        return lines.allSatisfy { covered.contains($0.lineID) }
    }
}
