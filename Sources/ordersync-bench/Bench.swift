import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One benchmark run: the scenarios in order, the figures they produce, the table and the JSON file.
final class Bench: @unchecked Sendable {
    let options: BenchOptions
    /// The daemon binary under test.
    let daemon: String
    /// A temp directory holding every daemon run's files (removed at the end unless `--keep`).
    let root: String
    let started = Date()
    var figures: [Figure] = []
    var notes: [String] = []
    /// VmHWM (bytes) of the bare Foundation + URLSession process, one per repeat.
    var floorSamples: [Double] = []
    /// A GET the daemon sent (URL and headers): what the floor process sends too.
    var floorRequest: (url: URL, headers: [String])?
    /// Idle VmHWM samples from the start-up runs (first poll done + 2 s).
    var startupMemory: [Double] = []
    private var small: [any BenchChannel]?

    /// Table order; figures not listed go last.
    static let order = ["startup_ready", "startup_first_request", "floor_hwm", "idle_hwm", "backlog_10k", "backlog_100k",
                        "growth", "backlog_hwm", "storage_per_order", "poll_to_store", "push_latency", "idle_cpu"]

    init(options: BenchOptions) throws {
        self.options = options
        daemon = options.daemon ?? (URL(fileURLWithPath: Proc.selfExecutable).deletingLastPathComponent().appendingPathComponent("ordersync").path)
        guard FileManager.default.isExecutableFile(atPath: daemon) else {
            throw BenchError("no daemon at \(daemon): build it first (swift build -c release) or pass --daemon PATH")
        }
        var template = Array(((NSTemporaryDirectory() as NSString).appendingPathComponent("ordersync-bench-XXXXXX")).utf8CString)
        guard let made = mkdtemp(&template) else { throw BenchError("cannot create a temp directory") }
        root = String(cString: made)
    }

    /// The simulators behind the start-up, latency and idle scenarios: `--small` orders, made once.
    func smallChannels() throws -> [any BenchChannel] {
        if let small { return small }
        progress("generating \(options.small) orders over \(options.channels.joined(separator: ", "))")
        let made = try BenchChannels.setUp(options.channels, orders: options.small, seed: 1)
        small = made
        return made
    }

    func run() async {
        progress("daemon: \(daemon); work dir: \(root)")
        notes.append("channels: \(options.channels.joined(separator: ", ")) simulators on 127.0.0.1, served in this process; "
            + "their rate limits and quotas are off")
        notes.append("backlogs: empty database → every channel's first poll done, ORDERSYNC_MIN_REQUEST_SPACING=0 "
            + "(pacing off; Spartoo's fixed 0.5 s spacing is not overridable, its walk is one request), "
            + "ORDERSYNC_HTTP_TIMEOUT=300, auto_accept off, resweep_days 31 so the first poll reaches every order")
        if !options.wrap.isEmpty || options.daemonInBench {
            notes.append("the daemon ran as `\((options.wrap + [options.daemonInBench ? "ordersync-bench --as-daemon" : "ordersync"]).joined(separator: " "))`: figures are for profiling only")
        }
        notes.append("the simulators run inside the benchmark process and share the CPUs with the daemon; "
            + "'simulator busy' = time they spent producing the daemon's replies")
        notes.append("raw = bare URLSession loop re-sending the daemon's own requests (same URLs, headers, bodies), "
            + "channels side by side, replies discarded; ratio = raw time ÷ daemon time (daemon throughput ÷ fetch limit)")
        let steps: [(String, () async throws -> Void)] = [
            ("startup", { try self.startupScenario() }),
            ("poll", { try self.pollScenario() }),
            ("push", { try self.pushScenario() }),
            ("idle", { try self.idleScenario() }),
            ("backlog", { try await self.backlogScenario() }),
            ("window", { try await self.windowScenario() }),
        ]
        for (name, step) in steps where options.scenarios.contains(name) {
            progress("scenario \(name)")
            do {
                try await step()
            } catch {
                progress("scenario \(name) failed: \(error)")
                notes.append("scenario \(name) failed: \(error)")
            }
        }
        small?.forEach { $0.stop() }
        func rank(_ key: String) -> Int {
            Self.order.firstIndex(of: key) ?? (key.hasPrefix("backlog_") ? Self.order.firstIndex(of: "backlog_100k")! : 99)
        }
        figures.sort { rank($0.key) < rank($1.key) }
        let results = BenchResults(startedAt: ISO8601DateFormatter().string(from: started), seconds: Date().timeIntervalSince(started),
                                   machine: Machine.current(), command: CommandLine.arguments.joined(separator: " "),
                                   notes: notes, figures: figures)
        print(Report.table(results), terminator: "")
        do {
            try Report.write(results, to: options.out)
            progress("results written to \(options.out)")
        } catch {
            progress("cannot write \(options.out): \(error)")
        }
        if options.keep { progress("kept \(root)") } else { try? FileManager.default.removeItem(atPath: root) }
    }

