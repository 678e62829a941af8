import Foundation

/// What `status` prints and `state_dir/status.json` holds: per channel, polling health, orders known
/// (in all and per normalized status), jobs pending, failed and obsolete, deadlines, and the cursor (whole,
/// and as one line for people). Built from the database, so it works while the daemon runs.
public struct StatusReport: Encodable, Sendable {
    public struct Channel: Encodable, Sendable {
        public var id: String
        public var type: String
        public var enabled: Bool
        public var lastPollAttempt: String?
        public var lastPollSuccess: String?
        public var consecutiveErrors: Int
        public var lastError: String?
        /// True when polling has failed for longer than 3 poll intervals.
        public var failing: Bool
        /// One word for people: `ok`, `retrying`, `failing`, `unauthorized`, `disabled` or `not polled yet`.
        public var health: String
        /// When the current run of failed polls began (nil while polls succeed).
        public var failingSince: String?
        public var ordersKnown: Int
        /// Orders per normalized status (statuses with none are left out).
        public var ordersByStatus: [String: Int]
        public var jobsPending: Int
        public var jobsFailed: Int
        /// Jobs dropped because the channel had cancelled the order meanwhile.
        public var jobsObsolete: Int
        public var quarantined: Int
        /// Orders awaiting acceptance whose deadline falls within 6 hours / has passed.
        public var acceptanceDueSoon: Int
        public var acceptanceOverdue: Int
        /// Unshipped orders (no shipment queued) whose `ship_by` falls within 6 hours / has passed.
        public var shipmentDueSoon: Int = 0
        public var shipmentOverdue: Int = 0
        /// Returns waiting for a label, the parcel, or a decision.
        public var returnsOpen: Int = 0
        public var cursor: String?
        /// The cursor in one line, e.g. "window from 2026-11-25T11:14Z; daily re-read 10:54Z".
        public var cursorSummary: String?

