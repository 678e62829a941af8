import Foundation

extension Config {
    /// Every rule the config breaks, each with its JSON path. Pure: reads no file, secret or environment.
    ///
    /// Channel paths use the channel's index in ``channels``, carriers their key, rules their index.
    public func validate() -> [ConfigProblem] {
        var problems = ConfigProblemList()
        problems.requirePath(stateDir, at: "state_dir")
        if let file = log.file { problems.requirePath(file, at: "log.file") }
        if let inboxDir { problems.requirePath(inboxDir, at: "inbox_dir") }
        if let metricsFile { problems.requirePath(metricsFile, at: "metrics_file") }
        alerts?.validate(into: &problems)
        if pollIntervalSeconds < Config.minimumPollIntervalSeconds {
            problems.add("poll_interval_seconds", "must be at least \(Config.minimumPollIntervalSeconds) (got \(pollIntervalSeconds))")
        }
        if resweepDays < 1 { problems.add("resweep_days", "must be at least 1 (got \(resweepDays))") }

        if channels.isEmpty { problems.add("channels", "must list at least one channel") }
        var firstIndexOfID: [String: Int] = [:]
        for (index, channel) in channels.enumerated() {
            let path = ConfigPath.index("channels", index)
            if let first = firstIndexOfID[channel.id], !channel.id.isEmpty {
                problems.add(ConfigPath.member(path, "id"),
                             "duplicate channel id \(ConfigText.quoted(channel.id)) (first used by channels[\(first)])")
            } else {
                firstIndexOfID[channel.id] = index
            }
            channel.validate(at: path, topLevelPollInterval: pollIntervalSeconds, into: &problems)
        }
        validateCarriers(into: &problems)
        validateShippingRules(into: &problems)
        mirror?.validate(channels: channels, into: &problems)
        return problems.items
    }

    private func validateCarriers(into problems: inout ConfigProblemList) {
        var seen: Set<String> = []
        let types = ChannelRegistry.definitions.map(\.type.rawValue)
        for carrier in carrierList {
            let path = ConfigPath.member("carriers", carrier.key)
            if !ConfigText.isIdentifier(carrier.key) {
                problems.add(path, "carrier key must match [a-z0-9-]+ (got \(ConfigText.quoted(carrier.key)))")
            }
            if !seen.insert(carrier.key).inserted { problems.add(path, "duplicate carrier key") }
            if let template = carrier.trackingURL {
                problems.checkTrackingTemplate(template, at: ConfigPath.member(path, "tracking_url"))
            }
            let namesPath = ConfigPath.member(path, "names")
            for (type, name) in carrier.names.sorted(by: { $0.key < $1.key }) {
                let namePath = ConfigPath.member(namesPath, type)
                if !types.contains(type) {
                    problems.add(namePath, "unknown channel type \(ConfigText.quoted(type)) (expected "
                        + "\(ConfigText.list(types)))\(ConfigText.didYouMean(type, types))")
                } else if name.trimmingWhitespace().isEmpty {
                    problems.add(namePath, "must not be empty")
                } else if ConfigText.hasControlCharacter(name) {
                    problems.add(namePath, "must not contain a line break or control character")
                }
            }
        }
    }

    private func validateShippingRules(into problems: inout ConfigProblemList) {
        var channelIDs: [String] = []
        for channel in channels where !channel.id.isEmpty && !channelIDs.contains(channel.id) {
            channelIDs.append(channel.id)
        }
        let carrierKeys = carrierOrder
        for (index, rule) in shippingRules.enumerated() {
            let path = ConfigPath.index("shipping_rules", index)
            if rule.channel != "*" && !channelIDs.contains(rule.channel) {
                problems.add(ConfigPath.member(path, "channel"),
                             "unknown channel \(ConfigText.quoted(rule.channel)) (expected \"*\" or a configured channel id: "
                             + "\(channelIDs.map(ConfigText.printable).joined(separator: ", ")))\(ConfigText.didYouMean(rule.channel, channelIDs))")
            }
            if rule.shippingMethod.isEmpty {
                problems.add(ConfigPath.member(path, "shipping_method"), "must not be empty (use \"*\" to match every method)")
            }
            if !carrierKeys.contains(rule.carrier) {
                let configured = carrierKeys.isEmpty ? "no carriers are configured" : "configured: \(carrierKeys.map(ConfigText.printable).joined(separator: ", "))"
                problems.add(ConfigPath.member(path, "carrier"),
                             "unknown carrier \(ConfigText.quoted(rule.carrier)) (\(configured))\(ConfigText.didYouMean(rule.carrier, carrierKeys))")
            }
        }
        // A type that needs a carrier name on every shipment: a carrier a rule can give its orders must be
        // spelled for that type.
        var reported: Set<String> = []
        for channel in channels where channel.type.definition.capabilities.needsCarrierName && !channel.id.isEmpty {
            for (index, rule) in shippingRules.enumerated() where rule.applies(toChannel: channel.id) {
                guard let carrier = carrier(key: rule.carrier), carrier.name(for: channel.type) == nil,
                    reported.insert("\(carrier.key) \(channel.id)").inserted
                else { continue }
                problems.add(ConfigPath.member(ConfigPath.member("carriers", carrier.key), "names"),
                             "no name for channel type \(channel.type.rawValue) used by channel \(ConfigText.printable(channel.id)) (shipping_rules[\(index)])")
            }
        }
    }
}

