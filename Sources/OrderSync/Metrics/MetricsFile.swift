import Foundation

/// `metrics_file`: the Prometheus text exposition format (version 0.0.4), for node_exporter's textfile
/// collector. Every series of every configured channel is written, zero where nothing was counted, so a
/// dashboard or an alert rule never meets a missing series.
public enum MetricsFile {
    /// The file's text from the database and the in-memory counters.
    public static func render(config: Config, store: Store, metrics: Metrics, now: Date = Date()) throws -> String {
        let channels = config.channels.map(\.id)
        let orders = try store.orderCountsByStatus()
        let jobs = try store.jobCountsByState()
        let health = try store.channelHealth()
        let quarantined = try store.quarantineCounts()
        let imported = metrics.importedTotals
        let latency = metrics.pushLatency
        var out = Exposition()

        out.family("ordersync_build_info", .gauge, "The running version (always 1).")
        out.sample("ordersync_build_info", ["version": OrderSyncVersion.current], 1)

        out.family("ordersync_orders", .gauge, "Orders in the database by channel and normalized status.")
        for channel in channels {
            for status in OrderStatus.allCases {
                out.sample("ordersync_orders", ["channel": channel, "status": status.rawValue], Double(orders[channel]?[status.rawValue] ?? 0))
            }
        }
        out.family("ordersync_orders_imported_total", .counter, "Orders seen for the first time since the daemon started.")
        for channel in channels { out.sample("ordersync_orders_imported_total", ["channel": channel], Double(imported[channel] ?? 0)) }

        out.family("ordersync_poll_last_success_timestamp_seconds", .gauge, "When the channel last polled successfully (Unix time).")
        for channel in channels {
            guard let at = health[channel]?.lastSuccessAt else { continue }
            out.sample("ordersync_poll_last_success_timestamp_seconds", ["channel": channel], at.timeIntervalSince1970)
        }
        out.family("ordersync_poll_consecutive_errors", .gauge, "Polls failed in a row (0 after a success).")
        for channel in channels {
            out.sample("ordersync_poll_consecutive_errors", ["channel": channel], Double(health[channel]?.consecutiveErrors ?? 0))
        }

        out.family("ordersync_jobs", .gauge, "Outbound jobs (accept, cancel, ship) by channel and state.")
        for channel in channels {
            for state in JobState.allCases {
                out.sample("ordersync_jobs", ["channel": channel, "state": state.rawValue], Double(jobs[channel]?[state.rawValue] ?? 0))
            }
        }
        out.family("ordersync_push_latency_seconds", .histogram, "From a job being queued to the channel confirming it.")
        for channel in channels {
            let histogram = latency[channel] ?? Metrics.Histogram()
            for (index, bound) in Metrics.pushLatencyBuckets.enumerated() {
                out.sample("ordersync_push_latency_seconds_bucket", ["channel": channel, "le": Exposition.number(bound)],
                           Double(histogram.buckets[index]))
            }
            out.sample("ordersync_push_latency_seconds_bucket", ["channel": channel, "le": "+Inf"], Double(histogram.count))
            out.sample("ordersync_push_latency_seconds_sum", ["channel": channel], histogram.sum)
            out.sample("ordersync_push_latency_seconds_count", ["channel": channel], Double(histogram.count))
        }

        out.family("ordersync_quarantined_payloads", .gauge, "Channel payloads set aside because they could not be read.")
        for channel in channels { out.sample("ordersync_quarantined_payloads", ["channel": channel], Double(quarantined[channel] ?? 0)) }
        out.family("ordersync_returns_open", .gauge, "Returns waiting for a decision or receipt.")
        let openReturns = try store.openReturnCounts()
        for channel in channels { out.sample("ordersync_returns_open", ["channel": channel], Double(openReturns[channel] ?? 0)) }
        out.family("ordersync_mirrors", .gauge, "Marketplace orders mirrored into the store, by state.")
        let mirrors = try store.mirrorCounts()
        let mirrorCounts: [(String, Int)] = [
            ("pending", mirrors[.pending] ?? 0), ("done", (mirrors[.created] ?? 0) + (mirrors[.closed] ?? 0)),
            ("waiting", mirrors[.waiting] ?? 0), ("failed", mirrors[.failed] ?? 0),
        ]
        for (state, count) in mirrorCounts { out.sample("ordersync_mirrors", ["state": state], Double(count)) }
        return out.text
    }

    /// Replaces the file atomically: a temporary file in the same directory is written, flushed to disk
    /// (fsync) and renamed over it, so the collector never reads half a file.
    /// - Throws: `CocoaError` / POSIX errors naming nothing secret.
    public static func write(_ text: String, to path: String) throws {
        // Unique per write: two channels may finish a cycle at once.
        let temp = path + ".tmp-\(getpid())-\(UUID().uuidString.prefix(8))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw MetricsFileError(operation: "open", path: temp, code: errno) }
        // World-readable whatever the umask (the unit's is 0077): node_exporter runs as another user.
        _ = fchmod(fd, 0o644)
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                let code = errno
                close(fd); unlink(temp)
                throw MetricsFileError(operation: "write", path: temp, code: code)
            }
            offset += n
        }
        bytes.removeAll()
        if fsync(fd) != 0 {
            let code = errno
            close(fd); unlink(temp)
            throw MetricsFileError(operation: "fsync", path: temp, code: code)
        }
        close(fd)
        guard rename(temp, path) == 0 else {
            let code = errno
            unlink(temp)
            throw MetricsFileError(operation: "rename", path: path, code: code)
        }
    }
}

/// A failed step of writing `metrics_file`.
public struct MetricsFileError: Error, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var code: Int32
    public var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
}

/// Builds Prometheus text: `# HELP`, `# TYPE`, then samples.
struct Exposition {
    enum Kind: String { case gauge, counter, histogram }
    private(set) var text = ""

    mutating func family(_ name: String, _ kind: Kind, _ help: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(kind.rawValue)\n"
    }

    mutating func sample(_ name: String, _ labels: KeyValuePairs<String, String>, _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.key)=\"\(Self.escape($0.value))\"" }.joined(separator: ",") + "}"
        }
        text += " " + Self.number(value) + "\n"
    }

    /// Integers without a fraction, others as Swift prints them (which Prometheus parses).
    static func number(_ value: Double) -> String {
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// Label value escaping: backslash, double quote and line feed.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
