import Dispatch
import Foundation

/// `ordersync run`: loads the config (refusing an invalid one before anything starts), opens the store,
/// re-queues jobs a crash left running, then runs one poller and one pusher per enabled channel until
/// SIGTERM/SIGINT. SIGHUP reopens the log and reloads the config: an invalid one is logged and the old
/// one kept; a valid, changed one restarts the channels without a process restart. Notifies systemd.
public final class Daemon: @unchecked Sendable {
    public struct Options: Sendable {
        public var configPath: String
        public var environment: [String: String]
        /// Log to this handler instead of the config's `log.file` (the demo's console).
        public var logHandler: (any LogHandler)?
        /// Pusher queue tick (seconds).
        public var pushTick: TimeInterval = 0.5

        public init(configPath: String, environment: [String: String], logHandler: (any LogHandler)? = nil) {
            self.configPath = configPath; self.environment = environment; self.logHandler = logHandler
        }
    }

    private let options: Options
    private let lock = NSLock()
    private var generation: Task<Void, Never>?
    private var stopRequested = false
    private var pendingConfig: LoadedConfig?
    private var logHandler: (any LogHandler)?
    private var signalSources: [DispatchSourceSignal] = []
    private var alertDelivery: AlertDelivery?
    /// Counters of this process, kept across reloads (`metrics_file`).
    let metrics = Metrics()

    public init(options: Options) {
        self.options = options
    }

    /// Loads and validates the config and resolves the secrets of enabled channels.
    public static func loadConfig(path: String, environment: [String: String]) throws(ConfigError) -> LoadedConfig {
        try ConfigLoader.loadWithSecrets(path: path, environment: environment)
    }

    /// Runs until stopped; returns the exit code.
    public func run() async -> ExitCode {
        MallocTuning.apply(environment: options.environment)
        let loaded: LoadedConfig
        do {
            loaded = try Daemon.loadConfig(path: options.configPath, environment: options.environment)
        } catch {
            for problem in error.problems { FileHandle.standardError.write(Data((problem.description + "\n").utf8)) }
            return .config
        }
        let config = loaded.config
        let handler: any LogHandler
        if let given = options.logHandler {
            handler = given
        } else {
            do {
                handler = try JSONLinesLogHandler(path: config.log.file)
            } catch {
                FileHandle.standardError.write(Data("ordersync: \(error)\n".utf8))
                return .tempFailure
            }
        }
        lock.withLock { logHandler = handler }
        var logger = Logger(level: config.log.level, handler: handler)
        for warning in loaded.warnings {
            logger.warning("config warning", ["problem": .string(warning.description)])
        }
        installSignalHandlers(logger: logger)
        // The database may be temporarily unusable (locked, read-only mount, full disk): log and retry
        // until it opens or a stop is requested, rather than exit and lose the process's place.
        var store: Store?
        var openThrottle = ErrorThrottle(interval: 300)
        while store == nil {
            do {
                try FileManager.default.createDirectory(atPath: config.stateDir, withIntermediateDirectories: true)
                let opened = try Store(path: Store.path(inStateDir: config.stateDir))
                let requeued = try opened.requeueInterrupted()
                if requeued > 0 { logger.info("interrupted jobs queued again", ["count": .int(requeued)]) }
                store = opened
            } catch {
                if openThrottle.shouldLog("\(error)") {
                    logger.error("cannot open the database", ["error": .string("\(error)"), "state_dir": .string(config.stateDir),
                                                             "retry_seconds": .int(5)])
                }
                if lock.withLock({ stopRequested }) { return .ok }
                try? await Task.sleep(nanoseconds: 5_000_000_000)
                if lock.withLock({ stopRequested }) { return .ok }
            }
        }
        guard let store else { return .tempFailure }
        let notifier = SystemdNotifier(environment: options.environment)
        let watchdog = notifier.map { WatchdogGate(notifier: $0) }
        let watchdogTask: Task<Void, Never>? = {
            guard let watchdog, let interval = notifier?.watchdogInterval else { return nil }
            return Task.detached { await watchdog.run(every: interval) }
        }()

        var current = loaded
        logger.info("daemon started", ["version": .string(OrderSyncVersion.current), "channels": .int(config.channels.count)])
        while true {
            logger.level = current.config.log.level
            let active = current
            let activeLogger = logger
            let task = Task {
                await self.runGeneration(active, store: store, logger: activeLogger, notifier: notifier, watchdog: watchdog)
            }
            let proceed: Bool = lock.withLock {
                generation = task
                return !stopRequested
            }
            if !proceed { task.cancel() }
            _ = notifier?.ready()
            await task.value
            let next: LoadedConfig? = lock.withLock {
                defer { pendingConfig = nil }
                return stopRequested ? nil : pendingConfig
            }
            guard let next else { break }
            current = next
            logger.info("config reloaded", ["channels": .int(next.config.channels.count)])
        }
        _ = notifier?.stopping()
        watchdogTask?.cancel()
        logger.info("daemon stopped")
        return .ok
    }