    // MARK: the memory floor

    /// The floor's VmHWM (median over `--repeat` processes), measured once per run, on demand.
    func floor() throws -> Double? {
        if let median = Stats.median(floorSamples) { return median }
        let channels = try smallChannels()
        let request = floorRequest ?? (channels[0].front.baseURL.appendingPathComponent("floor"), [])
        for index in 1...options.repeats {
            var arguments = ["--floor", request.url.absoluteString]
            for header in request.headers { arguments += ["--header", header] }
            let child = try Child(path: Proc.selfExecutable, arguments: arguments, environment: ProcessInfo.processInfo.environment,
                                  outputPath: root + "/floor\(index).out")
            defer { child.stop(grace: 2) }
            let deadline = Date().addingTimeInterval(30)
            while !child.output.contains("floor "), Date() < deadline, child.isRunning { Thread.sleep(forTimeInterval: 0.01) }
            guard child.output.contains("floor ready") else { throw BenchError("floor process: \(child.output)") }
            Thread.sleep(forTimeInterval: 0.5)
            if let memory = Proc.memory(child.pid) { floorSamples.append(Double(memory.hwm)) }
        }
        let median = Stats.median(floorSamples)
        figures.append(Figure(key: "floor_hwm", label: "memory floor (bare Foundation+URLSession, 1 GET)", value: median,
                              unit: "bytes", shown: Stats.megabytes(median), comparison: "median of \(floorSamples.count)",
                              samples: floorSamples))
        return median
    }

    /// "+N.N MB over the floor" and whether that is within `allowance` MB.
    func overFloor(_ bytes: Double?, allowance: Double) -> (text: String, ok: Bool?) {
        guard let bytes, let floor = try? floor() else { return ("floor not measured", nil) }
        let over = (bytes - floor) / 1_048_576
        return (String(format: "floor + %.1f MB (floor %@)", over, Stats.megabytes(floor)), over <= allowance)
    }

    /// Remembers one GET the daemon sent, for the floor process to send.
    func noteFloorRequest(from channels: [any BenchChannel]) {
        guard floorRequest == nil else { return }
        for channel in channels {
            guard let entry = channel.front.log.first(where: { $0.request.method == "GET" }) else { continue }
            let r = entry.request
            let url = URL(string: channel.front.baseURL.absoluteString + r.path + (r.rawQuery.isEmpty ? "" : "?" + r.rawQuery))
            let skipped: Set<String> = ["host", "content-length", "connection"]
            if let url {
                floorRequest = (url, r.headers.filter { !skipped.contains($0.name.lowercased()) }.map { "\($0.name): \($0.value)" })
                return
            }
        }
    }

    /// A daemon against `channels`, started, READY, first poll done on every channel.
    func startedDaemon(_ channels: [any BenchChannel], settings: DaemonRun.Settings = .init(),
                       firstPollTimeout: TimeInterval = 300) throws -> DaemonRun {
        channels.forEach { $0.front.clear() }
        let run = try DaemonRun(binary: daemon, channels: channels, settings: profiled(settings), root: root)
        try run.start()
        do {
            try run.waitReady()
            _ = try run.waitFirstPolls(timeout: firstPollTimeout)
        } catch {
            run.stop()
            throw error
        }
        return run
    }

    /// `settings` with the profiling options (`--wrap`, `--daemon-in-bench`) applied.
    func profiled(_ settings: DaemonRun.Settings) -> DaemonRun.Settings {
        var settings = settings
        settings.wrap = options.wrap
        if options.daemonInBench {
            settings.daemonBinary = Proc.selfExecutable
            settings.daemonArguments = ["--as-daemon"]
        }
        return settings
    }

    func finish(_ run: DaemonRun) {
        run.stop()
        if !options.keep { run.remove() }
    }
}
