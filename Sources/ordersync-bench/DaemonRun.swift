import Foundation
import OrderSync

/// A channel's first poll failed (it would be retried only after a backoff).
struct PollFailure: Error, CustomStringConvertible {
    let channel: String
    let message: String
    var description: String { "first poll of \(channel) failed: \(message)" }
}

/// One `ordersync run` of the built binary in a fresh directory (config, secrets, state, log) against the
/// given channels, with a `$NOTIFY_SOCKET` to see `READY=1` and read access to its database.
final class DaemonRun: @unchecked Sendable {
    struct Settings {
        /// `poll_interval_seconds` for every channel (10 is the smallest the config allows).
        var pollInterval = 10
        /// `ORDERSYNC_MIN_REQUEST_SPACING=0`: every channel's pacing off (backlog runs only).
        var unpaced = false
        /// `ORDERSYNC_HTTP_TIMEOUT` (seconds); nil keeps the daemon's 30 s.
        var httpTimeout: Int?
        /// A command prefix (a profiler); the daemon is then slow and given more time to stop.
        var wrap: [String] = []
        /// The program to run as the daemon when not `ordersync` (this benchmark with `--as-daemon`).
        var daemonBinary: String?
        /// Arguments before `--config` (`--as-daemon`).
        var daemonArguments: [String] = []
    }

    let dir: String
    let binary: String
    let channels: [any BenchChannel]
    let environment: [String: String]
    let notify: NotifySocket
    let wrap: [String]
    let daemonArguments: [String]
    let daemonProgram: String
    private(set) var child: Child!
    private var database: Database?

    var configPath: String { dir + "/config.json" }
    var databasePath: String { dir + "/state/ordersync.sqlite3" }
    var logPath: String { dir + "/ordersync.log" }