    private func runGeneration(_ loaded: LoadedConfig, store: Store, logger: Logger, notifier: SystemdNotifier?,
                               watchdog: WatchdogGate?) async {
        let config = loaded.config
        let factory = ChannelFactory(environment: options.environment)
        // One watch for every pusher of this generation; nil (pushers poll) where inotify is unavailable.
        let watch = DatabaseWatch.start(databasePath: Store.path(inStateDir: config.stateDir))
        defer { watch?.stop() }
        let alerts = makeAlerts(loaded, store: store, logger: logger)
        var runners: [(Poller, Pusher)] = []
        for (index, channel) in config.channels.enumerated() where channel.enabled {
            let log = logger.with("channel", .string(channel.id))
            do {
                let connector = try factory.make(channel, index: index, config: config, secrets: loaded.secrets[channel.id],
                                                 logger: log)
                var ingest = Ingest(store: store, channelID: channel.id, autoAccept: channel.autoAccept,
                                    rules: config.shippingRules, acceptWithinHours: channel.acceptWithinHours,
                                    shipWithinHours: channel.shipWithinHours, logger: log)
                ingest.alerts = alerts
                ingest.metrics = metrics
                let metrics = self.metrics
                let writeStatus: @Sendable () -> Void = {
                    Daemon.writeStatus(config: config, store: store, logger: log)
                    Daemon.writeMetrics(config: config, store: store, metrics: metrics, logger: log)
                }
                var poller = Poller(connector: connector, ingest: ingest, interval: TimeInterval(channel.pollIntervalSeconds),
                                    logger: log, onCycle: writeStatus)
                poller.resweepDays = config.resweepDays
                if let days = channel.settings.aftersaleDays { poller.aftersaleDays = days }
                poller.alerts = alerts
                var pusher = Pusher(connector: connector, ingest: ingest, logger: log, tick: options.pushTick, watch: watch)
                pusher.alerts = alerts
                pusher.metrics = metrics
                runners.append((poller, pusher))
            } catch {
                log.error("channel not started", ["error": .string("\(error)")])
            }
        }
        Daemon.writeStatus(config: config, store: store, logger: logger)
        Daemon.writeMetrics(config: config, store: store, metrics: metrics, logger: logger)
        let windows = Dictionary(config.channels.filter(\.hasAcceptStep).map { ($0.id, $0.acceptWithinHours) },
                                 uniquingKeysWith: { first, _ in first })
        var deadlineWatch = DeadlineWatch(store: store, windows: windows, shipChannels: Set(config.channels.map(\.id)),
                                          logger: logger)
        deadlineWatch.alerts = alerts
        let shippingAlerts = alerts
        deadlineWatch.onEvent = { event in
            _ = shippingAlerts.raise(event.name == .shipmentDue ? .shipmentDue : .shipmentOverdue, orderRef: event.ref,
                                     message: event.summary, now: event.at)
        }
        let deadlines = deadlineWatch
        let inbox = config.inboxDir.map {
            Inbox(directory: $0, operations: Operations(config: config, store: store), logger: logger.with("component", "inbox"))
        }
        await withTaskGroup(of: Void.self) { group in
            for (poller, pusher) in runners {
                group.addTask { await poller.run() }
                group.addTask { await pusher.run() }
            }
            group.addTask { await deadlines.run() }
            if let inbox { group.addTask { await inbox.run() } }
            // Heartbeat: proves the loop and the database still work (feeds the systemd watchdog) and keeps STATUS fresh.
            // It beats at least twice per watchdog tick so a healthy daemon never misses one.
            let tick = notifier?.watchdogInterval.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
            // Without a watchdog every 5 s: each beat is a write that wakes the pushers (see DatabaseWatch).
            let beat = tick.map { min(2.0, $0 / 2) } ?? 5.0
            group.addTask {
                var lastStatus = ""
                var beats = 0
                while !Task.isCancelled {
                    beats += 1
                    // A write, so a database that no longer accepts writes stops the watchdog pings.
                    guard (try? store.heartbeat()) != nil else {
                        try? await Task.sleep(nanoseconds: UInt64(beat * 1_000_000_000))
                        continue
                    }
                    watchdog?.progress()
                    // STATUS= needs the counts (a scan of the orders): every 15th beat, not every beat.
                    if notifier != nil, beats % (tick == nil ? 6 : 15) == 1, let report = try? StatusReport.build(config: config, store: store) {
                        let failing = report.channels.filter(\.failing).count
                        let text = "\(report.channels.count - failing) channel(s) ok, \(failing) failing, "
                            + "\(report.channels.reduce(0) { $0 + $1.jobsPending }) job(s) pending, "
                            + "\(report.channels.reduce(0) { $0 + $1.jobsFailed }) failed"
                        if text != lastStatus { _ = notifier?.status(text); lastStatus = text }
                    }
                    try? await Task.sleep(nanoseconds: UInt64(beat * 1_000_000_000))
                }
            }
            await group.waitForAll()
        }
    }

