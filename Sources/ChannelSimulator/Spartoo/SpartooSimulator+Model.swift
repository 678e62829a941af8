import Foundation

extension SpartooSimulator {
    /// A buyer or delivery address as Spartoo writes it (`customers_*` / `delivery_*`).
    public struct Person: Sendable, Equatable {
        public var firstName: String
        public var lastName: String
        /// Often holds the house number (API notes §5).
        public var company: String
        public var street: String
        /// c/o, building, floor.
        public var suburb: String
        public var postcode: String
        public var city: String
        public var state: String
        /// A country name or code, as Spartoo sends it (`France`, `ES`).
        public var country: String
        /// Customers only.
        public var email: String
        /// Customers only (Spartoo sends one phone).
        public var phone: String

        public init(firstName: String = "Marie", lastName: String = "Martin", company: String = "",
                    street: String = "12 rue de la République", suburb: String = "", postcode: String = "69002",
                    city: String = "Lyon", state: String = "", country: String = "France",
                    email: String = "marie.martin@example.fr", phone: String = "0612345678") {
            self.firstName = firstName; self.lastName = lastName; self.company = company; self.street = street
            self.suburb = suburb; self.postcode = postcode; self.city = city; self.state = state
            self.country = country; self.email = email; self.phone = phone
        }
    }

    /// A pickup point (`<relay_info>` inside `<delivery>`).
    public struct Relay: Sendable, Equatable {
        public var id: String
        public var type: String
        public var name: String
        public var address: String
        public var postcode: String
        public var city: String
        public var countryISO: String

        public init(id: String = "012345", type: String = "MONDIAL_RELAY", name: String = "Tabac L'Étoile & Presse",
                    address: String = "3 place du Marché", postcode: String = "69003", city: String = "Lyon",
                    countryISO: String = "FR") {
            self.id = id; self.type = type; self.name = name; self.address = address; self.postcode = postcode
            self.city = city; self.countryISO = countryISO
        }
    }

    /// One product line.
    public struct Product: Sendable, Equatable {
        /// `products_reference`: the merchant's reference of the model.
        public var reference: String
        /// `products_size_reference`: the merchant's reference of the size (empty: none).
        public var sizeReference: String
        /// `products_spartoo`: Spartoo's product id.
        public var spartooID: String
        public var name: String
        public var manufacturer: String
        public var size: String
        public var color: String
        public var quantity: Int
        /// `products_price_unit` in cents (before reduction).
        public var unitCents: Int
        /// `products_price_unit_with_reduce` in cents.
        public var unitWithReduceCents: Int

        public init(reference: String = "REF-123", sizeReference: String = "REF-123-42", spartooID: String = "987654",
                    name: String = "Derby cuir", manufacturer: String = "Kickers", size: String = "42", color: String = "Noir",
                    quantity: Int = 1, unitCents: Int = 8990, unitWithReduceCents: Int? = nil) {
            self.reference = reference; self.sizeReference = sizeReference; self.spartooID = spartooID; self.name = name
            self.manufacturer = manufacturer; self.size = size; self.color = color; self.quantity = quantity
            self.unitCents = unitCents; self.unitWithReduceCents = unitWithReduceCents ?? unitCents
        }

        /// The references a delivery-slip request may name this line by.
        var references: Set<String> { Set([reference, sizeReference].filter { !$0.isEmpty }) }
    }

    /// One order on one site. A template with an empty `id` gets a 16-hex id; nil dates become "now".
    public struct Order: Sendable, Equatable {
        public var site: String
        /// `orders_id`: 16 uppercase hex in real life; opaque.
        public var id: String
        /// 11 new, 2 accepted, 3 shipped, 41 cancelled, 45 lost, 47 returned undelivered.
        public var status: Int
        public var customer: Person
        /// nil: an empty `<delivery/>` block (deliver to the buyer).
        public var delivery: Person?
        public var relay: Relay?
        public var paymentMethod: String
        /// `shipping_name`: the service label ("Colissimo", "Mondial Relay", "UPS Standard").
        public var shippingName: String
        public var shippingCents: Int
        public var products: [Product]
        /// `order_total` in cents; nil: products × quantities + shipping.
        public var totalCents: Int?
        public var purchasedAt: Date?
        public var modifiedAt: Date?
        /// When the order reached 3 (for ``Configuration/shippedOutcome``).
        public var shippedAt: Date?
        public var trackingNumber: String
        /// Text values written as CDATA sections instead of escaped text.
        public var useCDATA: Bool