/// Problems in the order found, with the shared checks used by the validation files.
public struct ConfigProblemList {
    public private(set) var items: [ConfigProblem] = []

    public init() {}

    public mutating func add(_ path: String, _ reason: String) { items.append(ConfigProblem(path: path, reason: reason)) }

    /// A file or directory path: non-empty and absolute (the daemon runs with `/` as its working directory).
    public mutating func requirePath(_ value: String, at path: String) {
        if value.isEmpty {
            add(path, "must not be empty")
        } else if !value.hasPrefix("/") {
            add(path, "must be an absolute path (got \(ConfigText.quoted(value)))")
        }
    }

    /// An API base: http or https with a host, `http://` only for loopback hosts, no query, fragment or credentials.
    public mutating func checkAPIURL(_ url: URL, at path: String) {
        let scheme = url.scheme?.lowercased() ?? ""
        guard scheme == "http" || scheme == "https" else {
            add(path, "must be an http or https URL (got \(ConfigText.quoted(url.absoluteString)))")
            return
        }
        guard let host = url.host, !host.isEmpty else {
            add(path, "must include a host (got \(ConfigText.quoted(url.absoluteString)))")
            return
        }
        if scheme == "http" && !ConfigText.isLoopbackHost(host) {
            add(path, "http:// is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost); use https://")
        }
        if url.query != nil || url.fragment != nil { add(path, "must not contain a query or fragment") }
        if url.user != nil || url.password != nil {
            add(path, "must not contain a user name or password (use the channel's secret keys)")
        }
    }

    /// `tracking_url`: contains `{tracking}`, no other placeholder, and is an http(s) URL once filled in.
    mutating func checkTrackingTemplate(_ template: String, at path: String) {
        if !template.contains("{tracking}") { add(path, "must contain {tracking}") }
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let placeholder = String(rest[open...close])
            if !CarrierConfig.placeholders.contains(placeholder) {
                add(path, "unknown placeholder \(ConfigText.printable(placeholder)) (only {tracking} and {postcode} are replaced)")
            }
            rest = rest[rest.index(after: close)...]
        }
        let filled = CarrierConfig(key: "x", trackingURL: template).trackingURL(number: "0", postcode: "0") ?? ""
        let scheme = URL(string: filled)?.scheme?.lowercased()
        if scheme != "http" && scheme != "https" || URL(string: filled)?.host == nil {
            add(path, "must be an http or https URL (got \(ConfigText.quoted(template)))")
        }
    }

    /// A value sent in an HTTP header: non-empty, no line break or control character.
    public mutating func checkHeaderValue(_ value: String, at path: String, emptyHint: String = "") {
        if value.trimmingWhitespace().isEmpty {
            add(path, "must not be empty" + emptyHint)
        } else if ConfigText.hasControlCharacter(value) {
            add(path, "must not contain a line break or control character")
        }
    }
}

extension ConfigText {
    /// `127.0.0.0/8`, `::1` and `localhost`: the only hosts `http://` may point at.
    public static func isLoopbackHost(_ rawHost: String) -> Bool {
        var host = rawHost.lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host == "localhost" || host == "localhost." { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        if octets.count == 4, octets.allSatisfy({ !$0.isEmpty && $0.count <= 3 && UInt8($0) != nil }) {
            return octets[0] == "127"
        }
        return isIPv6Loopback(host)
    }

    /// `::1` in any spelling (`0:0:0:0:0:0:0:1`, `::0:1`).
    private static func isIPv6Loopback(_ host: String) -> Bool {
        guard host.contains(":"), host.allSatisfy({ $0.isHexDigit || $0 == ":" }) else { return false }
        let halves = host.components(separatedBy: "::")
        guard halves.count <= 2 else { return false }
        func groups(_ text: String) -> [UInt16]? {
            text.isEmpty ? [] : text.split(separator: ":", omittingEmptySubsequences: false).map { UInt16($0, radix: 16) }
                .reduce(into: [UInt16]?([])) { result, group in
                    guard let group, result != nil else { result = nil; return }
                    result!.append(group)
                }
        }
        guard let head = groups(halves[0]), let tail = halves.count == 2 ? groups(halves[1]) : [] else { return false }
        let all: [UInt16]
        if halves.count == 2 {
            guard head.count + tail.count < 8 else { return false }
            all = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            all = head
        }
        return all.count == 8 && all.dropLast().allSatisfy { $0 == 0 } && all.last == 1
    }
}
