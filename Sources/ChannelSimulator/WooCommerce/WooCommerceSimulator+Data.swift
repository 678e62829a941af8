import Foundation

/// Test and demo access to the simulated store. Thread-safe; changes made here are neither journalled
/// nor recorded as applied effects or e-mails (those are for changes made through the API).
extension WooCommerceSimulator {
    /// Adds `template` and returns the stored order: ids of 0 are assigned (orders from 1042), unset
    /// dates become now, `date_paid` is set for paid statuses. An existing id is replaced.
    @discardableResult
    public func addOrder(_ template: Order = Order()) -> Order {
        let now = Date(timeIntervalSince1970: clock().timeIntervalSince1970.rounded(.down))
        return withState { $0.insert(template, now: now) }
    }

    /// Builds an order from the default template changed by `configure`, then adds it.
    @discardableResult
    public func addOrder(configure: (inout Order) -> Void) -> Order {
        var template = Order()
        configure(&template)
        return addOrder(template)
    }

    /// A snapshot of order `id` (trashed ones included); nil when unknown or deleted.
    public func order(_ id: Int) -> Order? { withState { $0.orders[id] } }

    /// Snapshots of every order, by id.
    public func allOrders() -> [Order] { withState { $0.orders.values.sorted { $0.id < $1.id } } }

    /// Changes order `id` (an admin edit) and bumps `date_modified` to now unless `bumpModified` is false.
    /// New lines or meta with id 0 get ids. `change` runs under the lock and must not call back.
    @discardableResult
    public func modifyOrder(_ id: Int, bumpModified: Bool = true, _ change: (inout Order) -> Void) -> Order? {
        let now = Date(timeIntervalSince1970: clock().timeIntervalSince1970.rounded(.down))
        return withState { state in
            guard var order = state.orders[id] else { return nil }
            change(&order)
            order.id = id
            state.assignIDs(&order)
            state.orders[id] = order
            if bumpModified { state.touch(id, now: now) }
            return state.orders[id]
        }
    }

    /// Sets the status as an admin would (system note, e-mails and an applied effect are recorded).
    public func setStatus(_ id: Int, _ status: String) {
        let now = Date(timeIntervalSince1970: clock().timeIntervalSince1970.rounded(.down))
        withState { $0.changeStatus(id, to: status, now: now, byUser: "shop-manager") }
    }

    /// Moves order `id` to the bin (`status=any` no longer lists it; GET by id shows `trash`).
    public func trashOrder(_ id: Int) {
        let now = Date(timeIntervalSince1970: clock().timeIntervalSince1970.rounded(.down))
        withState { $0.trash(id, now: now) }
    }

    /// Deletes order `id` for good (GET by id → 404).
    public func deleteOrder(_ id: Int) { withState { $0.orders[id] = nil } }

    /// The notes of order `id`, oldest first.
    public func notes(orderID id: Int) -> [Note] { withState { $0.orders[id]?.notes ?? [] } }

    /// The customer notes (e-mailed to the buyer) of order `id`, oldest first.
    public func customerNotes(orderID id: Int) -> [Note] { notes(orderID: id).filter(\.customerNote) }

    /// The Shipment Tracking entries of order `id`.
    public func trackings(orderID id: Int) -> [Tracking] { withState { $0.orders[id]?.trackings ?? [] } }

    /// Adds a note as a shop manager would in the admin (no e-mail recorded).
    @discardableResult
    public func addNote(orderID id: Int, _ text: String, customer: Bool = false) -> Note? {
        let now = Date(timeIntervalSince1970: clock().timeIntervalSince1970.rounded(.down))
        return withState { state in
            guard state.orders[id] != nil else { return nil }
            return state.appendNote(id, text: text, customer: customer, author: "shop-manager", byUser: true, now: now)
        }
    }

    // MARK: - Generated data (demo, soak tests)

