import Foundation

/// Copies accepted marketplace orders into the store channel (`mirror`), exactly once: the intent is
/// recorded (a `mirrors` row and a `mirror` job) before anything is posted, and every attempt first looks
/// for a store order carrying the order's `ordersync_ref` created since the intent was first recorded, and
/// adopts it. So a crash or a timeout after the store created the order never makes a second one.
public struct MirrorService: Service {
    public let store: Store
    public let target: any MirrorStore
    public let config: MirrorConfig
    /// Channels whose orders are mirrored, with the names people know the marketplaces by.
    public let sources: [(id: String, name: String)]
    public let logger: Logger
    /// How often new orders and due jobs are looked for.
    public var tick: TimeInterval = 1
    public var backoff = Backoff(base: 5, cap: 900)
    /// A mirror still failing this long after it was queued needs a human.
    public var deadLetterAfter: TimeInterval = 86_400
    /// How far before the first queueing an adopted order may have been created (the store's clock may lag).
    public var clockSlack: TimeInterval = 600
    public var alerts: Alerts = .disabled
    /// Queues the marketplace shipments of completed mirrors (validated as `ship` validates them); nil
    /// follows nothing.
    public var operations: Operations?
    /// The store channel's type (for `carriers.<key>.names.<type>`); nil: the type of `mirror.store` in
    /// ``operations``' config.
    public var storeType: ChannelType?
    /// How often open mirrors are re-read in the store.
    public var followInterval: TimeInterval = 60

    public init(store: Store, target: any MirrorStore, config: MirrorConfig, sources: [(id: String, name: String)], logger: Logger) {
        self.store = store; self.target = target; self.config = config; self.sources = sources; self.logger = logger
    }

    public func run() async throws {
        var throttle = ErrorThrottle(interval: 60)
        var lastFollow = Date.distantPast
        while !Task.isCancelled {
            do {
                try await cycle()
                if Date().timeIntervalSince(lastFollow) >= followInterval {
                    lastFollow = Date()
                    try await follow()
                }
            } catch is CancellationError {
                return
            } catch {
                let message = Poller.describe(error)
                if throttle.shouldLog(message) { logger.error("mirror queue unavailable", ["error": .string(message)]) }
            }
            do { try await sleep(seconds: tick) } catch { return }
        }
    }

    /// Queues a mirror for every accepted order not yet mirrored, then runs the due mirror jobs.
    public func cycle(now: Date = Date()) async throws {
        for ref in try store.unmirroredOrders(channels: sources.map(\.id)) {
            try store.queueMirror(ref, store: config.store, now: now)
            logger.info("mirror queued", ["order.ref": .string(ref.description), "store": .string(config.store)])
        }
        for job in try store.dueMirrorJobs(now: now) {
            if Task.isCancelled { return }
            try await process(job, now: now)
        }
    }

    /// Creates (or adopts) the store order for one mirror job. Throws only for cancellation or store failures.
    public func process(_ job: Job, now: Date = Date()) async throws {
        guard try store.markRunning(job.id, now: now) else { return }
        let log = logger.with("order.ref", .string(job.ref.description)).with("job.id", .int(Int(job.id)))
            .with("job.kind", .string(job.kind.rawValue))
        guard let record = try store.mirror(of: job.ref), let stored = try store.order(job.ref) else {
            try store.finish(job.id, state: .failed, error: "order \(job.ref) or its mirror record is not in the database")
            return
        }
        if let existing = record.storeRef {
            try store.finish(job.id, state: .done, result: "already mirrored as \(existing)")
            return
        }
        let name = sources.first { $0.id == job.ref.channel }?.name ?? job.ref.channel
        do {
            if let found = try await target.findMirror(of: job.ref, createdSince: record.firstQueuedAt.addingTimeInterval(-clockSlack)) {
                try store.transaction {
                    try store.recordMirror(job.ref, storeOrderID: found, now: now)
                    try store.finish(job.id, state: .done, result: "adopted \(config.store):\(found) (created by an earlier attempt)")
                }
                log.info("mirror adopted", ["mirror": .string("\(config.store):\(found)")])
                return
            }
            if stored.order.status != .awaitingShipment {
                try store.transaction {
                    try store.setMirrorState(job.ref, .closed, reason: "order is \(stored.order.status.rawValue), not mirrored", now: now)
                    try store.finish(job.id, state: .dropped, error: "order is \(stored.order.status.rawValue): no mirror needed")
                }
                return
            }
            let created = try await target.createMirror(MirrorRequest(order: stored.order, marketplaceName: name,
                                                                      status: config.status, customerEmail: config.customerEmail))
            try store.transaction {
                try store.recordMirror(job.ref, storeOrderID: created.externalID, now: now)
                try store.finish(job.id, state: .done, result: "created \(config.store):\(created.externalID)"
                    + (created.warnings.isEmpty ? "" : " (" + created.warnings.joined(separator: "; ") + ")"))
            }
            log.info("mirror created", ["mirror": .string("\(config.store):\(created.externalID)")])
            for warning in created.warnings { log.warning("mirror needs a look", ["warning": .string(warning)]) }
        } catch let error as ChannelError {
            try handle(error, job: job, log: log, now: now)
        } catch is CancellationError {
            try? store.reschedule(job.id, at: Date(), error: job.lastError ?? "interrupted by shutdown")
            throw CancellationError()
        } catch let error as StoreError {
            throw error
        } catch {
            try handle(ChannelError(.retryable(retryAfter: nil), operation: "mirror", message: "\(error)"), job: job, log: log, now: now)
        }
    }

    private func handle(_ error: ChannelError, job: Job, log: Logger, now: Date) throws {
        let message = error.description
        if error.isRetryable, now.timeIntervalSince(job.createdAt) < deadLetterAfter {
            var delay = backoff.delay(afterFailures: job.attempts + 1)
            if case .retryable(let after?) = error.kind { delay = max(delay, after) }
            try store.reschedule(job.id, at: now.addingTimeInterval(delay), error: message)
            log.warning("mirror will be retried", ["error": .string(message), "in_seconds": .double(delay)])
            return
        }
        try store.transaction {
            try store.finish(job.id, state: .failed, error: message)
            try store.setMirrorState(job.ref, .failed, reason: message, now: now)
        }
        log.error("mirror failed", ["error": .string(message)])
        alerts.raise(.mirrorFailed, orderRef: job.ref,
                     message: "the store copy of \(job.ref) could not be created (ordersync jobs; retry-job \(job.id)): \(message)")
    }
}

extension MirrorService {
    /// The service for `config.mirror`, nil when there is none or its store channel did not start.
    static func make(config: Config, connectors: [String: any ChannelConnector], store: Store, alerts: Alerts,
                     logger: Logger) -> MirrorService? {
        guard let mirror = config.mirror else { return nil }
        guard let target = connectors[mirror.store] as? any MirrorStore else {
            logger.error("mirror not started: the store channel is not running", ["store": .string(mirror.store)])
            return nil
        }
        let sources = mirror.sourceChannels(in: config).compactMap { id in
            config.channel(id: id).map { (id: id, name: $0.type.definition.displayName) }
        }
        var service = MirrorService(store: store, target: target, config: mirror, sources: sources, logger: logger)
        service.alerts = alerts
        service.operations = Operations(config: config, store: store)
        if let channel = config.channel(id: mirror.store) {
            service.storeType = channel.type
            service.followInterval = TimeInterval(channel.pollIntervalSeconds)
        }
        return service
    }
}
