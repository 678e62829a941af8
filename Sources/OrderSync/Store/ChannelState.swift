import Foundation

/// What the daemon keeps about each channel besides its orders: the cursor (cursors only), named marks
/// (``ChannelMark``), polling health, and the daemon's heartbeat. Shares the store's `Database`; safe to
/// use from any task.
public struct ChannelState: Sendable {
    let db: Database

    init(db: Database) { self.db = db }

    /// The opaque cursor a connector saved for a channel.
    public func cursor(channel: String) throws -> String? {
        try db.query("SELECT cursor FROM cursors WHERE channel = ?", [.text(channel)]).first?.string("cursor")
    }

    /// Saves a channel's cursor.
    public func setCursor(_ cursor: String, channel: String, now: Date = Date()) throws {
        try db.execute("""
            INSERT INTO cursors (channel, cursor, updated_at) VALUES (?, ?, ?)
            ON CONFLICT(channel) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at
            """, [.text(channel), .text(cursor), Store.time(now)])
    }

    /// A named piece of a channel's bookkeeping that is not its cursor (when the stale orders were last
    /// re-read, the shipped-order follow-up's progress), or nil if never saved.
    public func mark(_ name: ChannelMark, channel: String) throws -> String? {
        try db.query("SELECT value FROM channel_marks WHERE channel = ? AND mark = ?",
                     [.text(channel), .text(name.rawValue)]).first?.string("value")
    }

    /// Saves a channel mark.
    public func setMark(_ name: ChannelMark, _ value: String, channel: String, now: Date = Date()) throws {
        try db.execute("""
            INSERT INTO channel_marks (channel, mark, value, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT(channel, mark) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """, [.text(channel), .text(name.rawValue), .text(value), Store.time(now)])
    }

    /// Records a poll attempt's outcome: success resets the error count; failure increments it and keeps
    /// the message (which must carry no secret) and whether the channel refused the credentials.
    public func recordPoll(channel: String, success: Bool, error: String? = nil, unauthorized: Bool = false,
                           at now: Date = Date()) throws {
        if success {
            try db.execute("""
                INSERT INTO channel_state (channel, last_attempt_at, last_success_at, consecutive_errors, last_error, failing_since)
                VALUES (?, ?, ?, 0, NULL, NULL)
                ON CONFLICT(channel) DO UPDATE SET last_attempt_at = excluded.last_attempt_at,
                    last_success_at = excluded.last_success_at, consecutive_errors = 0, last_error = NULL,
                    failing_since = NULL, unauthorized = 0
                """, [.text(channel), Store.time(now), Store.time(now)])
        } else {
            try db.execute("""
                INSERT INTO channel_state (channel, last_attempt_at, consecutive_errors, last_error, failing_since, unauthorized)
                VALUES (?, ?, 1, ?, ?, ?)
                ON CONFLICT(channel) DO UPDATE SET last_attempt_at = excluded.last_attempt_at,
                    consecutive_errors = consecutive_errors + 1, last_error = excluded.last_error,
                    failing_since = COALESCE(failing_since, excluded.failing_since), unauthorized = excluded.unauthorized
                """, [.text(channel), Store.time(now), .text(error ?? "unknown error"), Store.time(now),
                      .int(unauthorized ? 1 : 0)])
        }
    }

    /// Health of every channel that has polled at least once.
    public func channelHealth() throws -> [String: ChannelHealth] {
        var result: [String: ChannelHealth] = [:]
        for row in try db.query("SELECT * FROM channel_state") {
            let id = row.string("channel") ?? ""
            result[id] = ChannelHealth(channel: id, lastAttemptAt: Store.date(row, "last_attempt_at"),
                                       lastSuccessAt: Store.date(row, "last_success_at"),
                                       consecutiveErrors: row.int("consecutive_errors") ?? 0,
                                       lastError: row.string("last_error"), failingSince: Store.date(row, "failing_since"),
                                       unauthorized: (row.int("unauthorized") ?? 0) != 0)
        }
        return result
    }

    /// Writes the daemon's heartbeat (a write: it proves the database accepts writes).
    public func heartbeat(now: Date = Date()) throws {
        try db.execute("INSERT INTO daemon_state (key, value) VALUES ('heartbeat', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                       [Store.time(now)])
    }

    /// The last heartbeat of a running daemon.
    public func lastHeartbeat() throws -> Date? {
        try db.query("SELECT value FROM daemon_state WHERE key = 'heartbeat'").first.flatMap { Store.date($0, "value") }
    }
}
