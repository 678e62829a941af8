import Foundation

/// The result of queueing a job.
public enum EnqueueOutcome: Sendable, Equatable {
    case queued(id: Int64)
    /// The same effect is already queued or done (same order, kind and dedupe key).
    case duplicate(id: Int64, state: JobState)
}

/// The outbound job queue: one row per effect to push (accept, ship, cancel), deduplicated per order,
/// kind and key; due jobs in id order; retries, dead letters and re-queueing after a crash. Shares the
/// store's `Database`; safe to use from any task.
public struct JobQueue: Sendable {
    let db: Database

    init(db: Database) { self.db = db }

    private static let jobColumns = """
        id, channel, external_id, kind, dedupe_key, payload, state, attempts, next_attempt_at, last_error,
        result, created_at, updated_at
        """

    private func job(from row: Row) throws -> Job {
        let payload = try JSONDecoder().decode(JobPayload.self, from: row.data("payload") ?? Data("{}".utf8))
        return Job(id: Int64(row.int("id") ?? 0),
                   ref: OrderRef(channel: row.string("channel") ?? "", externalID: row.string("external_id") ?? ""),
                   kind: JobKind(rawValue: row.string("kind") ?? "") ?? .accept,
                   dedupeKey: row.string("dedupe_key") ?? "",
                   payload: payload,
                   state: JobState(rawValue: row.string("state") ?? "") ?? .failed,
                   attempts: row.int("attempts") ?? 0,
                   nextAttemptAt: Store.date(row, "next_attempt_at") ?? Date.distantPast,
                   lastError: row.string("last_error"),
                   result: row.string("result"),
                   createdAt: Store.date(row, "created_at") ?? Date(),
                   updatedAt: Store.date(row, "updated_at") ?? Date())
    }

    /// Queues a job unless the same (order, kind, dedupe key) exists, in which case nothing is written.
    /// A `dropped` duplicate is re-queued (the effect was never pushed).
    public func enqueue(_ ref: OrderRef, kind: JobKind, dedupeKey: String, payload: JobPayload,
                        now: Date = Date()) throws -> EnqueueOutcome {
        try db.inTransaction {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            if let row = try db.query("""
                SELECT id, state FROM jobs WHERE channel = ? AND external_id = ? AND kind = ? AND dedupe_key = ?
                """, [.text(ref.channel), .text(ref.externalID), .text(kind.rawValue), .text(dedupeKey)]).first {
                let id = Int64(row.int("id") ?? 0)
                let state = JobState(rawValue: row.string("state") ?? "") ?? .failed
                guard state == .dropped else { return .duplicate(id: id, state: state) }
                try db.execute("""
                    UPDATE jobs SET state = 'queued', payload = ?, attempts = 0, next_attempt_at = ?, created_at = ?,
                        updated_at = ? WHERE id = ?
                    """, [.blob(try encoder.encode(payload)), Store.time(now), Store.time(now), Store.time(now), .int(id)])
                return .queued(id: id)
            }
            try db.execute("""
                INSERT INTO jobs (channel, external_id, kind, dedupe_key, payload, state, attempts, next_attempt_at,
                    created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?)
                """, [.text(ref.channel), .text(ref.externalID), .text(kind.rawValue), .text(dedupeKey),
                      .blob(try encoder.encode(payload)), Store.time(now), Store.time(now), Store.time(now)])
            return .queued(id: db.lastInsertRowID)
        }
    }

    /// One job by id.
    public func job(id: Int64) throws -> Job? {
        try db.query("SELECT \(JobQueue.jobColumns) FROM jobs WHERE id = ?", [.int(id)]).first.map(job(from:))
    }

    /// Jobs, newest first; `states` filters.
    public func jobs(states: [JobState]? = nil, channel: String? = nil, ref: OrderRef? = nil) throws -> [Job] {
        var sql = "SELECT \(JobQueue.jobColumns) FROM jobs WHERE 1 = 1"
        var args: [SQLValue] = []
        if let states {
            sql += " AND state IN (\(states.map { _ in "?" }.joined(separator: ",")))"
            args += states.map { .text($0.rawValue) }
        }
        if let channel { sql += " AND channel = ?"; args.append(.text(channel)) }
        if let ref { sql += " AND channel = ? AND external_id = ?"; args += [.text(ref.channel), .text(ref.externalID)] }
        sql += " ORDER BY id DESC"
        return try db.query(sql, args).map(job(from:))
    }

    /// Queued jobs of a channel whose time has come, oldest first.
    public func dueJobs(channel: String, now: Date = Date(), limit: Int = 50) throws -> [Job] {
        try db.query("""
            SELECT \(JobQueue.jobColumns) FROM jobs WHERE channel = ? AND state = 'queued' AND next_attempt_at <= ?
            AND kind != 'mirror' ORDER BY id LIMIT ?
            """, [.text(channel), Store.time(now), .int(Int64(limit))]).map(job(from:))
    }

    /// Queued jobs of one kind, any channel, whose time has come, oldest first.
    public func dueJobs(kind: JobKind, now: Date = Date(), limit: Int = 50) throws -> [Job] {
        try db.query("""
            SELECT \(JobQueue.jobColumns) FROM jobs WHERE kind = ? AND state = 'queued' AND next_attempt_at <= ?
            ORDER BY id LIMIT ?
            """, [.text(kind.rawValue), Store.time(now), .int(Int64(limit))]).map(job(from:))
    }

