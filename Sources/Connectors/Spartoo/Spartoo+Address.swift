import Foundation
import OrderSync

extension SpartooMapper {
    /// An address from the `customers_*` or `delivery_*` fields (API notes §5 [C]): a house number that
    /// came in `*_company` joins the street, `*_suburb` (c/o, building) becomes line 2, the country is an
    /// ISO code where the name is recognised, and the buyer's phone is used (Spartoo sends one). Nil when
    /// the block has nothing.
    static func address(_ block: SpartooXMLElement, prefix: String, phone: String?) -> Address? {
        let names = AddressFields.of(prefix)
        func field(_ name: String) -> String { block.string(name) ?? "" }
        var company = field(names.company)
        var street = field(names.streetAddress)
        if street.isEmpty { street = field(names.street) }
        let country = normalizedCountry(iso: field(names.countryISO), name: field(names.country))
        if isHouseNumber(company), !street.isEmpty, !containsToken(street, company) {
            street = numberFirstCountries.contains(country) ? "\(company) \(street)" : "\(street) \(company)"
            company = ""
        }
        let name = [field(names.firstname), field(names.lastname)].filter { !$0.isEmpty }.joined(separator: " ")
        let address = Address(name: name, company: company, line1: street, line2: field(names.suburb),
                              postcode: field(names.postcode), city: field(names.city), state: field(names.state),
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

    /// The element names of an address block (`<prefix>_company` …), made once for the two prefixes the
    /// orders use: interpolating every name for every field of every order was ~1,500 instructions a field
    /// (issue 17).
    struct AddressFields {
        let company, streetAddress, street, countryISO, country, firstname, lastname, suburb, postcode, city, state: String

        init(prefix: String) {
            func name(_ field: String) -> String { prefix + "_" + field }
            company = name("company"); streetAddress = name("street_address"); street = name("street")
            countryISO = name("country_iso"); country = name("country"); firstname = name("firstname")
            lastname = name("lastname"); suburb = name("suburb"); postcode = name("postcode"); city = name("city")
            state = name("state")
        }

        static let customers = AddressFields(prefix: "customers")
        static let delivery = AddressFields(prefix: "delivery")

        static func of(_ prefix: String) -> AddressFields {
            switch prefix {
            case "customers": customers
            case "delivery": delivery
            default: AddressFields(prefix: prefix)
            }
        }
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
        return countryNames[countryKey(trimmed)] ?? trimmed
    }

    /// A country name as ``countryNames`` is keyed: without case or diacritics, hyphens as spaces. ASCII
    /// (nearly every name sent) is folded byte by byte; Foundation's folding took ~10,000 instructions a
    /// name (issue 17) and answers the same for ASCII (tested), so it is kept for the rest.
    static func countryKey(_ name: String) -> String {
        if name.utf8.allSatisfy({ $0 < 0x80 }) {
            return String(decoding: name.utf8.map { byte -> UInt8 in
                switch byte {
                case UInt8(ascii: "-"): UInt8(ascii: " ")
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte + 32
                default: byte
                }
            }, as: UTF8.self)
        }
        return foldedCountryKey(name)
    }

    /// ``countryKey(_:)`` through Foundation's folding, for any text.
    static func foldedCountryKey(_ name: String) -> String {
        name.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
            .lowercased().replacingOccurrences(of: "-", with: " ")
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