    static func writeStatus(config: Config, store: Store, logger: Logger) {
        do {
            try StatusReport.build(config: config, store: store).write(toStateDir: config.stateDir)
        } catch {
            logger.warning("status.json not written", ["error": .string("\(error)")])
        }
    }

    /// The delivery for `targets`: the current one when its targets are the same, else a new one (the old
    /// one drains its queue and stops); nil for no targets.
    func replaceDelivery(with targets: [AlertDelivery.Target], logger: Logger = .discarding) -> AlertDelivery? {
        lock.withLock {
            if let current = alertDelivery, current.targets == targets { return current }
            alertDelivery?.close()
            alertDelivery = targets.isEmpty ? nil
                : AlertDelivery(targets: targets, logger: logger, timeout: Daemon.alertTimeout)
            return alertDelivery
        }
    }

    /// Requests a stop (as SIGTERM does).
    public func stop() {
        let task: Task<Void, Never>? = lock.withLock {
            stopRequested = true
            return generation
        }
        task?.cancel()
    }

    private func installSignalHandlers(logger: Logger) {
        let queue = DispatchQueue(label: "ordersync.signals")
        for sig in [SIGTERM, SIGINT, SIGHUP] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { [weak self] in
                guard let self else { return }
                if sig == SIGHUP {
                    self.reload(logger: logger)
                } else {
                    logger.info("stop requested", ["signal": .int(Int(sig))])
                    self.stop()
                    // In-flight HTTP may not notice cancellation at once: never take longer than the contract's 10 s.
                    queue.asyncAfter(deadline: .now() + 8) {
                        logger.warning("forced exit after stop timeout")
                        exit(0)
                    }
                }
            }
            source.resume()
            signalSources.append(source)
        }
    }

    private func reload(logger: Logger) {
        lock.withLock { logHandler }?.reopen()
        logger.info("reload requested")
        let notifier = SystemdNotifier(environment: options.environment)
        _ = notifier?.reloading()
        do {
            let config = try Daemon.loadConfig(path: options.configPath, environment: options.environment)
            let task: Task<Void, Never>? = lock.withLock {
                pendingConfig = config
                return generation
            }
            task?.cancel()
        } catch {
            for problem in error.problems {
                logger.error("config reload refused", ["problem": .string(problem.description)])
            }
            _ = notifier?.ready()
        }
    }
}
