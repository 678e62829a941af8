import Foundation

/// Polls one channel forever: walk, store, save the cursor, sleep the interval; on failure a capped
/// exponential backoff with jitter, a count of consecutive errors in the store, and the error logged
/// once per interval while it repeats. Cancellation is a normal stop.
public struct Poller: Service {
    public let connector: any ChannelConnector
    public let ingest: Ingest
    public let interval: TimeInterval
    public let logger: Logger
    /// Called after every cycle, success or not (writes status.json).
    public let onCycle: @Sendable () -> Void

    public init(connector: any ChannelConnector, ingest: Ingest, interval: TimeInterval, logger: Logger,
                onCycle: @escaping @Sendable () -> Void) {
        self.connector = connector; self.ingest = ingest; self.interval = interval; self.logger = logger
        self.onCycle = onCycle
    }

    /// How far back the daily re-read of open orders reaches (`resweep_days`).
    public var resweepDays: Int = 5
    /// Told when the channel fails, is refused (401) or recovers.
    public var alerts: Alerts = .disabled

    /// Days shipped orders are followed after shipping when the connector ``FollowsShippedOrders``
    /// (the channel's `aftersale_days`, set by the daemon; 0: not followed).
    public var aftersaleDays: Int = 60

    /// Orders one poll delivers before the store's page cache is widened until the poll ends
    /// (``Database/widenPageCache()``).
    public var largeImportOrders = 2000

    /// Runs one cycle; returns normally on success, throws the channel's error otherwise.
    public func pollOnce(now: Date = Date()) async throws {
        let store = ingest.store
        let cursor = try store.cursor(channel: connector.id)
        // Performance: a page is stored while the connector fetches the next one (see `PageWriter`).
        let writer = PageWriter(ingest: ingest)
        let delivered = DeliveredRefs()
        // A poll that delivers many orders (a backlog) stores them with a wider page cache, until it ends.
        let widening = CacheWidening(database: store.db, after: largeImportOrders)
        defer { widening.end() }
        let newCursor: String
        do {
            newCursor = try await connector.poll(cursor: cursor, now: now) { page in
                delivered.add(page)
                widening.count(page.orders.count)
                try await writer.submit(page)
            }
        } catch {
            try? await writer.finish()  // let a transaction under way end before the error is reported
            throw error
        }
        // Every page is stored (or the poll fails) before the cursor moves.
        try await writer.finish()
        try store.setCursor(newCursor, channel: connector.id)
        let reread = try await refreshStaleOrders(now: now)
        try await followShippedOrders(now: now, delivered: delivered.ids.union(reread))
        try await followOpenReturns(now: now)
    }

    /// Once a day: orders still open but unchanged for longer than the re-sweep window, and, when the
    /// connector ``ListsARecentWindow``, open orders created before its window, are read one by one
    /// (`GET` by id), so an order the walks no longer list is not left open forever. An order the channel
    /// no longer knows, or whose payload it cannot map, is logged and tried again the next day. Returns
    /// the ids of the orders read.
    @discardableResult
    func refreshStaleOrders(now: Date) async throws -> Set<String> {
        let store = ingest.store
        if let last = try store.mark(.staleRefresh, channel: connector.id).flatMap({ Timestamp.parse($0) }),
           now.timeIntervalSince(last) < 86_400 {
            return []
        }
        let reach = (connector as? any ListsARecentWindow).map { now.addingTimeInterval(-Double($0.walkReachDays) * 86_400) }
        // A window channel's walks never list its older open orders again: all of them are read, not the first 500.
        let stale = try store.staleOpenOrders(channel: connector.id, changedBefore: now.addingTimeInterval(-Double(resweepDays) * 86_400),
                                              orCreatedBefore: reach, firstSeenBefore: now.addingTimeInterval(-86_400),
                                              limit: reach == nil ? 500 : Int(Int32.max))
        var refreshed: Set<String> = []
        for ref in stale {
            try Task.checkCancellation()
            let fetched: FetchedOrder?
            do {
                fetched = try await connector.fetchOrder(externalID: ref.externalID)
            } catch let error as ChannelError {
                guard case .permanent = error.kind else { throw error }
                logger.warning("open order not re-read", ["order.id": .string(ref.externalID), "error": .string(error.description)])
                continue
            }
            guard let fetched else {
                logger.warning("open order no longer found", ["order.id": .string(ref.externalID)])
                continue
            }
            try ingest.storeReread(fetched, as: ref, now: now)
            refreshed.insert(ref.externalID)
        }
        try store.setMark(.staleRefresh, Timestamp.format(now), channel: connector.id)
        if !stale.isEmpty { logger.info("stale open orders re-read", ["count": .int(refreshed.count), "candidates": .int(stale.count)]) }
        return refreshed
    }

