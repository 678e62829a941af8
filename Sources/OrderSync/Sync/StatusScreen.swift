import Foundation

/// `ordersync status` for people: one screen answering "is it working, and what needs me?". Pure: the
/// same report and clock give the same text. Labels are padded so no line passes 100 columns except for
/// the values themselves (an error text, a cursor summary).
public enum StatusScreen {
    /// Statuses in the order a merchant works through them.
    static let statusOrder: [OrderStatus] = [
        .pendingPayment, .awaitingAcceptance, .awaitingShipment, .onHold, .shipped, .completed,
        .cancelled, .refunded, .lost, .undelivered,
    ]

    public static func render(_ report: StatusReport, now: Date) -> String {
        var lines: [String] = []
        lines.append("ordersync \(report.version), status at \(Timestamp.format(now))")
        if let beat = report.daemonHeartbeat, let date = Timestamp.parse(beat) {
            let stale = now.timeIntervalSince(date) > 60 ? " (not running?)" : ""
            lines.append("daemon: heartbeat \(Timestamp.second(date, now: now)), \(Timestamp.age(of: date, now: now))\(stale)")
        } else {
            lines.append("daemon: never ran (no heartbeat)")
        }
        for channel in report.channels {
            lines.append("")
            lines.append(contentsOf: render(channel, now: now))
        }
        if let mirrors = report.mirrors {
            lines.append("")
            lines.append(contentsOf: mirrors.screenLines)
        }
        return lines.joined(separator: "\n")
    }

    static func render(_ c: StatusReport.Channel, now: Date) -> [String] {
        var lines = ["\(c.id) (\(c.type)): \(healthLine(c, now: now))"]
        func row(_ label: String, _ value: String) { lines.append("  " + label.padding(toLength: 14, withPad: " ", startingAt: 0) + value) }
        if let success = c.lastPollSuccess.flatMap({ Timestamp.parse($0) }) {
            row("last success", "\(Timestamp.second(success, now: now)), \(Timestamp.age(of: success, now: now))")
        } else if c.enabled {
            row("last success", "never")
        }
        if c.consecutiveErrors > 0, let error = c.lastError { row("last error", error) }
        let counts = statusOrder.compactMap { status in
            c.ordersByStatus[status.rawValue].flatMap { $0 > 0 ? "\($0) \(status.rawValue)" : nil }
        }
        row("orders", counts.isEmpty ? "none" : "\(c.ordersKnown): " + counts.joined(separator: ", "))
        var jobs = "\(c.jobsPending) pending, \(c.jobsFailed) failed, \(c.jobsObsolete) obsolete"
        if c.quarantined > 0 { jobs += "; \(c.quarantined) payload(s) quarantined" }
        row("jobs", jobs)
        var deadlines: [String] = []
        if c.acceptanceDueSoon + c.acceptanceOverdue > 0 {
            deadlines.append("accept: \(c.acceptanceDueSoon) due within 6 h, \(c.acceptanceOverdue) overdue")
        }
        if c.shipmentDueSoon + c.shipmentOverdue > 0 {
            deadlines.append("ship: \(c.shipmentDueSoon) due within 6 h, \(c.shipmentOverdue) overdue")
        }
        row("returns", c.returnsOpen == 0 ? "none open" : "\(c.returnsOpen) open (ordersync returns)")
        row("deadlines", deadlines.isEmpty ? "none due within 6 h" : deadlines.joined(separator: "; "))
        row("cursor", c.cursorSummary ?? "none yet (no poll has completed)")
        return lines
    }

    static func healthLine(_ c: StatusReport.Channel, now: Date) -> String {
        let since = c.failingSince.flatMap { Timestamp.parse($0) }
            .map { " since \(Timestamp.minute($0, now: now)) (\(Timestamp.age(of: $0, now: now)))" } ?? ""
        switch c.health {
        case "failing": return "FAILING\(since), \(c.consecutiveErrors) consecutive errors"
        case "unauthorized": return "UNAUTHORIZED\(since): the channel refuses the credentials"
        case "retrying": return "retrying after \(c.consecutiveErrors) error(s)"
        default: return c.health
        }
    }
}
