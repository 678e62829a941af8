import Foundation

extension BackMarketSimulator {
    /// Adds `count` realistic orders and returns them (sorted by id). The same `seed` on a fresh
    /// simulator gives the same ids and contents; dates are offsets back from `now` (default: the
    /// simulator clock), so pass `now` too for byte-identical output.
    ///
    /// The mix: about 45 % waiting for acceptance (1), 15 % accepted (3), 15 % shipped (9, with
    /// tracking and, for single phones, an IMEI), 7 % buyer still paying (10, turning 1 at
    /// `paymentCompletesAt`, 1–10 minutes after `now`), cancellations and refunds (4, 5, 6);
    /// one order in five has several lines, some lines have quantity 2. Names are French and
    /// German with accents and apostrophes ("Hélène Müller", "François L'Hôte"); products mix
    /// smartphones ("iPhone 12 64 GB") and other devices ("MacBook Air…"); dates use `Z`,
    /// `+01:00` and microsecond forms; every 40th order (from the 4th) has no email; every 25th
    /// (from the 10th) duplicates the previous qty-1 order's buyer and listing.
    @discardableResult
    public func generateOrders(count: Int, seed: UInt64 = 1, now: Date? = nil) -> [Order] {
        let base = now ?? clock()
        var rng = SeededGenerator(seed: seed)
        return withState { state in
            var added: [Order] = []
            var previous: Order?
            for index in 0..<max(0, count) {
                var template = Self.randomOrder(rng: &rng, base: base, waiting: false)
                if index % 40 == 3 {
                    template.shippingAddress.email = nil
                    template.billingAddress.email = nil
                }
                if index % 25 == 9, let previous, previous.lines.count == 1, previous.lines[0].quantity == 1 {
                    // Two checkouts on a qty-1 listing both create orders (API notes §5).
                    template.shippingAddress = previous.shippingAddress
                    template.billingAddress = previous.billingAddress
                    let line = previous.lines[0]
                    template.lines = [OrderLine(state: 1, listing: line.listing, product: line.product, brand: line.brand, price: line.price, condition: line.condition)]
                    template.price = nil
                    template.paymentCompletesAt = nil
                    template.shipper = ""
                    template.trackingNumber = ""
                    template.trackingURL = ""
                    template.dateShipping = nil
                }
                let order = state.insert(template, now: base)
                added.append(order)
                previous = order
            }
            return added
        }
    }

    /// Adds one new order waiting for acceptance (state 1), created and paid now, and returns it —
    /// for "a new order appears" scenarios. Successive calls differ but repeat across runs.
    @discardableResult
    public func makeNewOrder() -> Order {
        let now = clock()
        return withState { makeNewOrder(now: now, state: &$0) }
    }

    func makeNewOrder(now: Date, state: inout State) -> Order {
        var template = Self.randomOrder(rng: &state.generator, base: now, waiting: true)
        template.dateCreation = now
        template.datePayment = now
        template.dateModification = now
        return state.insert(template, now: now)
    }

    // MARK: - Building blocks

    private struct Product {
        let listing: String
        let name: String
        let brand: String
        let cents: Int
        let isPhone: Bool
    }

    private static let products: [Product] = [
        Product(listing: "SKU-IP12-64", name: "iPhone 12 64 GB", brand: "Apple", cents: 29_900, isPhone: true),
        Product(listing: "SKU-IP13-128-MID", name: "iPhone 13 128 GB - Midnight", brand: "Apple", cents: 47_900, isPhone: true),
        Product(listing: "SKU-IPSE2-64", name: "iPhone SE (2020) 64 GB", brand: "Apple", cents: 16_900, isPhone: true),
        Product(listing: "SKU-GS21-128", name: "Galaxy S21 5G 128 GB", brand: "Samsung", cents: 32_950, isPhone: true),
        Product(listing: "SKU-PIX7-128", name: "Pixel 7 128 GB", brand: "Google", cents: 34_900, isPhone: true),
        Product(listing: "SKU-MBA-M1-256", name: "MacBook Air 13\" (2020) M1 256 GB", brand: "Apple", cents: 74_900, isPhone: false),
        Product(listing: "SKU-IPAD9-64", name: "iPad 10.2\" (2021) 64 GB Wi-Fi", brand: "Apple", cents: 28_900, isPhone: false),
        Product(listing: "SKU-APP1", name: "AirPods Pro (1st gen)", brand: "Apple", cents: 11_900, isPhone: false),
        Product(listing: "SKU-SWITCH-OLED", name: "Nintendo Switch OLED", brand: "Nintendo", cents: 26_900, isPhone: false),
        Product(listing: "SKU-XPS13-I7", name: "XPS 13 9310 i7 16 GB 512 GB SSD", brand: "Dell", cents: 89_900, isPhone: false),
    ]

