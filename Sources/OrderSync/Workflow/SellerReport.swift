import Foundation

/// Seller KPIs per channel over a window, as marketplaces judge them: orders, cancellation rate,
/// shipped orders without tracking, time to accept and to ship (median and 90th percentile), late
/// acceptances and dead letters. Computed from the stored orders, their status history and the jobs.
public struct SellerReport: Encodable, Sendable {
    public struct ChannelFigures: Encodable, Sendable, Equatable {
        public var channel: String
        public var orders: Int
        public var cancelled: Int
        /// cancelled / orders, 0...1 (nil without orders).
        public var cancellationRate: Double?
        public var shipped: Int
        public var shippedWithoutTracking: Int
        public var shippedWithoutTrackingRate: Double?
        /// Seconds; nil when nothing was accepted / shipped in the window.
        public var acceptMedianSeconds: Double?
        public var acceptP90Seconds: Double?
        public var shipMedianSeconds: Double?
        public var shipP90Seconds: Double?
        public var lateAcceptances: Int
        public var deadLetters: Int
        /// Shipments pushed after the order's `ship_by`.
        public var lateShipments: Int = 0
        /// Seconds from acceptance to the shipment's push; nil when nothing accepted was shipped in the window.
        public var acceptToShipMedianSeconds: Double?
        public var acceptToShipP90Seconds: Double?
        /// Returns, refunds, lost and undelivered parcels.
        public var aftersale = AftersaleFigures()

        enum CodingKeys: String, CodingKey {
            case channel, orders, cancelled, cancellationRate = "cancellation_rate", shipped
            case shippedWithoutTracking = "shipped_without_tracking", shippedWithoutTrackingRate = "shipped_without_tracking_rate"
            case acceptMedianSeconds = "accept_median_seconds", acceptP90Seconds = "accept_p90_seconds"
            case shipMedianSeconds = "ship_median_seconds", shipP90Seconds = "ship_p90_seconds"
            case lateAcceptances = "late_acceptances", deadLetters = "dead_letters", lateShipments = "late_shipments"
            case acceptToShipMedianSeconds = "accept_to_ship_median_seconds", acceptToShipP90Seconds = "accept_to_ship_p90_seconds"
            case aftersale
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(channel, forKey: .channel); try c.encode(orders, forKey: .orders)
            try c.encode(cancelled, forKey: .cancelled); try c.encode(cancellationRate, forKey: .cancellationRate)
            try c.encode(shipped, forKey: .shipped); try c.encode(shippedWithoutTracking, forKey: .shippedWithoutTracking)
            try c.encode(shippedWithoutTrackingRate, forKey: .shippedWithoutTrackingRate)
            try c.encode(acceptMedianSeconds, forKey: .acceptMedianSeconds); try c.encode(acceptP90Seconds, forKey: .acceptP90Seconds)
            try c.encode(shipMedianSeconds, forKey: .shipMedianSeconds); try c.encode(shipP90Seconds, forKey: .shipP90Seconds)
            try c.encode(lateAcceptances, forKey: .lateAcceptances); try c.encode(deadLetters, forKey: .deadLetters)
            try c.encode(lateShipments, forKey: .lateShipments)
            try c.encode(acceptToShipMedianSeconds, forKey: .acceptToShipMedianSeconds)
            try c.encode(acceptToShipP90Seconds, forKey: .acceptToShipP90Seconds)
            try c.encode(aftersale, forKey: .aftersale)
        }
    }

    public var from: String
    public var to: String
    public var days: Int
    public var channels: [ChannelFigures]