    init(binary: String, channels: [any BenchChannel], settings: Settings, root: String) throws {
        self.binary = binary
        self.channels = channels
        let dir = root + "/run-" + UUID().uuidString.prefix(8).lowercased()
        self.dir = dir
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let entries = try channels.map { try $0.configJSON(dir: dir) }.joined(separator: ",\n")
        // resweep_days 31: the first poll reaches every generated order (Back Market's go back 30 days).
        let config = """
            {
              "state_dir": "\(dir)/state",
              "log": { "file": "\(dir)/ordersync.log", "level": "info" },
              "poll_interval_seconds": \(settings.pollInterval),
              "resweep_days": 31,
              "channels": [
            \(entries)
              ],
              "carriers": {
                "colissimo": { "tracking_url": "https://www.laposte.fr/outils/suivre-vos-envois?code={tracking}",
                               "names": { "backmarket": "Colissimo", "spartoo": "Colissimo", "woocommerce": "Colissimo" } }
              },
              "shipping_rules": [ { "channel": "*", "shipping_method": "*", "carrier": "colissimo" } ]
            }
            """
        try config.write(toFile: dir + "/config.json", atomically: true, encoding: .utf8)
        var env = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("ORDERSYNC_") && !$0.key.hasPrefix("WATCHDOG_") && $0.key != "NOTIFY_SOCKET"
        }
        if settings.unpaced { env["ORDERSYNC_MIN_REQUEST_SPACING"] = "0" }
        if let timeout = settings.httpTimeout { env["ORDERSYNC_HTTP_TIMEOUT"] = String(timeout) }
        environment = env
        wrap = settings.wrap
        daemonArguments = settings.daemonArguments
        daemonProgram = settings.daemonBinary ?? binary
        notify = try NotifySocket(path: dir + "/notify.sock")
    }

    /// Starts `ordersync --config … run` with `$NOTIFY_SOCKET` set.
    func start() throws {
        var env = environment
        env["NOTIFY_SOCKET"] = notify.path
        let arguments = daemonArguments + ["--config", configPath, "run"]
        child = wrap.isEmpty
            ? try Child(path: daemonProgram, arguments: arguments, environment: env, outputPath: dir + "/daemon.out")
            : try Child(path: "/usr/bin/env", arguments: wrap + [daemonProgram] + arguments, environment: env,
                        outputPath: dir + "/daemon.out")
    }

    var pid: pid_t { child.pid }

    /// Waits for `READY=1` (the database is open and migrated by then); throws if it does not come.
    @discardableResult
    func waitReady(timeout: TimeInterval = 60) throws -> Date {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let at = notify.ready { return at }
            if !child.isRunning { throw BenchError("daemon exited before READY=1:\n\(child.output.suffix(2000))") }
            Thread.sleep(forTimeInterval: 0.002)
        }
        throw BenchError("no READY=1 within \(Int(timeout)) s")
    }

    func db() throws -> Database {
        if let database { return database }
        let opened = try Database(path: databasePath)
        database = opened
        return opened
    }

    /// Channels whose first poll has succeeded.
    func polledChannels() throws -> Set<String> {
        Set(try db().query("SELECT channel FROM channel_state WHERE last_success_at IS NOT NULL").compactMap { $0.string("channel") })
    }

    /// Channels whose last poll failed, with the error.
    func pollErrors() -> [(channel: String, error: String)] {
        let rows = (try? db().query("SELECT channel, last_error FROM channel_state WHERE consecutive_errors > 0")) ?? []
        return rows.map { ($0.string("channel") ?? "?", $0.string("last_error") ?? "?") }
    }

    /// Waits until every channel's first poll has succeeded, checking every 10 ms; returns when each was seen.
    func waitFirstPolls(timeout: TimeInterval) throws -> [String: Date] {
        let wanted = Set(channels.map(\.id))
        var seen: [String: Date] = [:]
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let done = try? polledChannels() {
                let now = Date()
                for id in done.intersection(wanted) where seen[id] == nil { seen[id] = now }
                if seen.count == wanted.count { return seen }
            }
            if !child.isRunning { throw BenchError("daemon exited during its first poll:\n\(child.output.suffix(2000))") }
            // A failed poll is retried only after a backoff: report it rather than wait.
            if let failed = pollErrors().first { throw PollFailure(channel: failed.channel, message: failed.error) }
            Thread.sleep(forTimeInterval: 0.01)
        }
        throw BenchError("first poll not done within \(Int(timeout)) s")
    }

    func orderCount() throws -> Int { try db().query("SELECT COUNT(*) AS n FROM orders").first?.int("n") ?? 0 }

    func memory() -> (hwm: Int, rss: Int)? { Proc.memory(child.pid) }

    func cpuSeconds() -> Double? { Proc.cpuSeconds(child.pid) }

    /// Runs one CLI command against this run's config (the daemon may be running) and returns it, exited.
    func cli(_ arguments: [String]) throws -> Child {
        try Child.run(binary, ["--config", configPath] + arguments, environment: environment, outputPath: dir + "/cli.out")
    }

    /// SIGTERM and wait (the daemon promises to stop within 10 s).
    func stop() {
        child?.stop(grace: wrap.isEmpty ? 12 : 120)
        notify.close()
    }

    /// After `stop()`: checkpoints the WAL into the database file and returns database + WAL bytes.
    func storageBytes() throws -> Int {
        _ = try db().query("PRAGMA wal_checkpoint(TRUNCATE)")
        let files = [databasePath, databasePath + "-wal"]
        return files.reduce(0) { total, path in
            var info = stat()
            return total + (stat(path, &info) == 0 ? Int(info.st_size) : 0)
        }
    }

    func closeDatabase() { database = nil }
}

extension DaemonRun {
    /// Deletes the run's directory (config, secrets, database, log).
    func remove() { try? FileManager.default.removeItem(atPath: dir) }

    /// The requests each channel's front received since it was last cleared, as replay plans.
    /// Per channel, the seconds its simulator spent producing replies since the front was last cleared.
    func simulatorSeconds() -> [String: Double] {
        Dictionary(uniqueKeysWithValues: channels.map { channel in
            (channel.id, channel.front.log.reduce(0) { $0 + $1.served.timeIntervalSince($1.arrived) })
        })
    }

    func plans() -> [RawFetch.Plan] {
        channels.map { RawFetch.Plan(channel: $0.id, base: $0.front.baseURL, requests: $0.front.log.map(\.request)) }
    }
}
