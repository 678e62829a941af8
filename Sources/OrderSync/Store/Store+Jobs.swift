import Foundation

/// The job queue's calls on the store, for callers that hold a `Store` (see ``JobQueue``).
extension Store {
    /// See ``JobQueue/enqueue(_:kind:dedupeKey:payload:now:)``.
    public func enqueue(_ ref: OrderRef, kind: JobKind, dedupeKey: String, payload: JobPayload,
                        now: Date = Date()) throws -> EnqueueOutcome {
        try jobQueue.enqueue(ref, kind: kind, dedupeKey: dedupeKey, payload: payload, now: now)
    }
    public func job(id: Int64) throws -> Job? { try jobQueue.job(id: id) }
    public func jobs(states: [JobState]? = nil, channel: String? = nil, ref: OrderRef? = nil) throws -> [Job] {
        try jobQueue.jobs(states: states, channel: channel, ref: ref)
    }
    public func dueJobs(channel: String, now: Date = Date(), limit: Int = 50) throws -> [Job] {
        try jobQueue.dueJobs(channel: channel, now: now, limit: limit)
    }
    public func dataVersion() throws -> Int { try jobQueue.dataVersion() }
    public func nextDueTime(channel: String) throws -> Date? { try jobQueue.nextDueTime(channel: channel) }
    public func markRunning(_ id: Int64, now: Date = Date()) throws -> Bool { try jobQueue.markRunning(id, now: now) }
    public func finish(_ id: Int64, state: JobState, result: String? = nil, error: String? = nil, now: Date = Date()) throws {
        try jobQueue.finish(id, state: state, result: result, error: error, now: now)
    }
    public func reschedule(_ id: Int64, at: Date, error: String, now: Date = Date()) throws {
        try jobQueue.reschedule(id, at: at, error: error, now: now)
    }
    @discardableResult
    public func requeueInterrupted(now: Date = Date()) throws -> Int { try jobQueue.requeueInterrupted(now: now) }
    public func retry(_ id: Int64, now: Date = Date()) throws -> Bool { try jobQueue.retry(id, now: now) }
    public func retryAllFailed(now: Date = Date()) throws -> Int { try jobQueue.retryAllFailed(now: now) }
    public func jobCounts() throws -> [String: (pending: Int, failed: Int, obsolete: Int)] { try jobQueue.jobCounts() }
}
