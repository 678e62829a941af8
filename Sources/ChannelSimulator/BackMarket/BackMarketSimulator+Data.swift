import Foundation

/// Test and demo access to the simulated orders. All methods are thread-safe; the changes they
/// make are not journalled as requests and not recorded as ``BackMarketSimulator/AppliedEffect``s
/// (those are for changes made through the API).
extension BackMarketSimulator {
    /// Adds `template` and returns the stored order. Ids of 0 are assigned (orders from 40012345,
    /// lines from 51234567, never equal); dates equal to ``Order/unsetDate`` become now;
    /// `datePayment` defaults to `dateCreation`; a nil `price` becomes the sum of the lines.
    /// An order added with an existing id replaces it. An order whose live lines are all 3 is
    /// added as already shipped (9).
    @discardableResult
    public func addOrder(_ template: Order = Order()) -> Order {
        let now = clock()
        return withState { $0.insert(template, now: now) }
    }

    /// Builds an order from a template changed by `configure`, then adds it.
    @discardableResult
    public func addOrder(configure: (inout Order) -> Void) -> Order {
        var template = Order()
        configure(&template)
        return addOrder(template)
    }

    /// A snapshot of order `id` (including archived ones), nil when unknown. Time-driven changes
    /// (scheduled payment, order 9 after the delay) are applied first.
    public func order(_ id: Int) -> Order? {
        let now = clock()
        return withState { state in
            state.applyScheduledChanges(now: now)
            return state.orders[id]
        }
    }

    /// Snapshots of every order, sorted by id.
    public func allOrders() -> [Order] {
        let now = clock()
        return withState { state in
            state.applyScheduledChanges(now: now)
            return state.orders.values.sorted { $0.orderID < $1.orderID }
        }
    }

    /// Changes order `id` with `change` (test setup: a buyer cancels, support edits an address…)
    /// and bumps `date_modification` to now. Returns the new snapshot; nil when unknown.
    /// The order id cannot be changed; lines added with id 0 get fresh ids. `change` runs under
    /// the simulator's lock and must not call back into the simulator.
    @discardableResult
    public func modifyOrder(_ id: Int, _ change: (inout Order) -> Void) -> Order? {
        let now = clock()
        return withState { state in
            guard var order = state.orders[id] else { return nil }
            let oldLineIDs = order.lines.map(\.id)
            change(&order)
            order.orderID = id
            for lineID in oldLineIDs { state.lineOwner[lineID] = nil }
            for index in order.lines.indices where order.lines[index].id == 0 || state.lineOwner[order.lines[index].id] != nil {
                // New lines added by `change` get fresh ids.
                while state.lineOwner[state.nextLineID] != nil || state.nextLineID == id { state.nextLineID += 1 }
                order.lines[index].id = state.nextLineID
                state.nextLineID += 1
            }
            for line in order.lines { state.lineOwner[line.id] = id }
            state.orders[id] = order
            if order.paymentCompletesAt != nil { state.pendingPayments.insert(id) }
            state.touch(id, now: now)
            return state.orders[id]
        }
    }

    /// Sets the state of the lines of order `orderID` — all of them, or those with `lineID`,
    /// or those whose listing is `listing` — with no state-machine check, bumping
    /// `date_modification`. Returns false when nothing matched.
    @discardableResult
    public func setLineState(orderID: Int, lineID: Int? = nil, listing: String? = nil, to newState: Int) -> Bool {
        var matched = false
        modifyOrder(orderID) { order in
            for index in order.lines.indices {
                let line = order.lines[index]
                if let lineID, line.id != lineID { continue }
                if let listing, line.listing != listing { continue }
                order.lines[index].state = newState
                matched = true
            }
        }
        return matched
    }

    /// Marks order `id` archived (GET by id → 404, never listed) or back (`archived: false`).
    public func setArchived(_ id: Int, _ archived: Bool = true) {
        let now = clock()
        withState { state in
            state.orders[id]?.archived = archived
            state.touch(id, now: now)
        }
    }

    /// The buyer's payment goes through now: lines in 8 (or 0) become 1, order 10 → 1.
    public func completePayment(_ id: Int) {
        modifyOrder(id) { order in
            for index in order.lines.indices where [0, 8].contains(order.lines[index].state) {
                order.lines[index].state = 1
            }
            order.paymentCompletesAt = nil
            if order.datePayment == nil { order.datePayment = self.clock() }
        }
    }

    /// The buyer's payment fails: every line becomes 7 (not paid), the order 8 (hidden from lists).
    public func failPayment(_ id: Int) {
        modifyOrder(id) { order in
            for index in order.lines.indices { order.lines[index].state = 7 }
            order.paymentCompletesAt = nil
        }
    }

    /// Adds a second order for the same buyer and listing as `id` (two checkouts on a qty-1
    /// listing both create orders, API notes §5). Returns the new order; nil when `id` is unknown.
    @discardableResult
    public func duplicateOrder(_ id: Int) -> Order? {
        let now = clock()
        return withState { state in
            guard var copy = state.orders[id] else { return nil }
            copy.orderID = 0
            copy.archived = false
            copy.shipper = ""
            copy.trackingNumber = ""
            copy.trackingURL = ""
            copy.dateShipping = nil
            copy.dateCreation = now
            copy.dateModification = now
            copy.datePayment = now
            copy.paymentCompletesAt = nil
            copy.price = nil
            copy.lines = copy.lines.map { line in
                OrderLine(state: 1, listing: line.listing, product: line.product, brand: line.brand, quantity: line.quantity, price: line.price, condition: line.condition)
            }
            return state.insert(copy, now: now)
        }
    }
}

extension BackMarketSimulator {
    /// Channel events after import: the buyer cancels before acceptance (lines 1 → 4), care refunds an
    /// accepted line before shipping (2 → 5), or Back Market refunds a shipped line (3 → 6) with a
    /// `return_reason` (11–13: the parcel never arrived). Only lines in the source state move; bumps
    /// `date_modification`. Returns how many lines moved.
    @discardableResult
    public func channelRefund(orderID: Int, lineID: Int? = nil, returnReason: Int? = nil) -> Int {
        var moved = 0
        modifyOrder(orderID) { order in
            for index in order.lines.indices where lineID == nil || order.lines[index].id == lineID {
                switch order.lines[index].state {
                case 1: order.lines[index].state = 4
                case 2: order.lines[index].state = 5
                case 3:
                    order.lines[index].state = 6
                    order.lines[index].returnReason = returnReason ?? 25
                default: continue
                }
                moved += 1
            }
        }
        return moved
    }
}
