import Dispatch
import Foundation

/// `ordersync run`: loads the config (refusing an invalid one before anything starts), opens the store,
/// re-queues jobs a crash left running, then runs one poller and one pusher per enabled channel until
/// SIGTERM/SIGINT. SIGHUP reopens the log and reloads the config: an invalid one is logged and the old
/// one kept; a valid, changed one restarts the services without a process restart. Notifies systemd.
/// Every long-running part is a ``Service``; the daemon moves through ``DaemonState``s and never exits
/// the process itself (see ``Options/onStopOverdue``).
public final class Daemon: @unchecked Sendable {
    public struct Options: Sendable {
        public var configPath: String
        public var environment: [String: String]
        /// Log to this handler instead of the config's `log.file` (the demo's console).
        public var logHandler: (any LogHandler)?
        /// Pusher queue tick (seconds).
        public var pushTick: TimeInterval = 0.5
        /// Called when a stop signal's services have not all returned within `stopTimeout` (in-flight HTTP
        /// may not notice cancellation at once). The binary exits there; the library never does.
        public var onStopOverdue: (@Sendable () -> Void)?
        /// Seconds after SIGTERM/SIGINT before `onStopOverdue` (the contract allows 10 s for a stop).
        public var stopTimeout: TimeInterval = 8
        /// Makes `state_dir/replies` the process's temporary directory (`TMPDIR`), where streamed replies
        /// arrive (see ``ReplyFiles/useAsTemporaryDirectory(_:)``). The binaries set it; tests running a
        /// daemon inside a test process leave it off, since it changes the whole process's environment.
        public var repliesAsTemporaryDirectory = false

        public init(configPath: String, environment: [String: String], logHandler: (any LogHandler)? = nil,
                    onStopOverdue: (@Sendable () -> Void)? = nil) {
            self.configPath = configPath; self.environment = environment; self.logHandler = logHandler
            self.onStopOverdue = onStopOverdue
        }
    }

    private let options: Options
    private let lock = NSLock()
    private var lifecycle = DaemonLifecycle()
    private var generation: Task<Void, Never>?
    private var logHandler: (any LogHandler)?
    private var signalSources: [DispatchSourceSignal] = []
    private var alertDelivery: AlertDelivery?
    /// Counters of this process, kept across reloads (`metrics_file`).
    let metrics = Metrics()

    public init(options: Options) {
        self.options = options
    }

    /// The daemon's current state.
    public var state: DaemonState { lock.withLock { lifecycle.state } }

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
            lock.withLock { lifecycle.finished() }
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
                lock.withLock { lifecycle.finished() }
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
                let replies = ReplyFiles.directory(stateDir: config.stateDir)
                let stale = ReplyFiles.removeStale(in: replies)
                if stale > 0 { logger.info("reply files of an earlier run removed", ["count": .int(stale)]) }
                if options.repliesAsTemporaryDirectory { try ReplyFiles.useAsTemporaryDirectory(replies) }
                let opened = try Store(path: Store.path(inStateDir: config.stateDir))
                let requeued = try opened.requeueInterrupted()
                if requeued > 0 { logger.info("interrupted jobs queued again", ["count": .int(requeued)]) }
                store = opened
            } catch {
                if openThrottle.shouldLog("\(error)") {
                    logger.error("cannot open the database", ["error": .string("\(error)"), "state_dir": .string(config.stateDir),
                                                             "retry_seconds": .int(5)])
                }
                if stopRequestedBeforeStart() { return .ok }
                try? await Task.sleep(nanoseconds: 5_000_000_000)
                if stopRequestedBeforeStart() { return .ok }
            }
        }
        guard let store else { return .tempFailure }
        let notifier = SystemdNotifier(environment: options.environment)
        let watchdog = notifier.map { WatchdogGate(notifier: $0) }
        let watchdogTask: Task<Void, Never>? = {
            guard let watchdog, let interval = notifier?.watchdogInterval else { return nil }
            let timer = WatchdogTimer(gate: watchdog, interval: interval)
            return Task.detached { try? await timer.run() }
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
                return lifecycle.servicesStarted()
            }
            if !proceed { task.cancel() }
            _ = notifier?.ready()
            await task.value
            let next: LoadedConfig? = lock.withLock { lifecycle.servicesEnded() }
            guard let next else { break }
            current = next
            logger.info("config reloaded", ["channels": .int(next.config.channels.count)])
        }
        _ = notifier?.stopping()
        watchdogTask?.cancel()
        lock.withLock { lifecycle.finished() }
        logger.info("daemon stopped")
        return .ok
    }

    /// True when a stop came while the database could not be opened yet; the daemon is then stopped.
    private func stopRequestedBeforeStart() -> Bool {
        lock.withLock {
            guard lifecycle.isStopRequested else { return false }
            lifecycle.finished()
            return true
        }
    }

    private func runGeneration(_ loaded: LoadedConfig, store: Store, logger: Logger, notifier: SystemdNotifier?,
                               watchdog: WatchdogGate?) async {
        let config = loaded.config
        let factory = ChannelFactory(environment: options.environment)
        // One watch for every pusher of this generation; nil (pushers poll) where inotify is unavailable.
        let watch = DatabaseWatch.start(databasePath: Store.path(inStateDir: config.stateDir))
        defer { watch?.stop() }
        let alerts = makeAlerts(loaded, store: store, logger: logger)
        var services: [(name: String, service: any Service)] = []
        var connectors: [String: any ChannelConnector] = [:]
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
                services.append(("poller \(channel.id)", poller))
                services.append(("pusher \(channel.id)", pusher))
                connectors[channel.id] = connector
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
        services.append(("deadline watch", deadlineWatch))
        if let mirror = MirrorService.make(config: config, connectors: connectors, store: store, alerts: alerts,
                                           logger: logger.with("component", "mirror")) {
            services.append(("mirror", mirror))
        }
        if let dir = config.inboxDir {
            services.append(("inbox", Inbox(directory: dir, operations: Operations(config: config, store: store),
                                            logger: logger.with("component", "inbox"))))
        }
        services.append(("heartbeat", Heartbeat(config: config, store: store, notifier: notifier, watchdog: watchdog)))
        await ServiceGroup(services, logger: logger).run()
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

    /// Requests a stop (as SIGTERM does): the services are cancelled and `run` returns once they have.
    public func stop() {
        let task: Task<Void, Never>? = lock.withLock {
            lifecycle.requestStop() ? generation : nil
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
                    if let overdue = self.options.onStopOverdue {
                        queue.asyncAfter(deadline: .now() + self.options.stopTimeout) {
                            logger.warning("forced exit after stop timeout")
                            overdue()
                        }
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
                lifecycle.requestReload(config) ? generation : nil
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