    private static let names: [(String, String)] = [
        ("Hélène", "Müller"), ("Jean", "Dupont"), ("François", "L'Hôte"), ("Zoé", "Lefèvre"), ("Anne-Sophie", "D'Arcy"),
        ("Maël", "Le Goff"), ("Chloé", "Bénard"), ("Jérôme", "O'Connor"), ("Jürgen", "Groß"), ("Björn", "Schäfer"),
        ("Käthe", "Weiß"), ("Léa", "Château"), ("Günther", "Köhler"), ("Noémie", "de La Tour d'Auvergne"),
        ("Maximilian", "von Bülow"), ("Ève", "N'Diaye"),
    ]

    private static let frenchPlaces: [(String, String)] = [
        ("75005", "Paris"), ("69002", "Lyon"), ("13001", "Marseille"), ("31000", "Toulouse"), ("59800", "Lille"),
        ("44000", "Nantes"), ("67000", "Strasbourg"), ("97400", "Saint-Denis"),
    ]
    private static let frenchStreets = [
        "12 rue de l'Église", "3 bis avenue Jean-Jaurès", "45 boulevard Saint-Michel", "8 impasse des Lilas",
        "27 quai de la Tournelle", "1 place de l'Hôtel de Ville",
    ]
    private static let germanPlaces: [(String, String)] = [
        ("10115", "Berlin"), ("80331", "München"), ("50667", "Köln"), ("20095", "Hamburg"), ("60311", "Frankfurt am Main"),
        ("04109", "Leipzig"),
    ]
    private static let germanStreets = ["Hauptstraße 12", "Königsallee 27", "Schloßstraße 5a", "Müllerstraße 101", "Am Weißen Steinbruch 3"]
    private static let carriers: [(name: String, url: String)] = [
        ("Colissimo", "https://www.laposte.fr/outils/suivre-vos-envois?code="), ("DHL Express", "https://www.dhl.com/fr-fr/home/suivi.html?tracking-id="),
        ("UPS", "https://www.ups.com/track?tracknum="), ("Chronopost", "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT="),
    ]

    private static func randomAddress(rng: inout SeededGenerator) -> Address {
        let (first, last) = rng.pick(names)
        let german = rng.int(0...2) == 0
        let (postalCode, city) = german ? rng.pick(germanPlaces) : rng.pick(frenchPlaces)
        let street = german ? rng.pick(germanStreets) : rng.pick(frenchStreets)
        let street2 = rng.int(0...4) == 0 ? (german ? "Hinterhaus, 2. OG" : "Bâtiment B, appartement 12") : ""
        let phone = german
            ? "+49 151 \(rng.int(1_000_000...9_999_999))"
            : "+33 6 \(rng.int(10...99)) \(rng.int(10...99)) \(rng.int(10...99)) \(rng.int(10...99))"
        let email = "\(emailPart(first)).\(emailPart(last))\(rng.int(1...99))@example.\(german ? "de" : "fr")"
        return Address(
            firstName: first, lastName: last, street: street, street2: street2, postalCode: postalCode, city: city,
            country: german ? "DE" : "FR", phone: phone, email: email)
    }