    /// Polls until cancelled; cancellation is a normal stop. Channel and store failures are retried, never thrown.
    public func run() async throws {
        var failures = 0
        var failingSince: Date?
        var lastFailingAlarm = Date.distantPast
        var throttle = ErrorThrottle(interval: interval)
        let backoff = Backoff(base: min(5, interval), cap: interval)
        while !Task.isCancelled {
            let started = Date()
            var delay = interval
            do {
                try await pollOnce(now: started)
                try? ingest.store.recordPoll(channel: connector.id, success: true, at: started)
                if failures > 0 {
                    logger.info("channel recovered", ["after_errors": .int(failures)])
                }
                // Also after a restart: the failing condition is remembered in the database.
                alerts.recover(channel: connector.id)
                failures = 0
                failingSince = nil
                lastFailingAlarm = .distantPast
                throttle.reset()
                logger.debug("poll done", ["seconds": .double(Date().timeIntervalSince(started))])
                MallocTuning.releaseFreeMemory()
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                MallocTuning.releaseFreeMemory()
                failures += 1
                let message = Poller.describe(error)
                let unauthorized = (error as? ChannelError)?.kind == .unauthorized
                try? ingest.store.recordPoll(channel: connector.id, success: false, error: message,
                                             unauthorized: unauthorized, at: started)
                if throttle.shouldLog(message) {
                    logger.error("poll failed", ["error": .string(message), "consecutive_errors": .int(failures)])
                }
                // Nothing stops silently: failing for longer than 3 intervals is an alarm, repeated hourly.
                let since = failingSince ?? started
                failingSince = since
                if started.timeIntervalSince(since) > 3 * interval, started.timeIntervalSince(lastFailingAlarm) >= 3600 {
                    lastFailingAlarm = started
                    logger.error("channel failing", ["since": .string(Timestamp.format(since)),
                                                     "consecutive_errors": .int(failures), "error": .string(message)])
                }
                // A refused credential has its own alert, at once; failing adds nothing to it.
                if started.timeIntervalSince(since) > 3 * interval, !unauthorized {
                    alerts.raise(.channelFailing, channel: connector.id,
                                 message: "polling has failed since \(Timestamp.format(since)) (\(failures) errors): \(message)")
                }
                if unauthorized {
                    // A revoked or expired credential needs a human now, not after three intervals.
                    alerts.raise(.channelUnauthorized, channel: connector.id,
                                 message: "the channel refused the credentials (401); check the token: \(message)")
                    delay = interval  // no fast retry loop on bad credentials
                } else {
                    delay = backoff.delay(afterFailures: failures)
                    if case .retryable(let after?) = (error as? ChannelError)?.kind { delay = max(delay, after) }
                }
            }
            onCycle()
            do { try await sleep(seconds: delay) } catch { return }
        }
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case let e as ChannelError: e.description
        case let e as StoreError: e.description
        default: String(describing: error)
        }
    }
}

/// Stores the pages of one poll in order, one transaction each, overlapping each page's transaction with
/// the connector's fetch of the next page: `submit` waits for the previous page's transaction, starts this
/// one and returns. A long walk then costs about max(fetch, store) per page instead of their sum. At most
/// one page is being stored while the next is fetched. A failed transaction is reported by the next
/// `submit` or by `finish`, so the poll still fails and its cursor is not saved.
actor PageWriter {
    private let ingest: Ingest
    private var pending: Task<Void, Error>?

    init(ingest: Ingest) { self.ingest = ingest }

    func submit(_ page: OrderPage) async throws {
        try await finish()
        let ingest = self.ingest
        pending = Task.detached { _ = try ingest.store(page) }
    }

    /// Waits for the page being stored, rethrowing its error.
    func finish() async throws {
        guard let task = pending else { return }
        pending = nil
        try await task.value
    }
}

/// Widens the database's page cache once a poll has delivered `after` orders, and narrows it back at
/// ``end()``. Thread-safe.
final class CacheWidening: @unchecked Sendable {
    private let database: Database
    private let threshold: Int
    private let lock = NSLock()
    private var delivered = 0
    private var widened = false

    init(database: Database, after threshold: Int) {
        self.database = database
        self.threshold = threshold
    }

    func count(_ orders: Int) {
        let widen = lock.withLock { () -> Bool in
            delivered += orders
            guard !widened, delivered >= threshold else { return false }
            widened = true
            return true
        }
        if widen { database.widenPageCache() }
    }

    func end() {
        let narrow = lock.withLock { () -> Bool in
            defer { widened = false }
            return widened
        }
        if narrow { database.narrowPageCache() }
    }
}

/// The external ids of the shipped orders one poll delivered. Thread-safe.
final class DeliveredRefs: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Set<String> = []

    /// Keeps the ids of the page's shipped orders: the only ones the follow-up would read again (holding
    /// every id of a 100k backlog's poll took 2.6 MB).
    func add(_ page: OrderPage) {
        let shipped = page.orders.lazy.filter { $0.order.status == .shipped }.map(\.order.ref.externalID)
        lock.withLock { stored.formUnion(shipped) }
    }

    var ids: Set<String> { lock.withLock { stored } }
}
