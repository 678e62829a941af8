import Foundation

extension SpartooSimulator {
    /// Everything mutable, guarded by the simulator's lock.
    struct State {
        var partners: Set<String>
        var deactivated: Set<String> = []
        var configuration: Configuration
        var orders: [OrderKey: Order] = [:]
        var returns: [ReturnKey: Return] = [:]
        var journal: [JournalEntry] = []
        var effects: [AppliedEffect] = []
        var faultRules: [FaultRule] = []
        var randomFaults: RandomFaults?
        /// Per site: the clock hour being counted and the calls in it.
        var quotaHour: [String: (hour: Int, calls: Int)] = [:]
        var requestCounter = 0
        var lastNewOrderAt: Date
        var newOrderTurn = 0
        /// Feeds ids and ``SpartooSimulator/makeNewOrder(site:)``; seeded for repeatable runs.
        var generator = SeededGenerator(seed: 0x5350_4152_544F_4F21)

        init(partners: Set<String>, configuration: Configuration, start: Date) {
            self.partners = partners
            self.configuration = configuration
            self.lastNewOrderAt = start
        }

        /// A new 16-hex id, unique on `site`.
        mutating func newID(site: String) -> String {
            while true {
                let id = String(format: "%016llX", generator.next())
                if orders[OrderKey(site: site, id: id)] == nil { return id }
            }
        }

        /// Stores `template` (assigning id and dates where unset) and returns it.
        mutating func insert(_ template: Order, now: Date) -> Order {
            var order = template
            if order.id.isEmpty { order.id = newID(site: order.site) }
            if order.purchasedAt == nil { order.purchasedAt = now }
            if order.modifiedAt == nil { order.modifiedAt = order.purchasedAt }
            if order.status == 3 && order.shippedAt == nil { order.shippedAt = order.modifiedAt }
            orders[OrderKey(site: order.site, id: order.id)] = order
            return order
        }

        /// Counts a call on `site` and says whether it goes over the hourly quota (Spartoo counts per clock hour).
        mutating func overQuota(site: String, now: Date) -> Bool {
            guard let quota = configuration.hourlyQuota else { return false }
            let hour = Int((now.timeIntervalSince1970 / 3600).rounded(.down))
            var counter = quotaHour[site] ?? (hour, 0)
            if counter.hour != hour { counter = (hour, 0) }
            counter.calls += 1
            quotaHour[site] = counter
            return counter.calls > quota
        }

        /// What time alone changes: new orders, shipped → 45/47, unanswered 11 → 41.
        mutating func applyTimedEvents(now: Date, sites: [String]) {
            if let every = configuration.newOrderEvery, every > 0 {
                var added = 0
                while now.timeIntervalSince(lastNewOrderAt) >= every, added < 100 {
                    lastNewOrderAt = lastNewOrderAt.addingTimeInterval(every)
                    let site = sites[newOrderTurn % max(1, sites.count)]
                    newOrderTurn += 1
                    _ = SpartooSimulator.makeNewOrder(site: site, now: lastNewOrderAt, state: &self)
                    added += 1
                }
            }
            if let outcome = configuration.shippedOutcome {
                for (key, order) in orders where order.status == 3 {
                    guard let shipped = order.shippedAt, shipped.addingTimeInterval(outcome.after) <= now else { continue }
                    orders[key]?.status = outcome.status
                    orders[key]?.modifiedAt = shipped.addingTimeInterval(outcome.after)
                }
            }
            if let after = configuration.autoCancelAfter {
                for (key, order) in orders where order.status == 11 {
                    guard let bought = order.purchasedAt, bought.addingTimeInterval(after) <= now else { continue }
                    orders[key]?.status = 41
                    orders[key]?.modifiedAt = bought.addingTimeInterval(after)
                }
            }
        }
    }

    /// Calls counted on `site` in the current clock hour.
    public func quotaCalls(site: String) -> Int {
        let hour = Int((clock().timeIntervalSince1970 / 3600).rounded(.down))
        return withState { state in
            guard let counter = state.quotaHour[site], counter.hour == hour else { return 0 }
            return counter.calls
        }
    }
}