    /// SQLite's `PRAGMA data_version`: changes when another connection (the CLI) commits; this connection's
    /// own writes leave it as it is. One cheap statement, for noticing new jobs without reading the queue.
    public func dataVersion() throws -> Int {
        try db.query("PRAGMA data_version").first?.int("data_version") ?? 0
    }

    /// The earliest next attempt among a channel's queued jobs.
    public func nextDueTime(channel: String) throws -> Date? {
        try db.query("SELECT MIN(next_attempt_at) AS t FROM jobs WHERE channel = ? AND state = 'queued' AND kind != 'mirror'",
                     [.text(channel)]).first.flatMap { Store.date($0, "t") }
    }

    /// Marks a job as being pushed and counts the attempt. Returns false if it was no longer queued.
    public func markRunning(_ id: Int64, now: Date = Date()) throws -> Bool {
        try db.execute("""
            UPDATE jobs SET state = 'running', attempts = attempts + 1, updated_at = ? WHERE id = ? AND state = 'queued'
            """, [Store.time(now), .int(id)]) == 1
    }

    /// Ends a job (done, failed or dropped) with a result or error text.
    public func finish(_ id: Int64, state: JobState, result: String? = nil, error: String? = nil, now: Date = Date()) throws {
        try db.execute("UPDATE jobs SET state = ?, result = ?, last_error = COALESCE(?, last_error), updated_at = ? WHERE id = ?",
                       [.text(state.rawValue), result.map { .text($0) } ?? .null, error.map { .text($0) } ?? .null,
                        Store.time(now), .int(id)])
    }

    /// Puts a job back in the queue for another attempt at `at`, keeping the error.
    public func reschedule(_ id: Int64, at: Date, error: String, now: Date = Date()) throws {
        try db.execute("UPDATE jobs SET state = 'queued', next_attempt_at = ?, last_error = ?, updated_at = ? WHERE id = ?",
                       [Store.time(at), .text(error), Store.time(now), .int(id)])
    }

    /// After a crash: jobs left `running` go back to `queued` (the push re-reads the channel first).
    @discardableResult
    public func requeueInterrupted(now: Date = Date()) throws -> Int {
        try db.execute("UPDATE jobs SET state = 'queued', updated_at = ? WHERE state = 'running'", [Store.time(now)])
    }

    /// Re-queues a failed (or dropped) job for an immediate attempt. Returns false if it was in another state.
    public func retry(_ id: Int64, now: Date = Date()) throws -> Bool {
        try db.execute("""
            UPDATE jobs SET state = 'queued', next_attempt_at = ?, created_at = ?, attempts = 0, updated_at = ?
            WHERE id = ? AND state IN ('failed', 'dropped')
            """, [Store.time(now), Store.time(now), Store.time(now), .int(id)]) == 1
    }

    /// Re-queues every failed job. Returns how many.
    public func retryAllFailed(now: Date = Date()) throws -> Int {
        try db.execute("""
            UPDATE jobs SET state = 'queued', next_attempt_at = ?, created_at = ?, attempts = 0, updated_at = ?
            WHERE state = 'failed'
            """, [Store.time(now), Store.time(now), Store.time(now)])
    }

    /// Pending (queued or running), failed and obsolete (dropped: the channel cancelled the order) counts
    /// per channel.
    public func jobCounts() throws -> [String: (pending: Int, failed: Int, obsolete: Int)] {
        var counts: [String: (pending: Int, failed: Int, obsolete: Int)] = [:]
        for row in try db.query("""
            SELECT channel, SUM(state IN ('queued','running')) AS p, SUM(state = 'failed') AS f,
                   SUM(state = 'dropped') AS d FROM jobs GROUP BY channel
            """) {
            counts[row.string("channel") ?? ""] = (row.int("p") ?? 0, row.int("f") ?? 0, row.int("d") ?? 0)
        }
        return counts
    }

    /// Shipments of an order, from its ship jobs (queued, pushed or failed).
    func shipments(for ref: OrderRef) throws -> [Shipment] {
        try jobs(ref: ref).filter { $0.kind == .ship }.reversed().compactMap(JobQueue.shipment(from:))
    }

    func allShipments(channel: String?) throws -> [OrderRef: [Shipment]] {
        var result: [OrderRef: [Shipment]] = [:]
        var sql = "SELECT \(JobQueue.jobColumns) FROM jobs WHERE kind = 'ship'"
        var args: [SQLValue] = []
        if let channel { sql += " AND channel = ?"; args.append(.text(channel)) }
        for row in try db.query(sql + " ORDER BY id", args) {
            let job = try job(from: row)
            if let shipment = JobQueue.shipment(from: job) { result[job.ref, default: []].append(shipment) }
        }
        return result
    }

    static func shipment(from job: Job) -> Shipment? {
        guard let s = job.payload.shipment else { return nil }
        let state: ShipmentState
        switch job.state {
        case .done: state = .pushed
        case .failed, .dropped: state = .failed
        case .queued, .running: state = .queued
        }
        return Shipment(carrier: s.carrierKey, trackingNumber: s.trackingNumber, trackingURL: s.trackingURL,
                        shippedAt: s.shippedAt, state: state, lineIDs: s.wholeOrder ? [] : s.lines.map(\.lineID))
    }
}