    /// Lower-case ASCII for an e-mail local part ("Groß" → "gross", "L'Hôte" → "lhote").
    private static func emailPart(_ text: String) -> String {
        let folded = text.replacingOccurrences(of: "ß", with: "ss").folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
        return String(folded.lowercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
    }

    /// A 15-digit IMEI with a valid Luhn check digit.
    static func makeIMEI(rng: inout SeededGenerator) -> String {
        var digits = [3, 5] + (0..<12).map { _ in rng.int(0...9) }
        var sum = 0
        for (offset, digit) in digits.enumerated() {
            let value = offset % 2 == 1 ? digit * 2 : digit
            sum += value > 9 ? value - 9 : value
        }
        digits.append((10 - sum % 10) % 10)
        return digits.map(String.init).joined()
    }

    private static func randomOrder(rng: inout SeededGenerator, base: Date, waiting: Bool) -> Order {
        let roll = waiting ? 0 : rng.int(0...99)
        let lineState: Int = switch roll {
        case 0..<45: 1
        case 45..<60: 2
        case 60..<75: 3
        case 75..<82: 8
        case 82..<88: 4
        case 88..<92: 5
        default: 6
        }
        let lineCount = rng.int(0...4) == 0 ? rng.int(2...3) : 1
        var pool = products
        var lines: [OrderLine] = []
        for _ in 0..<lineCount {
            let product = pool.remove(at: rng.int(0...(pool.count - 1)))
            let quantity = rng.int(0...6) == 0 ? 2 : 1
            lines.append(
                OrderLine(
                    state: lineState, listing: product.listing, product: product.name, brand: product.brand, quantity: quantity,
                    price: SimMoney.format(product.cents), condition: rng.int(9...12)))
        }
        let shipping = randomAddress(rng: &rng)
        var billing = shipping
        if rng.int(0...4) == 0 {
            billing.company = "Müller & Söhne GmbH"
            billing.street = "Industriestraße 7"
        }
        let created = base.addingTimeInterval(-Double(rng.int(3_600...30 * 86_400)))
        let paid = created.addingTimeInterval(Double(rng.int(60...1_200)))
        let express = rng.int(0...5) == 0
        var order = Order(
            lines: lines, shippingPrice: express ? "9.99" : "0.00", dateCreation: created,
            dateModification: min(base, paid.addingTimeInterval(Double(rng.int(0...7_200)))),
            datePayment: lineState == 8 ? nil : paid,
            dateStyle: rng.pick([DateStyle.utc, .paris, .microsecondsUTC, .microsecondsParis]),
            shippingAddress: shipping, billingAddress: billing,
            deliveryMode: rng.int(0...9) < 7 ? (express ? "Express" : "Standard") : nil,
            paymentMethod: rng.pick(["card", "paypal", "klarna", "card", "apple_pay"]))
        if order.deliveryMode == nil { order.shipperDisplay = express ? "DHL Express" : "Colissimo" }
        if lineState == 8 {
            // Buyer still paying: order 10, turning 1 a few minutes from now.
            order.paymentCompletesAt = base.addingTimeInterval(Double(rng.int(60...600)))
            order.dateModification = created
        }
        if lineState == 3 || lineState == 6 {
            let carrier = rng.pick(carriers)
            let tracking = "6A\(rng.int(10_000_000...99_999_999))\(rng.int(100...999))"
            order.shipper = carrier.name
            order.trackingNumber = tracking
            order.trackingURL = carrier.url + tracking
            order.dateShipping = min(base, paid.addingTimeInterval(Double(rng.int(3_600...2 * 86_400))))
            if let shipped = order.dateShipping { order.dateModification = max(order.dateModification, shipped) }
            if lines.count == 1, lines[0].quantity == 1, products.first(where: { $0.listing == lines[0].listing })?.isPhone == true {
                order.lines[0].imei = makeIMEI(rng: &rng)
            } else if lines.count == 1, lines[0].quantity == 1 {
                order.lines[0].serialNumber = "C02\(rng.int(100_000_000...999_999_999))"
            }
        }
        return order
    }
}