        enum CodingKeys: String, CodingKey {
            case id, type, enabled, lastPollAttempt = "last_poll_attempt", lastPollSuccess = "last_poll_success"
            case consecutiveErrors = "consecutive_errors", lastError = "last_error", failing
            case ordersKnown = "orders_known", jobsPending = "jobs_pending", jobsFailed = "jobs_failed"
            case quarantined, cursor, acceptanceDueSoon = "acceptance_due_6h", acceptanceOverdue = "acceptance_overdue"
            case health, failingSince = "failing_since", ordersByStatus = "orders_by_status"
            case jobsObsolete = "jobs_obsolete", cursorSummary = "cursor_summary"
            case shipmentDueSoon = "shipment_due_6h", shipmentOverdue = "shipment_overdue", returnsOpen = "returns_open"
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id); try c.encode(type, forKey: .type); try c.encode(enabled, forKey: .enabled)
            try c.encode(lastPollAttempt, forKey: .lastPollAttempt); try c.encode(lastPollSuccess, forKey: .lastPollSuccess)
            try c.encode(consecutiveErrors, forKey: .consecutiveErrors); try c.encode(lastError, forKey: .lastError)
            try c.encode(failing, forKey: .failing); try c.encode(ordersKnown, forKey: .ordersKnown)
            try c.encode(jobsPending, forKey: .jobsPending); try c.encode(jobsFailed, forKey: .jobsFailed)
            try c.encode(quarantined, forKey: .quarantined); try c.encode(cursor, forKey: .cursor)
            try c.encode(acceptanceDueSoon, forKey: .acceptanceDueSoon); try c.encode(acceptanceOverdue, forKey: .acceptanceOverdue)
            try c.encode(health, forKey: .health); try c.encode(failingSince, forKey: .failingSince)
            try c.encode(ordersByStatus, forKey: .ordersByStatus); try c.encode(jobsObsolete, forKey: .jobsObsolete)
            try c.encode(cursorSummary, forKey: .cursorSummary)
            try c.encode(shipmentDueSoon, forKey: .shipmentDueSoon); try c.encode(shipmentOverdue, forKey: .shipmentOverdue)
            try c.encode(returnsOpen, forKey: .returnsOpen)
        }
    }

    public var generatedAt: String
    public var version: String
    /// The running daemon's last heartbeat (written every few seconds), nil if it never ran.
    public var daemonHeartbeat: String?
    public var channels: [Channel]
    /// Present when `mirror` is configured.
    public var mirrors: MirrorSummary? = nil

    enum CodingKeys: String, CodingKey {
        case generatedAt = "generated_at", version, daemonHeartbeat = "daemon_heartbeat", channels, mirrors
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(generatedAt, forKey: .generatedAt)
        try c.encode(version, forKey: .version)
        try c.encode(daemonHeartbeat, forKey: .daemonHeartbeat)
        try c.encode(channels, forKey: .channels)
        try c.encodeIfPresent(mirrors, forKey: .mirrors)
    }

    // Swift 6.3.1 `-c release` crashes (signal 6, SIL ownership verifier after CopyPropagation) when it
    // optimizes this function; it runs once per poll cycle, so unoptimized costs nothing measurable.
    @_optimize(none)
    public static func build(config: Config, store: Store, now: Date = Date()) throws -> StatusReport {
        let health = try store.channelHealth()
        let orders = try store.orderCounts()
        let byStatus = try store.orderCountsByStatus()
        let jobs = try store.jobCounts()
        let quarantine = try store.quarantineCounts()
        let acceptance = try store.acceptanceDeadlineCounts(now: now)
        let shipping = try store.shipmentDeadlineCounts(now: now)
        let openReturns = try store.openReturnCounts()
        var channels: [Channel] = []
        for channel in config.channels {
            let h = health[channel.id]
            var failing = false
            if let h, h.consecutiveErrors > 0 {
                let since = h.lastSuccessAt ?? h.failingSince ?? now
                failing = now.timeIntervalSince(since) > Double(3 * channel.pollIntervalSeconds)
            }
            let health: String
            switch (channel.enabled, h) {
            case (false, _): health = "disabled"
            case (true, nil): health = "not polled yet"
            case (true, let h?) where h.consecutiveErrors == 0: health = "ok"
            case (true, let h?) where h.unauthorized: health = "unauthorized"
            case (true, _): health = failing ? "failing" : "retrying"
            }
            let cursor = try store.cursor(channel: channel.id)
            channels.append(Channel(
                id: channel.id, type: channel.type.rawValue, enabled: channel.enabled,
                lastPollAttempt: h?.lastAttemptAt.map(Timestamp.format), lastPollSuccess: h?.lastSuccessAt.map(Timestamp.format),
                consecutiveErrors: h?.consecutiveErrors ?? 0, lastError: h?.lastError, failing: failing,
                health: health, failingSince: (h?.consecutiveErrors ?? 0) > 0 ? h?.failingSince.map(Timestamp.format) : nil,
                ordersKnown: orders[channel.id] ?? 0,
                ordersByStatus: byStatus[channel.id] ?? [:],
                jobsPending: jobs[channel.id]?.pending ?? 0,
                jobsFailed: jobs[channel.id]?.failed ?? 0, jobsObsolete: jobs[channel.id]?.obsolete ?? 0,
                quarantined: quarantine[channel.id] ?? 0,
                acceptanceDueSoon: acceptance[channel.id]?.dueSoon ?? 0, acceptanceOverdue: acceptance[channel.id]?.overdue ?? 0,
                shipmentDueSoon: shipping[channel.id]?.dueSoon ?? 0, shipmentOverdue: shipping[channel.id]?.overdue ?? 0,
                returnsOpen: openReturns[channel.id] ?? 0, cursor: cursor, cursorSummary: ChannelFactory.cursorSummary(type: channel.type, cursor: cursor, now: now)))
        }
        var report = StatusReport(generatedAt: Timestamp.format(now), version: OrderSyncVersion.current,
                                  daemonHeartbeat: try store.lastHeartbeat().map(Timestamp.format), channels: channels)
        report.mirrors = try MirrorSummary.build(config: config, store: store)
        return report
    }

    public func json(pretty: Bool = true) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Writes `status.json` atomically: a temp file in the same directory, then rename.
    public func write(toStateDir dir: String) throws {
        let final = (dir as NSString).appendingPathComponent("status.json")
        let temp = final + ".tmp-\(getpid())"
        var data = try json()
        data.append(0x0A)
        try data.write(to: URL(fileURLWithPath: temp))
        guard rename(temp, final) == 0 else {
            unlink(temp)
            throw CocoaError(.fileWriteUnknown)
        }
    }
}

/// The program version.
public enum OrderSyncVersion {
    public static let current = "0.1.0"
}
