import Foundation

/// Where the mirror of one marketplace order is.
public enum MirrorState: String, Sendable, CaseIterable, Codable {
    /// Queued: the intent is recorded, the store order may or may not exist yet.
    case pending
    /// The store order exists (``MirrorRecord/storeOrderID``).
    case created
    /// Completed in the store, but something blocks the marketplace push (``MirrorRecord/reason``).
    case waiting
    /// Creation failed and needs a human (`jobs`, `retry-job`).
    case failed
    /// Fulfilment pushed to the marketplace, or cancelled: nothing more to follow.
    case closed
}

/// One row of the `mirrors` table: a marketplace order and its copy in the store.
public struct MirrorRecord: Sendable, Equatable {
    public var ref: OrderRef
    public var store: String
    public var storeOrderID: String?
    public var state: MirrorState
    public var reason: String?
    /// When the mirror was first queued; never reset, so a retry still finds an order created then.
    public var firstQueuedAt: Date

    /// `shop:1234` (the contract's `mirror` field), nil before the store order exists.
    public var storeRef: String? { storeOrderID.map { "\(store):\($0)" } }
}

extension Store {
    static let mirrorColumns = "channel, external_id, store, store_order_id, state, reason, first_queued_at"

    private func mirror(from row: Row) -> MirrorRecord {
        MirrorRecord(ref: OrderRef(channel: row.string("channel") ?? "", externalID: row.string("external_id") ?? ""),
                     store: row.string("store") ?? "", storeOrderID: row.string("store_order_id"),
                     state: MirrorState(rawValue: row.string("state") ?? "") ?? .failed, reason: row.string("reason"),
                     firstQueuedAt: Store.date(row, "first_queued_at") ?? Date.distantPast)
    }

    /// The mirror of a marketplace order, if one was ever queued.
    public func mirror(of ref: OrderRef) throws -> MirrorRecord? {
        try db.query("SELECT \(Store.mirrorColumns) FROM mirrors WHERE channel = ? AND external_id = ?",
                     [.text(ref.channel), .text(ref.externalID)]).first.map(mirror(from:))
    }

    /// Mirrors in `states` (every state when nil), oldest first.
    public func mirrors(states: [MirrorState]? = nil) throws -> [MirrorRecord] {
        var sql = "SELECT \(Store.mirrorColumns) FROM mirrors"
        if let states { sql += " WHERE state IN (\(states.map { "'\($0.rawValue)'" }.joined(separator: ",")))" }
        return try db.query(sql + " ORDER BY first_queued_at, channel, external_id").map(mirror(from:))
    }

    /// Records the intent to mirror `ref` into `store` and queues its mirror job, together. Queueing again
    /// keeps the first time (the window searched for an order created by an earlier attempt).
    @discardableResult
    public func queueMirror(_ ref: OrderRef, store: String, now: Date = Date()) throws -> EnqueueOutcome {
        try transaction {
            try db.execute("""
                INSERT INTO mirrors (channel, external_id, store, state, first_queued_at, updated_at)
                VALUES (?, ?, ?, 'pending', ?, ?) ON CONFLICT (channel, external_id) DO NOTHING
                """, [.text(ref.channel), .text(ref.externalID), .text(store), Store.time(now), Store.time(now)])
            return try jobQueue.enqueue(ref, kind: .mirror, dedupeKey: "mirror", payload: JobPayload(), now: now)
        }
    }

    /// Links the marketplace order to its store order (created or adopted).
    public func recordMirror(_ ref: OrderRef, storeOrderID: String, now: Date = Date()) throws {
        try db.execute("""
            UPDATE mirrors SET store_order_id = ?, state = 'created', reason = NULL, updated_at = ?
            WHERE channel = ? AND external_id = ?
            """, [.text(storeOrderID), Store.time(now), .text(ref.channel), .text(ref.externalID)])
    }

    /// Moves a mirror to `state` with an optional reason.
    public func setMirrorState(_ ref: OrderRef, _ state: MirrorState, reason: String? = nil, now: Date = Date()) throws {
        try db.execute("UPDATE mirrors SET state = ?, reason = ?, updated_at = ? WHERE channel = ? AND external_id = ?",
                       [.text(state.rawValue), reason.map { .text($0) } ?? .null, Store.time(now),
                        .text(ref.channel), .text(ref.externalID)])
    }

    /// Orders of `channels` that are accepted and waiting to ship (`awaiting_shipment`) and have no mirror
    /// yet, oldest first, at most `limit`.
    public func unmirroredOrders(channels: [String], limit: Int = 200) throws -> [OrderRef] {
        guard !channels.isEmpty else { return [] }
        return try db.query("""
            SELECT o.channel, o.external_id FROM orders o WHERE o.status = 'awaiting_shipment'
            AND o.channel IN (\(channels.map { _ in "?" }.joined(separator: ",")))
            AND NOT EXISTS (SELECT 1 FROM mirrors m WHERE m.channel = o.channel AND m.external_id = o.external_id)
            ORDER BY o.channel, o.external_id LIMIT ?
            """, channels.map { .text($0) } + [.int(Int64(limit))]).map {
            OrderRef(channel: $0.string("channel") ?? "", externalID: $0.string("external_id") ?? "")
        }
    }

    /// Mirrors per state, with the waiting ones' reasons.
    public func mirrorCounts() throws -> [MirrorState: Int] {
        var counts: [MirrorState: Int] = [:]
        for row in try db.query("SELECT state, COUNT(*) AS n FROM mirrors GROUP BY state") {
            if let state = MirrorState(rawValue: row.string("state") ?? "") { counts[state] = row.int("n") ?? 0 }
        }
        return counts
    }

    /// Finished pushes (accept, cancel, ship: done or failed) of mirrored orders not yet written on their
    /// mirror, oldest first: the mirror's timeline.
    public func unnotedPushes(limit: Int = 100) throws -> [(mirror: MirrorRecord, job: Job)] {
        let rows = try db.query("""
            SELECT j.id AS job_id, m.channel, m.external_id FROM mirrors m JOIN jobs j
            ON j.channel = m.channel AND j.external_id = m.external_id
            WHERE m.store_order_id IS NOT NULL AND j.kind != 'mirror' AND j.state IN ('done', 'failed') AND j.id > m.noted_job_id
            ORDER BY j.id LIMIT ?
            """, [.int(Int64(limit))])
        return try rows.compactMap { row in
            let ref = OrderRef(channel: row.string("channel") ?? "", externalID: row.string("external_id") ?? "")
            guard let mirror = try mirror(of: ref), let job = try jobQueue.job(id: Int64(row.int("job_id") ?? 0)) else { return nil }
            return (mirror, job)
        }
    }

    /// Records that the pushes up to `jobID` are written on the mirror of `ref`.
    public func markPushNoted(_ ref: OrderRef, jobID: Int64) throws {
        try db.execute("UPDATE mirrors SET noted_job_id = MAX(noted_job_id, ?) WHERE channel = ? AND external_id = ?",
                       [.int(jobID), .text(ref.channel), .text(ref.externalID)])
    }

    /// Queued mirror jobs whose time has come, oldest first.
    public func dueMirrorJobs(now: Date = Date(), limit: Int = 50) throws -> [Job] {
        try jobQueue.dueJobs(kind: .mirror, now: now, limit: limit)
    }
}