    /// Adds `count` plausible orders (variations with size/colour, coupons, fees, a deleted product,
    /// sequential numbers that differ from ids), deterministic for a `seed`, created over the last two days.
    @discardableResult
    public func generateOrders(count: Int, seed: UInt64 = 1, now: Date? = nil) -> [Order] {
        let base = now ?? clock()
        return withState { state in
            var generator = SeededGenerator(seed: seed)
            return (0..<count).map { index in
                var order = Self.makeOrder(&generator, index: index)
                order.dateCreated = base.addingTimeInterval(-Double(generator.int(600...172_800))).rounded()
                // Never in the future: a real store's last modification is in the past.
                order.dateModified = min(base, order.dateCreated.addingTimeInterval(Double(generator.int(0...3_600)))).rounded()
                order.datePaid = order.status == "pending" ? nil : order.dateCreated
                return state.insert(order, now: base)
            }
        }
    }

    /// A new `processing` order created now (for the demo's "an order arrives").
    @discardableResult
    public func makeNewOrder() -> Order {
        let now = clock()
        return withState { state in
            var generator = state.generator
            let order = Self.makeOrder(&generator, index: state.orders.count)
            state.generator = generator
            var template = order
            template.status = "processing"
            return state.insert(template, now: now)
        }
    }

    static func makeOrder(_ generator: inout SeededGenerator, index: Int) -> Order {
        let people = [("Jean", "Dupont", "Paris", "75003", "FR"), ("Marie", "Curie", "Lyon", "69002", "FR"),
                      ("Hans", "Müller", "Berlin", "10115", "DE"), ("Emma", "Smith", "London", "SW1A 1AA", "GB")]
        let person = generator.pick(people)
        let email = generator.int(0...9) == 0 ? nil : "\(person.0.lowercased()).\(person.1.lowercased())@example.com"
        let billing = Address(firstName: person.0, lastName: person.1, city: person.2, postcode: person.3, country: person.4,
                              email: email, phone: "+33 6 \(generator.int(10...99)) \(generator.int(10...99)) \(generator.int(10...99)) \(generator.int(10...99))")
        var shipping = billing
        shipping.email = nil
        shipping.phone = nil
        let sizes = ["S", "M", "L", "XL"], colours = ["Blue", "Black", "Red"]
        var lines: [LineItem] = []
        for _ in 0..<generator.int(1...3) {
            switch generator.int(0...3) {
            case 0:
                let size = generator.pick(sizes), colour = generator.pick(colours)
                lines.append(.priced(name: "Hoodie - \(size), \(colour)", sku: "HOODIE-\(size)-\(colour.prefix(3).uppercased())",
                                     quantity: generator.int(1...2), unitGross: "54.90", productID: 90, variationID: 90 + generator.int(1...12),
                                     meta: [Meta(key: "pa_size", value: size.lowercased(), displayKey: "Size", displayValue: size),
                                            Meta(key: "pa_colour", value: colour.lowercased(), displayKey: "Colour", displayValue: colour)]))
            case 1: lines.append(.priced(name: "Mug", sku: "MUG-01", quantity: generator.int(1...4), unitGross: "12.00", productID: 51))
            case 2: lines.append(.priced(name: "Poster (discontinued)", sku: nil, unitGross: "19.90", productID: 0))
            default: lines.append(.priced(name: "T-shirt M", sku: "TSHIRT-M", unitGross: "45.00", productID: 77))
            }
        }
        var order = Order(number: String(20_000 + index), status: generator.int(0...5) == 0 ? "on-hold" : "processing",
                          billing: billing, shipping: shipping, lineItems: lines,
                          shippingLines: [generator.int(0...1) == 0 ? ShippingLine() : ShippingLine(methodTitle: "Mondial Relay", methodID: "flat_rate", total: "3.25", totalTax: "0.65")])
        if generator.int(0...4) == 0 {
            order.couponLines = [CouponLine(code: "WELCOME10", discount: "0.00")]
            order.customerNote = "Please leave the parcel with the concierge."
        }
        if generator.int(0...6) == 0 { order.feeLines = [FeeLine()] }
        return order
    }
}

private extension Date {
    func rounded() -> Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}
