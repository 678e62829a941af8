import Foundation

/// An ongoing alert condition: which event, about what, and when it was last sent.
public struct AlertConditionKey: Sendable, Hashable {
    public var event: String
    /// Channel id, or "" for none.
    public var channel: String
    /// What distinguishes two conditions of one event on one channel (an order ref, a job id), or "".
    public var subject: String

    public init(event: String, channel: String, subject: String) {
        self.event = event; self.channel = channel; self.subject = subject
    }
}

extension Store {
    /// Every ongoing alert condition with the time it was last sent.
    public func alertConditions() throws -> [AlertConditionKey: Date] {
        var result: [AlertConditionKey: Date] = [:]
        for row in try db.query("SELECT event, channel, subject, last_sent_at FROM alert_state") {
            guard let sent = Store.date(row, "last_sent_at") else { continue }
            result[AlertConditionKey(event: row.string("event") ?? "", channel: row.string("channel") ?? "",
                                     subject: row.string("subject") ?? "")] = sent
        }
        return result
    }

    /// Records that the condition's alert was sent now (the first time, or again).
    public func recordAlertSent(_ key: AlertConditionKey, at now: Date) throws {
        try db.execute("""
            INSERT INTO alert_state (event, channel, subject, first_sent_at, last_sent_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (event, channel, subject) DO UPDATE SET last_sent_at = excluded.last_sent_at
            """, [.text(key.event), .text(key.channel), .text(key.subject), Store.time(now), Store.time(now)])
    }

    /// Ends a condition; true when it was ongoing.
    @discardableResult
    public func endAlertCondition(_ key: AlertConditionKey) throws -> Bool {
        try db.execute("DELETE FROM alert_state WHERE event = ? AND channel = ? AND subject = ?",
                       [.text(key.event), .text(key.channel), .text(key.subject)]) > 0
    }

    /// Forgets conditions not sent since `before` (an order accepted long ago leaves no row behind for ever).
    public func pruneAlertConditions(sentBefore before: Date) throws {
        _ = try db.execute("DELETE FROM alert_state WHERE last_sent_at < ?", [Store.time(before)])
    }
}