        public init(site: String = "fr", id: String = "", status: Int = 11, customer: Person = Person(),
                    delivery: Person? = Person(), relay: Relay? = nil, paymentMethod: String = "CB",
                    shippingName: String = "Colissimo", shippingCents: Int = 0, products: [Product] = [Product()],
                    totalCents: Int? = nil, purchasedAt: Date? = nil, modifiedAt: Date? = nil, trackingNumber: String = "",
                    useCDATA: Bool = false) {
            self.site = site; self.id = id; self.status = status; self.customer = customer; self.delivery = delivery
            self.relay = relay; self.paymentMethod = paymentMethod; self.shippingName = shippingName
            self.shippingCents = shippingCents; self.products = products; self.totalCents = totalCents
            self.purchasedAt = purchasedAt; self.modifiedAt = modifiedAt; self.shippedAt = nil
            self.trackingNumber = trackingNumber; self.useCDATA = useCDATA
        }

        /// `order_total`: the given total, else the lines at their reduced price plus shipping.
        public var total: Int {
            totalCents ?? products.reduce(shippingCents) { $0 + $1.unitWithReduceCents * $1.quantity }
        }
    }

    /// Status labels by site language (Spartoo writes them in the site's language; clients map on the id).
    static func statusName(_ status: Int, site: String) -> String {
        let french = [11: "Commande Vérifiée", 2: "En cours de préparation", 3: "Commande Expédiée",
                      41: "Annulation Confirmée", 45: "Colis perdu", 47: "Colis non délivré retourné Spartoo"]
        let spanish = [11: "Pedido verificado", 2: "En preparación", 3: "Pedido enviado", 41: "Anulación confirmada",
                       45: "Paquete perdido", 47: "Paquete no entregado devuelto a Spartoo"]
        let english = [11: "Order Verified", 2: "Being prepared", 3: "Order Shipped", 41: "Cancellation Confirmed",
                       45: "Parcel lost", 47: "Parcel not delivered, returned to Spartoo"]
        let table = site == "fr" || site == "be" || site == "ch" ? french : site == "es" ? spanish : english
        return table[status] ?? "Statut \(status)"
    }

    // MARK: - Public order access (thread-safe)

    /// Adds an order (assigning an id and dates where unset) and returns it as stored.
    @discardableResult
    public func addOrder(_ template: Order = Order()) -> Order {
        let now = clock()
        return withState { $0.insert(template, now: now) }
    }

    /// The order `id` on `site`, if any.
    public func order(site: String, id: String) -> Order? {
        withState { $0.orders[OrderKey(site: site, id: id)] }
    }

    /// Every order, oldest purchase first.
    public func allOrders() -> [Order] {
        withState { state in state.orders.values.sorted { ($0.purchasedAt ?? .distantPast, $0.id) < ($1.purchasedAt ?? .distantPast, $1.id) } }
    }

    /// Sets an order's status as Spartoo itself would (45/47, a cancellation by the buyer…); not an applied effect.
    public func setStatus(site: String, id: String, status: Int) {
        let now = clock()
        withState { state in
            guard var order = state.orders[OrderKey(site: site, id: id)] else { return }
            order.status = status
            order.modifiedAt = now
            if status == 3 { order.shippedAt = now }
            state.orders[OrderKey(site: site, id: id)] = order
        }
    }
}

/// Orders are keyed by site and `orders_id`: the same id may exist on two sites.
struct OrderKey: Hashable, Sendable {
    let site: String
    let id: String
}
