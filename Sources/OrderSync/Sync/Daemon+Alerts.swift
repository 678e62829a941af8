import Foundation

extension Daemon {
    /// The alerts of one config generation and the delivery behind them (closed when the generation ends,
    /// after its queued alerts have gone out).
    struct GenerationAlerts {
        var alerts: Alerts
        var delivery: AlertDelivery?
    }

    /// Alerts as `alerts` configures them; ``Alerts/disabled`` without it.
    static func makeAlerts(_ loaded: LoadedConfig, store: Store, logger: Logger) -> GenerationAlerts {
        guard let settings = loaded.config.alerts else { return GenerationAlerts(alerts: .disabled, delivery: nil) }
        var targets: [AlertDelivery.Target] = []
        if let command = settings.command, !command.isEmpty { targets.append(.command(command)) }
        if let webhook = loaded.alertWebhook { targets.append(.webhook(webhook)) }
        guard !targets.isEmpty else { return GenerationAlerts(alerts: .disabled, delivery: nil) }
        let log = logger.with("component", "alerts")
        let delivery = AlertDelivery(targets: targets, logger: log, timeout: Daemon.alertTimeout)
        return GenerationAlerts(alerts: Alerts(store: store, delivery: delivery, repeatHours: settings.repeatHours, logger: log),
                                delivery: delivery)
    }

    /// The time limit of one alert command or webhook request (the contract's 10 s).
    static let alertTimeout: TimeInterval = 10
}
