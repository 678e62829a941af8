import Foundation

/// Everything `check-config` reports about one config file.
public struct ConfigCheck: Sendable {
    /// The config, only when ``problems`` is empty (a config with problems is never handed out).
    public var config: Config?
    /// Secrets of the enabled channels by channel id, for those that resolved.
    public var secrets: [String: ChannelSecrets]
    /// Errors: the config must not be used. Decoding, validation and secret problems, each path once.
    public var problems: [ConfigProblem]
    /// Advice: the config is usable.
    public var warnings: [ConfigProblem]
    /// `alerts.webhook_url`, read from its source, when configured and valid.
    public var alertWebhook: Secret? = nil

    /// True when the config can be used.
    public var isValid: Bool { config != nil && problems.isEmpty }
}

/// A config that passed every check, with its resolved secrets.
public struct LoadedConfig: Sendable {
    /// Valid: ``Config/validate()`` found nothing and every enabled channel's secrets resolved.
    public var config: Config
    /// Secrets of every enabled channel, by channel id.
    public var secrets: [String: ChannelSecrets]
    /// Advice to log; the config is usable.
    public var warnings: [ConfigProblem]
    /// `alerts.webhook_url`, read from its source; nil when no webhook is configured.
    public var alertWebhook: Secret? = nil
}

/// Reads, decodes, validates and resolves the config file, collecting every problem before giving up.
///
/// Order of work (STYLE practice 9): parse JSON → decode over defaults → pure ``Config/validate()`` →
/// read secrets. Nothing is cached; call again on SIGHUP. Thread-safe (no shared state).
public enum ConfigLoader {
    /// Used when neither `--config` nor `$ORDERSYNC_CONFIG` is given.
    public static let defaultPath = "/etc/ordersync/config.json"

    /// `--config PATH`, else `$ORDERSYNC_CONFIG`, else ``defaultPath``.
    public static func path(option: String?, environment: [String: String]) -> String {
        if let option, !option.isEmpty { return option }
        if let fromEnvironment = environment["ORDERSYNC_CONFIG"], !fromEnvironment.isEmpty { return fromEnvironment }
        return defaultPath
    }

    /// Decodes and validates JSON without touching the file system (secrets are not read).
    /// - Returns: the config when there is no problem (nil otherwise), and every problem found.
    public static func parse(data: Data, sourcePath: String? = nil) -> (Config?, [ConfigProblem]) {
        let (decoded, problems) = analyze([UInt8](data), sourcePath: sourcePath)
        return (problems.isEmpty ? decoded?.config : nil, problems)
    }

    /// Every problem and warning of the file at `path`, its secrets included; never throws.
    public static func check(path: String, environment: [String: String]) -> ConfigCheck {
        let bytes: [UInt8]
        switch ConfigFiles.readFile(path) {
        case .success(let read): bytes = read
        case .failure(let failure):
            let problem = ConfigProblem(path: ConfigPath.root, reason: "cannot read \(ConfigText.quoted(path)): \(failure.reason)")
            return ConfigCheck(config: nil, secrets: [:], problems: [problem], warnings: [])
        }
        var (decoded, problems) = analyze(bytes, sourcePath: path)
        guard let decoded, let config = decoded.config else {
            return ConfigCheck(config: nil, secrets: [:], problems: problems, warnings: [])
        }
        var (secrets, secretProblems) = config.resolvedSecrets(environment: environment)
        var alertWebhook: Secret?
        do throws(ConfigProblem) {
            alertWebhook = try config.alerts?.resolvedWebhook(environment: environment)
        } catch {
            secretProblems.append(error)
        }
        let reported = Set(problems.map(\.path))
        problems += secretProblems.filter { !decoded.isSuppressed($0.path) && !reported.contains($0.path) }

        var warnings = config.warnings().filter { !decoded.isSuppressed($0.path) }
        let inline = config.inlineSecretPaths.filter { !decoded.isSuppressed($0) }
        if !inline.isEmpty && ConfigFiles.isReadableByGroupOrOthers(path) {
            warnings.append(ConfigProblem(path: ConfigPath.root, reason:
                "\(path) holds inline secrets (\(inline.joined(separator: ", "))) and is readable by group or others; "
                + "run chmod 600 \(path), or move them to *_file or *_env keys"))
        }
        return ConfigCheck(
            config: problems.isEmpty ? config : nil, secrets: problems.isEmpty ? secrets : [:],
            problems: problems, warnings: warnings, alertWebhook: problems.isEmpty ? alertWebhook : nil)
    }

    /// The config at `path`, or every problem with it.
    /// - Throws: ``ConfigError`` listing every problem (unreadable file, JSON, keys, rules, unreadable secrets).
    public static func load(path: String, environment: [String: String]) throws(ConfigError) -> Config {
        try loadWithSecrets(path: path, environment: environment).config
    }

    /// Like ``load(path:environment:)``, also returning the resolved secrets and the warnings.
    public static func loadWithSecrets(path: String, environment: [String: String]) throws(ConfigError) -> LoadedConfig {
        let check = check(path: path, environment: environment)
        guard let config = check.config, check.problems.isEmpty else {
            throw ConfigError(problems: check.problems, warnings: check.warnings)
        }
        return LoadedConfig(config: config, secrets: check.secrets, warnings: check.warnings, alertWebhook: check.alertWebhook)
    }

    /// JSON → decoded config → validation, with validation problems that repeat a decoding problem dropped.
    static func analyze(_ bytes: [UInt8], sourcePath: String?) -> (DecodedConfig?, [ConfigProblem]) {
        let root: ConfigJSON.Value
        do {
            root = try ConfigJSON.parse(bytes)
        } catch {
            return (nil, [ConfigProblem(path: ConfigPath.root, reason: error.description)])
        }
        let decoded = ConfigDecoding.decode(root, sourcePath: sourcePath)
        guard let config = decoded.config else { return (decoded, decoded.problems) }
        let validation = config.validate().filter { !decoded.isSuppressed($0.path) }
        return (decoded, decoded.problems + validation)
    }
}
