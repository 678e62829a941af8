import Foundation

extension SpartooSimulator {
    /// Adds `count` realistic orders spread over the sites and returns them. The same `seed` on a fresh
    /// simulator gives the same orders; dates are offsets back from `now` (default: the simulator clock),
    /// all inside the last 9 days.
    ///
    /// The mix: about half new (11), a fifth accepted (2), a fifth shipped (3, with tracking), a few
    /// cancelled (41), lost (45) and returned (47); one in four has several lines, some lines quantity 2;
    /// one in four goes to a pickup point (`relay_info`), one in six has an empty `<delivery>` block; names,
    /// streets and products carry accents, apostrophes and ampersands ("François L'Hôte", "Dupont & Fils",
    /// "Ballerines & nœud"), a house number sometimes sits in `*_company`, one order in three is written with
    /// CDATA.
    @discardableResult
    public func generateOrders(count: Int, seed: UInt64 = 1, now: Date? = nil) -> [Order] {
        let base = now ?? clock()
        var rng = SeededGenerator(seed: seed)
        return withState { state in
            (0..<max(0, count)).map { index in
                let site = sites[index % sites.count]
                var template = Self.randomOrder(site: site, rng: &rng, base: base, waiting: false)
                template.id = state.newID(site: site)
                return state.insert(template, now: base)
            }
        }
    }

    /// Adds one new order (status 11) bought now on `site` (default: the first site) and returns it.
    @discardableResult
    public func makeNewOrder(site: String? = nil) -> Order {
        let now = clock()
        return withState { Self.makeNewOrder(site: site ?? sites[0], now: now, state: &$0) }
    }

    static func makeNewOrder(site: String, now: Date, state: inout State) -> Order {
        var template = randomOrder(site: site, rng: &state.generator, base: now, waiting: true)
        template.purchasedAt = now
        template.modifiedAt = now
        return state.insert(template, now: now)
    }

    // MARK: - Building blocks

    private static let frenchNames: [(String, String)] = [
        ("Hélène", "Lefèvre"), ("François", "L'Hôte"), ("Anne-Sophie", "D'Arcy"), ("Zoé", "Château"), ("Chloé", "Bénard"),
        ("Noémie", "de La Tour d'Auvergne"), ("Ève", "N'Diaye"), ("Jérôme", "O'Connor"), ("Maël", "Le Goff"), ("Łukasz", "Wójcik"),
    ]
    private static let spanishNames: [(String, String)] = [
        ("José", "Martínez"), ("Iñaki", "Etxeberria"), ("Núria", "Puig i Ferrer"), ("María José", "Gómez-Peña"), ("Àlex", "Vilà"),
    ]
    private static let frenchPlaces: [(String, String, String)] = [
        ("12 rue de l'Église", "69002", "Lyon"), ("3 bis avenue Jean-Jaurès", "75019", "Paris"),
        ("27 quai de la Tournelle", "75005", "Paris"), ("8 impasse des Lilas", "13001", "Marseille"),
        ("1 place de l'Hôtel de Ville", "59800", "Lille"),
    ]
    private static let spanishPlaces: [(String, String, String)] = [
        ("Calle de Alcalá", "28014", "Madrid"), ("Passeig de Gràcia", "08007", "Barcelona"), ("Calle Larios", "29005", "Málaga"),
    ]
    private static let shoes: [(name: String, brand: String, cents: Int)] = [
        ("Derby cuir « Élégance »", "Kickers", 8990), ("Sneakers Stan Smith", "adidas Originals", 9995),
        ("Bottines Chelsea", "Dr. Martens", 17_900), ("Sandales d'été", "Birkenstock", 6490),
        ("Ballerines & nœud", "Repetto", 19_500), ("Espadrilles <Classic>", "Toms", 4990),
    ]
    private static let shippingNames = ["Colissimo", "UPS Standard", "Chronopost", "Correos Express", "BRT 1"]

