import Foundation

extension Daemon {
    /// The alerts of one config generation. The delivery (and its queue) is kept across reloads while its
    /// targets stay the same, so alerts go out in the order they were raised.
    func makeAlerts(_ loaded: LoadedConfig, store: Store, logger: Logger) -> Alerts {
        guard let settings = loaded.config.alerts else {
            _ = replaceDelivery(with: [])
            return .disabled
        }
        var targets: [AlertDelivery.Target] = []
        if let command = settings.command, !command.isEmpty { targets.append(.command(command)) }
        if let webhook = loaded.alertWebhook { targets.append(.webhook(webhook)) }
        let log = logger.with("component", "alerts")
        guard let delivery = replaceDelivery(with: targets, logger: log) else { return .disabled }
        return Alerts(store: store, delivery: delivery, repeatHours: settings.repeatHours, logger: log)
    }

    /// The time limit of one alert command or webhook request (the contract's 10 s).
    static let alertTimeout: TimeInterval = 10
}

extension Daemon {
    /// Rewrites `metrics_file` when configured; a failure is a warning (the next cycle tries again).
    static func writeMetrics(config: Config, store: Store, metrics: Metrics, logger: Logger) {
        guard let path = config.metricsFile else { return }
        do {
            try MetricsFile.write(MetricsFile.render(config: config, store: store, metrics: metrics), to: path)
        } catch {
            logger.warning("metrics file not written", ["error": .string("\(error)")])
        }
    }
}
