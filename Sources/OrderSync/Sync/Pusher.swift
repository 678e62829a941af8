import Foundation

/// Drains one channel's outbound queue: due jobs in id order (so an accept goes before a ship),
/// each pushed through the connector (which reads the channel first and never repeats an effect),
/// then marked done in the same transaction that stores the order as the channel now shows it.
/// Retryable failures back off; permanent ones become dead letters with the channel's reason.
public struct Pusher: Service {
    public let connector: any ChannelConnector
    public let ingest: Ingest
    public let logger: Logger
    /// How often the queue is looked at when idle (jobs may come from the CLI in another process).
    public let tick: TimeInterval
    /// A job still failing this long after it was queued becomes a dead letter.
    public let deadLetterAfter: TimeInterval
    public let backoff: Backoff
    /// Changes to the job queue, when they can be watched (``JobWake``): the queue is then read after each
    /// (and every `4 × tick` for retry times) instead of glanced at ten times a second.
    public let watch: DatabaseWatch?
    /// Told about dead letters.
    public var alerts: Alerts = .disabled
    /// Records push latency, for `metrics_file`.
    public var metrics: Metrics?

    public init(connector: any ChannelConnector, ingest: Ingest, logger: Logger, tick: TimeInterval = 0.5,
                deadLetterAfter: TimeInterval = 86_400, backoff: Backoff = Backoff(base: 5, cap: 900),
                watch: DatabaseWatch? = nil) {
        self.connector = connector; self.ingest = ingest; self.logger = logger; self.tick = tick
        self.deadLetterAfter = deadLetterAfter; self.backoff = backoff; self.watch = watch
    }

    var store: Store { ingest.store }

    /// Drains the queue until cancelled; cancellation is a normal stop. Store failures are logged and retried.
    public func run() async throws {
        var storeThrottle = ErrorThrottle(interval: 60)
        // Latency: a job queued by the CLI (another connection) used to wait up to a whole `tick` (0.5 s)
        // before the queue was read. `PRAGMA data_version` changes only when another connection commits and
        // costs one cheap statement, so it is checked every `glance` and the queue read at once when it
        // moved; the queue is still read every `tick` for jobs this process queues and for retry times.
        let glance = min(tick, 0.1)
        var lastRead = Date.distantPast
        var lastVersion: Int?
        while !Task.isCancelled {
            let version = watch == nil ? try? store.dataVersion() : nil
            if watch != nil || version == nil || version != lastVersion || Date().timeIntervalSince(lastRead) >= tick {
                lastVersion = version
                lastRead = Date()
                do {
                    for job in try store.dueJobs(channel: connector.id) {
                        if Task.isCancelled { return }
                        try await process(job)
                    }
                } catch is CancellationError {
                    return
                } catch {
                    let message = Poller.describe(error)
                    if storeThrottle.shouldLog(message) { logger.error("job queue unavailable", ["error": .string(message)]) }
                }
            }
            if let watch {
                await watch.wait(timeout: 4 * tick)
                if Task.isCancelled { return }
            } else {
                do { try await sleep(seconds: glance) } catch { return }
            }
        }
    }

    /// Pushes one job. Throws only for cancellation or store failures.
    public func process(_ job: Job, now: Date = Date()) async throws {
        guard try store.markRunning(job.id, now: now) else { return }
        let log = logger.with("order.ref", .string(job.ref.description)).with("job.id", .int(Int(job.id)))
            .with("job.kind", .string(job.kind.rawValue))
        guard let stored = try store.order(job.ref) else {
            try store.finish(job.id, state: .failed, error: "order \(job.ref) is not in the database")
            log.error("job failed", ["error": "order not in the database"])
            raiseJobFailed(job, "order not in the database")
            return
        }
        do {
            // A push's calls go ahead of a poll's queued ones at the channel's gate (see `RequestGate`).
            let result = try await RequestGate.$urgent.withValue(true) { try await connector.push(job, order: stored.order) }
            let text: String
            switch result.outcome {
            case .pushed(let t): text = t
            case .alreadyDone(let t): text = "already done on the channel: " + t
            }
            // The stored ref, not the fetched one: a site conflict may have prefixed it.
            try ingest.storePushResult(result.refreshed, as: job.ref, now: now) {
                try store.finish(job.id, state: .done, result: text)
            }
            metrics?.pushed(channel: connector.id, seconds: Date().timeIntervalSince(job.createdAt))
            if case .alreadyDone = result.outcome {
                log.info("job already done on channel", ["result": .string(text)])
            } else {
                log.info("job pushed", ["result": .string(text), "attempt": .int(job.attempts + 1)])
            }
        } catch let error as ChannelError {
            try handle(error, job: job, log: log)
        } catch is CancellationError {
            // Stopping: leave it for the next start (re-read before any re-push).
            try? store.reschedule(job.id, at: Date(), error: job.lastError ?? "interrupted by shutdown")
            throw CancellationError()
        } catch let error as StoreError {
            throw error
        } catch {
            try handle(ChannelError(.retryable(retryAfter: nil), operation: job.kind.rawValue, message: "\(error)"),
                       job: job, log: log)
        }
    }

    private func handle(_ error: ChannelError, job: Job, log: Logger) throws {
        let message = error.description
        switch error.kind {
        case .retryable(let retryAfter):
            let age = Date().timeIntervalSince(job.createdAt)
            if age >= deadLetterAfter {
                try store.finish(job.id, state: .failed, error: "gave up after \(job.attempts + 1) attempts: \(message)")
                log.error("job dead-lettered", ["error": .string(message), "attempts": .int(job.attempts + 1)])
                raiseJobFailed(job, "gave up after \(job.attempts + 1) attempts: \(message)")
                return
            }
            var delay = backoff.delay(afterFailures: job.attempts + 1)
            if let retryAfter { delay = max(delay, retryAfter) }
            try store.reschedule(job.id, at: Date().addingTimeInterval(delay), error: message)
            log.warning("job will be retried", ["error": .string(message), "in_seconds": .double(delay),
                                                "attempt": .int(job.attempts + 1)])
        case .obsolete:
            try store.finish(job.id, state: .dropped, error: message)
            log.warning("job dropped", ["error": .string(message)])
        case .permanent, .conflict, .unauthorized:
            try store.finish(job.id, state: .failed, error: message)
            log.error("job failed", ["error": .string(message)])
            raiseJobFailed(job, message)
        }
    }

    private func raiseJobFailed(_ job: Job, _ reason: String) {
        alerts.raise(.jobFailed, orderRef: job.ref, subject: "job \(job.id)",
                     message: "\(job.kind.rawValue) failed and needs a human (ordersync jobs; retry-job \(job.id)): \(reason)")
    }
}
