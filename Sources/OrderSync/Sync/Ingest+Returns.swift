import Foundation

extension Ingest {
    /// A return waiting for the merchant's label is logged at warning level with its age, and alerted
    /// (`return_waiting`), once a day while it waits.
    func warnAboutWaitingReturns(now: Date) throws {
        for item in try store.returnsToWarn(channel: channelID, interval: 86_400, now: now) {
            let since = item.value.createdAt ?? item.firstSeenAt
            let hours = Int(now.timeIntervalSince(since) / 3600)
            logger.warning("return waits for the merchant's label", [
                "order.ref": .string(item.ref.description), "return.ref": .string(item.value.returnRef),
                "age_hours": .int(hours), "channel_status": .string(item.value.channelStatus),
            ])
            alerts.raise(.returnWaiting, orderRef: item.ref, subject: item.value.returnRef,
                         message: "return \(item.value.returnRef) has waited \(hours) h for your return label "
                            + "(ordersync return accept \(item.value.returnRef) --label-url URL)", now: now)
        }
    }
}
