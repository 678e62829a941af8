import Foundation

/// How a shipment is told to a WooCommerce store, as pure values: the customer note's text, whether a
/// note or tracking entry already carries a tracking number (the duplicate-note guard), the Shipment
/// Tracking extension's link template, and when an order counts as fully shipped.
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
        let typed = tracking.trimmingCharacters(in: .whitespaces).lowercased()
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

    /// The extension's `custom_tracking_link` (PHP `sprintf`: `%1$s` number, `%2$s` postcode): the carrier's
    /// `tracking_url` template with its placeholders replaced, or, when the shipment's link was typed by
    /// hand (`--tracking-url`), that link as a literal. A literal `%` is doubled so `sprintf` keeps it.
    static func customLink(template: String?, shipmentURL: String?, renderedTemplate: String?) -> String? {
        if let template, shipmentURL == nil || shipmentURL == renderedTemplate {
            return template.replacingOccurrences(of: "%", with: "%%")
                .replacingOccurrences(of: "{tracking}", with: "%1$s")
                .replacingOccurrences(of: "{postcode}", with: "%2$s")
        }
        return shipmentURL.map { $0.replacingOccurrences(of: "%", with: "%%") }
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
