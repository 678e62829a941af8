import Foundation

/// `alerts`: where a human is told about conditions that need one (see ``Alerts``).
public struct AlertsConfig: Sendable, Equatable {
    /// `command`: argv of a program that reads one alert (a JSON object and a newline) on stdin per run.
    public var command: [String]?
    /// `webhook_url` / `webhook_url_file` / `webhook_url_env`: alerts are POSTed here as JSON. A secret: the
    /// URL often carries a token, so it is never logged.
    public var webhook: SecretSource?
    /// `repeat_hours` (default 6, 1...168): an ongoing condition alerts again at most this often.
    public var repeatHours: Int

    public static let defaultRepeatHours = 6
    public static let repeatHoursRange = 1...168
    /// The keys of the `alerts` object.
    static let keys = ["command", "repeat_hours"] + ConfigDecoder.secretKeys("webhook_url")

    public init(command: [String]? = nil, webhook: SecretSource? = nil, repeatHours: Int = AlertsConfig.defaultRepeatHours) {
        self.command = command; self.webhook = webhook; self.repeatHours = repeatHours
    }

    /// Every rule `alerts` breaks, paths under `alerts`. Pure.
    func validate(into problems: inout ConfigProblemList) {
        if command == nil && webhook == nil {
            problems.add("alerts", "needs a command or a webhook_url (or webhook_url_file, webhook_url_env); remove alerts to turn them off")
        }
        if let command {
            if command.isEmpty {
                problems.add("alerts.command", "must name a program (an array like [\"/usr/local/bin/ordersync-alert\"])")
            } else if !command[0].hasPrefix("/") {
                problems.add("alerts.command[0]", "must be an absolute path (got \(ConfigText.quoted(command[0])))")
            }
            for (index, argument) in command.enumerated() where ConfigText.hasControlCharacter(argument) || argument.isEmpty {
                problems.add(ConfigPath.index("alerts.command", index), "must be a non-empty string without control characters")
            }
        }
        if !Self.repeatHoursRange.contains(repeatHours) {
            problems.add("alerts.repeat_hours", "must be between \(Self.repeatHoursRange.lowerBound) and "
                + "\(Self.repeatHoursRange.upperBound) (got \(repeatHours))")
        }
        if case .inline(let url) = webhook, !url.isEmpty, !Self.isWebhookURL(url.reveal()) {
            // The value may carry a token: named by its key, never echoed.
            problems.add("alerts.webhook_url", "must be an http or https URL with a host")
        }
    }

    /// True for an `http`/`https` URL with a host.
    static func isWebhookURL(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            return false
        }
        return scheme == "http" || scheme == "https"
    }

    /// The webhook URL read from its source, checked to be a URL.
    /// - Throws: a problem at `alerts.webhook_url[_file|_env]` naming the file or variable, never the content.
    func resolvedWebhook(environment: [String: String]) throws(ConfigProblem) -> Secret? {
        guard let webhook else { return nil }
        let secret = try webhook.resolve(environment: environment, path: "alerts.webhook_url")
        guard Self.isWebhookURL(secret.reveal()) else {
            let origin: String
            switch webhook {
            case .inline: origin = "the value"
            case .file(let path): origin = "file \(ConfigText.quoted(path))"
            case .environment(let name): origin = "environment variable \(ConfigText.quoted(name))"
            }
            throw ConfigProblem(path: "alerts.webhook_url" + webhook.keySuffix, reason: "\(origin) does not hold an http or https URL with a host")
        }
        return secret
    }
}

extension ConfigDecoding {
    static func decodeAlerts(_ root: Object, _ decoder: inout ConfigDecoder) -> AlertsConfig? {
        guard let value = decoder.present(root, "alerts"), let object = decoder.object(value, at: "alerts") else { return nil }
        decoder.checkKeys(object, at: "alerts", allowed: AlertsConfig.keys)
        var alerts = AlertsConfig()
        alerts.command = decoder.stringArray(object, "command", at: "alerts")
        if AlertsConfig.keys.filter({ $0.hasPrefix("webhook_url") }).contains(where: { decoder.present(object, $0) != nil }) {
            // A placeholder when unusable (already reported), so `alerts` is not also called empty.
            alerts.webhook = decoder.secret(object, "webhook_url", at: "alerts") ?? .inline(Secret(""))
        }
        alerts.repeatHours = decoder.int(object, "repeat_hours", at: "alerts") ?? AlertsConfig.defaultRepeatHours
        return alerts
    }
}