    private static func person(site: String, rng: inout SeededGenerator, customer: Bool) -> Person {
        let spanish = site == "es"
        let (first, last) = rng.pick(spanish ? spanishNames : frenchNames)
        let (street, postcode, city) = rng.pick(spanish ? spanishPlaces : frenchPlaces)
        // Spanish streets without their number, which sits in `*_company` (API notes §5).
        let company = spanish ? String(rng.int(1...120)) : rng.pick(["", "", "", "Dupont & Fils", "Café O'Brien & Co"])
        let suburb = rng.pick(["", "", "c/o Mme Durand", "Bâtiment B, 2e étage"])
        let email = "\(ascii(first)).\(ascii(last))\(rng.int(1...99))@example.\(spanish ? "es" : "fr")"
        return Person(firstName: first, lastName: last, company: company, street: street, suburb: suburb, postcode: postcode,
                      city: city, country: spanish ? rng.pick(["España", "ES"]) : rng.pick(["France", "FR"]),
                      email: customer ? email : "", phone: customer ? (spanish ? "+34 6\(rng.int(10_000_000...99_999_999))"
                          : "06 \(rng.int(10...99)) \(rng.int(10...99)) \(rng.int(10...99)) \(rng.int(10...99))") : "")
    }

    /// Lower-case ASCII for an e-mail local part.
    private static func ascii(_ text: String) -> String {
        let folded = text.replacingOccurrences(of: "Ł", with: "L").folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
        return String(folded.lowercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber) })
    }

    static func randomOrder(site: String, rng: inout SeededGenerator, base: Date, waiting: Bool) -> Order {
        let roll = waiting ? 0 : rng.int(0...99)
        let status: Int = switch roll {
        case 0..<50: 11
        case 50..<70: 2
        case 70..<90: 3
        case 90..<95: 41
        case 95..<98: 45
        default: 47
        }
        let lineCount = rng.int(0...3) == 0 ? rng.int(2...3) : 1
        var pool = shoes
        var products: [Product] = []
        for _ in 0..<lineCount {
            let shoe = pool.remove(at: rng.int(0...(pool.count - 1)))
            let size = String(rng.int(36...45))
            let reference = "SP-\(rng.int(1000...9999))"
            let reduced = rng.int(0...4) == 0 ? shoe.cents * 9 / 10 : shoe.cents
            products.append(Product(reference: reference, sizeReference: "\(reference)-\(size)", spartooID: String(rng.int(100_000...999_999)),
                                    name: shoe.name, manufacturer: shoe.brand, size: size,
                                    color: rng.pick(["Noir", "Marron", "Blanc cassé", "Bleu marine"]),
                                    quantity: rng.int(0...5) == 0 ? 2 : 1, unitCents: shoe.cents, unitWithReduceCents: reduced))
        }
        let customer = person(site: site, rng: &rng, customer: true)
        var delivery: Person? = rng.int(0...5) == 0 ? nil : person(site: site, rng: &rng, customer: false)
        var relay: Relay?
        var shippingName = rng.pick(shippingNames)
        if rng.int(0...3) == 0 {
            relay = site == "es"
                ? Relay(id: String(rng.int(10_000...99_999)), type: "PUNTO_PACK", name: "Librería Cervantes & Hijos",
                        address: "Calle Mayor 5", postcode: "28013", city: "Madrid", countryISO: "ES")
                : Relay(id: String(format: "%06d", rng.int(1...999_999)), type: "MONDIAL_RELAY", name: "Tabac L'Étoile & Presse",
                        address: "3 place du Marché", postcode: "69003", city: "Lyon", countryISO: "FR")
            shippingName = site == "es" ? "Punto Pack" : "Mondial Relay"
            if delivery == nil { delivery = customer }
        }
        let purchased = base.addingTimeInterval(-Double(rng.int(3_600...9 * 86_400)))
        var order = Order(site: site, status: status, customer: customer, delivery: delivery, relay: relay,
                          paymentMethod: rng.pick(["CB", "PayPal", "Carte Bancaire", "Oney 3x"]), shippingName: shippingName,
                          shippingCents: rng.int(0...2) == 0 ? 490 : 0, products: products, purchasedAt: purchased,
                          modifiedAt: min(base, purchased.addingTimeInterval(Double(rng.int(60...7_200)))),
                          useCDATA: rng.int(0...2) == 0)
        if status == 3 || status == 45 || status == 47 {
            order.trackingNumber = "6A\(rng.int(10_000_000...99_999_999))\(rng.int(100...999))"
        }
        return order
    }
}