    /// Nearest-rank percentile of `values` (0 < p ≤ 1); nil when empty.
    public static func percentile(_ values: [Double], _ p: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    /// Orders count in the window by creation time (first sight when the channel gives none).
    public static func build(store: Store, channels: [String], days: Int, now: Date = Date()) throws -> SellerReport {
        let start = now.addingTimeInterval(-Double(days) * 86_400)
        var figures: [ChannelFigures] = []
        for channel in channels {
            var f = ChannelFigures(channel: channel, orders: 0, cancelled: 0, shipped: 0, shippedWithoutTracking: 0,
                                   lateAcceptances: 0, deadLetters: 0)
            var acceptTimes: [Double] = [], shipTimes: [Double] = [], acceptToShipTimes: [Double] = []
            let jobs = try store.jobs(channel: channel)
            let pushedTracking = Set(jobs.filter { $0.kind == .ship && $0.state == .done }.map(\.ref))
            let acceptDone = Dictionary(jobs.filter { $0.kind == .accept && $0.state == .done }.map { ($0.ref, $0.updatedAt) },
                                        uniquingKeysWith: min)
            let shipDone = Dictionary(jobs.filter { $0.kind == .ship && $0.state == .done }.map { ($0.ref, $0.updatedAt) },
                                      uniquingKeysWith: min)
            var windowOrders: [Order] = []
            for order in try store.orders(channel: channel) {
                let history = try store.history(order.ref)
                let firstSeen = history.first?.at ?? now
                let created = order.createdAt ?? firstSeen
                guard created >= start, created <= now else { continue }
                f.orders += 1
                windowOrders.append(order)
                if order.status == .cancelled || order.status == .refunded && !history.contains(where: { $0.to == "shipped" }) {
                    f.cancelled += 1
                }
                func firstTime(_ statuses: [String]) -> Date? { history.first { statuses.contains($0.to) }?.at }
                // Accepted: the accept push, else the first time the channel showed it past acceptance.
                let wasAwaiting = history.contains { $0.to == OrderStatus.awaitingAcceptance.rawValue }
                let acceptedAt = acceptDone[order.ref]
                    ?? (wasAwaiting ? firstTime(["awaiting_shipment", "shipped", "completed"]) : nil)
                if let acceptedAt {
                    acceptTimes.append(max(0, acceptedAt.timeIntervalSince(created)))
                    if let by = order.acceptBy, acceptedAt > by { f.lateAcceptances += 1 }
                } else if order.status == .awaitingAcceptance, let by = order.acceptBy, by < now {
                    f.lateAcceptances += 1
                }
                if [.shipped, .completed].contains(order.status) || shipDone[order.ref] != nil {
                    f.shipped += 1
                    if !pushedTracking.contains(order.ref), order.extra["tracking_number"] == nil,
                       !order.shipments.contains(where: { $0.state == .pushed }) {
                        f.shippedWithoutTracking += 1
                    }
                    if let shippedAt = [shipDone[order.ref], firstTime(["shipped", "completed"])].compactMap({ $0 }).min() {
                        shipTimes.append(max(0, shippedAt.timeIntervalSince(created)))
                    }
                    if let pushedAt = shipDone[order.ref] {
                        if let shipBy = order.shipBy, pushedAt > shipBy { f.lateShipments += 1 }
                        if let acceptedAt = order.acceptedAt { acceptToShipTimes.append(max(0, pushedAt.timeIntervalSince(acceptedAt))) }
                    }
                }
            }
            f.aftersale = AftersaleFigures.build(orders: windowOrders, returns: try store.returns(channel: channel), now: now)
            f.deadLetters = jobs.filter { $0.state == .failed && $0.updatedAt >= start }.count
            f.cancellationRate = f.orders > 0 ? Double(f.cancelled) / Double(f.orders) : nil
            f.shippedWithoutTrackingRate = f.shipped > 0 ? Double(f.shippedWithoutTracking) / Double(f.shipped) : nil
            f.acceptMedianSeconds = percentile(acceptTimes, 0.5)
            f.acceptP90Seconds = percentile(acceptTimes, 0.9)
            f.shipMedianSeconds = percentile(shipTimes, 0.5)
            f.shipP90Seconds = percentile(shipTimes, 0.9)
            f.acceptToShipMedianSeconds = percentile(acceptToShipTimes, 0.5)
            f.acceptToShipP90Seconds = percentile(acceptToShipTimes, 0.9)
            figures.append(f)
        }
        return SellerReport(from: Timestamp.format(start), to: Timestamp.format(now), days: days, channels: figures)
    }
}
