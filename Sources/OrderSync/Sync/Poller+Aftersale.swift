import Foundation

extension Poller {
    /// Re-reads the due part of the channel's shipped orders (see ``AftersaleSchedule``) when the connector
    /// ``FollowsShippedOrders`` and `aftersaleDays` > 0. The set comes from the orders table: orders still
    /// shipped whose shipment was stored within `aftersaleDays`. Progress is saved as the channel's ``ChannelMark/aftersale``,
    /// also when a read fails (then the failure is thrown). Orders this cycle already read (`delivered`) or
    /// the walk lists are not read again. Read-only on the channel.
    func followShippedOrders(now: Date, delivered: Set<String>) async throws {
        guard aftersaleDays > 0, let following = connector as? any FollowsShippedOrders else { return }
        let store = ingest.store
        let followed = try store.shippedOrders(channel: connector.id,
                                               shippedSince: now.addingTimeInterval(-Double(aftersaleDays) * AftersaleSchedule.day))
            .filter { !delivered.contains($0.externalID) && !following.listedByLastWalk($0.externalID) }
        let schedule = AftersaleSchedule(perHour: following.followReadsPerHour, interval: interval)
        let saved = AftersaleSchedule.Progress.decode(try store.mark(.aftersale, channel: connector.id))
        let plan = schedule.plan(followed.map(\.externalID), progress: saved, now: now)
        var progress = plan.progress
        var changed = 0
        for (index, item) in plan.due.enumerated() {
            do {
                try Task.checkCancellation()
                guard let fetched = try await connector.fetchOrder(externalID: item.id) else { continue }
                if fetched.order.status != .shipped { changed += 1 }
                try ingest.storeReread(fetched, as: OrderRef(channel: connector.id, externalID: item.id), now: now)
            } catch {
                // Orders before this one are done; this one and the rest stay due. Its call counts.
                progress.through = index == 0 ? schedule.start(saved, now: now) : plan.due[index - 1].at
                progress.reads = AftersaleSchedule.reads(saved, hour: progress.hour) + index + 1
                try store.setMark(.aftersale, progress.encoded(), channel: connector.id)
                throw error
            }
        }
        try store.setMark(.aftersale, progress.encoded(), channel: connector.id)
        if !plan.due.isEmpty {
            logger.info("shipped orders followed", ["read": .int(plan.due.count), "changed": .int(changed),
                                                    "followed": .int(followed.count)])
        }
    }

    /// Hands the stored returns with a followed status to a connector that ``FollowsOpenReturns`` and stores
    /// what it reads back (as a page of returns, so changes are recorded and label waits warned).
    func followOpenReturns(now: Date) async throws {
        guard let following = connector as? any FollowsOpenReturns else { return }
        let statuses = following.followedReturnStatuses
        let followed = try ingest.store.returns(channel: connector.id).filter { statuses.contains($0.value.status) }
        guard !followed.isEmpty else { return }
        var page = OrderPage(orders: [])
        page.returns = try await following.rereadReturns(followed, now: now)
        if !page.returns.isEmpty { try ingest.store(page, now: now) }
    }
}
