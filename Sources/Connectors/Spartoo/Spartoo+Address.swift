import Foundation
import OrderSync

extension SpartooMapper {
    /// An address from the `customers_*` or `delivery_*` fields (API notes §5 [C]): a house number that
    /// came in `*_company` joins the street, `*_suburb` (c/o, building) becomes line 2, the country is an
    /// ISO code where the name is recognised, and the buyer's phone is used (Spartoo sends one). Nil when
    /// the block has nothing.
    static func address(_ block: SpartooXMLElement, prefix: String, phone: String?) -> Address? {
        func field(_ name: String) -> String { block.string("\(prefix)_\(name)") ?? "" }
        var company = field("company")
        var street = field("street_address")
        if street.isEmpty { street = field("street") }
        let country = normalizedCountry(iso: field("country_iso"), name: field("country"))
        if isHouseNumber(company), !street.isEmpty, !containsToken(street, company) {
            street = numberFirstCountries.contains(country) ? "\(company) \(street)" : "\(street) \(company)"
            company = ""
        }
        let name = [field("firstname"), field("lastname")].filter { !$0.isEmpty }.joined(separator: " ")
        let address = Address(name: name, company: company, line1: street, line2: field("suburb"),
                              postcode: field("postcode"), city: field("city"), state: field("state"),
                              country: country, phone: "")
        guard !address.isEmpty else { return nil }
        var withPhone = address
        withPhone.phone = phone ?? ""
        return withPhone
    }

    /// `relay_info` → the contract's pickup point; nil when the block is empty.
    static func pickupPoint(_ relay: SpartooXMLElement) -> PickupPoint? {
        let id = relay.string("relay_id") ?? ""
        let name = relay.string("relay_name") ?? ""
        let address = Address(name: name, line1: relay.string("relay_address") ?? "",
                              postcode: relay.string("relay_postcode") ?? "", city: relay.string("relay_city") ?? "",
                              country: normalizedCountry(iso: relay.string("relay_country_iso") ?? "",
                                                         name: relay.string("relay_country") ?? ""))
        if id.isEmpty && address.isEmpty { return nil }
        return PickupPoint(id: id, name: name, address: address)
    }

    /// Countries where the house number precedes the street name.
    static let numberFirstCountries: Set<String> = ["FR", "BE", "LU", "MC", "GB", "IE", "CA", "US"]

    /// `12`, `12b`, `12 bis`, `3-5`: what a house number in `*_company` looks like.
    static func isHouseNumber(_ text: String) -> Bool {
        let t = text.trimmingWhitespace().lowercased()
        guard let first = t.first, first.isASCII, first.isNumber, t.count <= 10 else { return false }
        let digits = t.prefix { $0.isASCII && ($0.isNumber || $0 == "-" || $0 == "/") }
        let rest = t.dropFirst(digits.count).trimmingWhitespace()
        return rest.isEmpty || ["bis", "ter", "quater"].contains(rest) || (rest.count == 1 && rest.first!.isLetter)
    }

    private static func containsToken(_ street: String, _ token: String) -> Bool {
        street.split(whereSeparator: { $0 == " " || $0 == "," }).contains { $0.caseInsensitiveCompare(token) == .orderedSame }
    }

    /// An ISO 3166-1 alpha-2 code from `*_country_iso`, else from a two-letter or recognised `*_country`
    /// (Spartoo may send a name, API notes §5); an unrecognised name is kept as sent.
    static func normalizedCountry(iso: String, name: String) -> String {
        let isoTrimmed = iso.trimmingWhitespace()
        if isoTrimmed.count == 2 { return isoTrimmed.uppercased() }
        let trimmed = name.trimmingWhitespace()
        if trimmed.count == 2, trimmed.allSatisfy({ $0.isASCII && $0.isLetter }) { return trimmed.uppercased() == "UK" ? "GB" : trimmed.uppercased() }
        let key = trimmed.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
            .lowercased().replacingOccurrences(of: "-", with: " ")
        return countryNames[key] ?? trimmed
    }

    private static let countryNames: [String: String] = [
        "france": "FR", "espana": "ES", "espagne": "ES", "spain": "ES", "spanien": "ES", "italia": "IT", "italie": "IT",
        "italy": "IT", "italien": "IT", "deutschland": "DE", "allemagne": "DE", "germany": "DE", "alemania": "DE",
        "germania": "DE", "belgique": "BE", "belgie": "BE", "belgium": "BE", "belgien": "BE", "belgica": "BE",
        "nederland": "NL", "pays bas": "NL", "netherlands": "NL", "niederlande": "NL", "portugal": "PT", "polska": "PL",
        "pologne": "PL", "poland": "PL", "sverige": "SE", "suede": "SE", "sweden": "SE", "schweiz": "CH", "suisse": "CH",
        "svizzera": "CH", "switzerland": "CH", "osterreich": "AT", "autriche": "AT", "austria": "AT", "luxembourg": "LU",
        "united kingdom": "GB", "royaume uni": "GB", "great britain": "GB", "ireland": "IE", "irlande": "IE",
        "danmark": "DK", "danemark": "DK", "denmark": "DK", "hrvatska": "HR", "croatie": "HR", "croatia": "HR",
        "ceska republika": "CZ", "republique tcheque": "CZ", "czech republic": "CZ", "grece": "GR", "greece": "GR",
        "monaco": "MC", "suomi": "FI", "finlande": "FI", "finland": "FI",
    ]
}
