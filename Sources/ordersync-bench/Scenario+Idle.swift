import Foundation

extension Bench {
    /// Start-up, `--repeat` times, each from an empty database: process start → `READY=1`, and → the first
    /// request a simulator sees; then the idle VmHWM once every first poll is done (+ 2 s).
    func startupScenario() throws {
        let channels = try smallChannels()
        var ready: [Double] = [], first: [Double] = []
        for index in 1...options.repeats {
            channels.forEach { $0.front.clear() }
            let run = try DaemonRun(binary: daemon, channels: channels, settings: profiled(.init()), root: root)
            defer { finish(run) }
            try run.start()
            let readyAt = try run.waitReady()
            _ = try run.waitFirstPolls(timeout: 300)
            let spawned = run.child.startedAt
            ready.append(readyAt.timeIntervalSince(spawned))
            if let request = channels.compactMap({ $0.front.log.first?.arrived }).min() {
                first.append(request.timeIntervalSince(spawned))
            }
            Thread.sleep(forTimeInterval: 2)
            if let memory = run.memory() { startupMemory.append(Double(memory.hwm)) }
            noteFloorRequest(from: channels)
            progress("start-up \(index): READY \(Stats.seconds(ready.last)), first request \(Stats.seconds(first.last))")
        }
        let readyMedian = Stats.median(ready), firstMedian = Stats.median(first)
        figures.append(Figure(key: "startup_ready", label: "start-up: process start → READY=1", value: readyMedian, unit: "s",
                              shown: Stats.seconds(readyMedian), comparison: "median of \(ready.count), empty database",
                              samples: ready))
        figures.append(Figure(key: "startup_first_request", label: "start-up: process start → first poll request",
                              value: firstMedian, unit: "s", shown: Stats.seconds(firstMedian),
                              comparison: "median of \(first.count), as the simulator saw it", samples: first))
        _ = try floor()
        if !options.scenarios.contains("idle") { addIdleMemory(nil) }
    }

    /// Idle cost: after every first poll is done (+ 2 s, the import's writes settled), CPU time (utime +
    /// stime) over the idle window while each channel polls every 10 s and nothing changes; the VmHWM at
    /// its end is the idle-memory figure.
    func idleScenario() throws {
        let channels = try smallChannels()
        let run = try startedDaemon(channels)
        defer { finish(run) }
        Thread.sleep(forTimeInterval: 2)
        channels.forEach { $0.front.clear() }
        if !options.measureHook.isEmpty {
            let hook = options.measureHook + [String(run.pid)]
            _ = try Child.run("/usr/bin/env", hook, environment: ProcessInfo.processInfo.environment, outputPath: root + "/hook.out")
        }
        guard let cpu0 = run.cpuSeconds() else { throw BenchError("cannot read /proc/\(run.pid)/stat") }
        let t0 = Date()
        progress("idle: measuring CPU for \(Int(options.idleSeconds)) s")
        Thread.sleep(forTimeInterval: options.idleSeconds)
        guard let cpu1 = run.cpuSeconds() else { throw BenchError("daemon gone during the idle window") }
        let elapsed = Date().timeIntervalSince(t0)
        let percent = (cpu1 - cpu0) / elapsed * 100
        let requests = channels.reduce(0) { $0 + $1.front.log.count }
        let imported = (try? run.orderCount()) ?? 0
        figures.append(Figure(
            key: "idle_cpu", label: "idle CPU (\(channels.count) channels polling every 10 s)", value: percent, unit: "% of one core",
            shown: String(format: "%.2f %%", percent), target: "≤ 0.5 % of a core",
            comparison: String(format: "%.2f s CPU in %.0f s; %d requests served; %d orders known", cpu1 - cpu0, elapsed, requests, imported),
            verdict: Figure.judged(percent <= 0.5), samples: [cpu1 - cpu0, elapsed]))
        addIdleMemory(run.memory().map { Double($0.hwm) })
    }

    /// The idle-memory figure: the VmHWM after the idle window when it ran, else the start-up runs' median.
    func addIdleMemory(_ afterIdle: Double?) {
        let startup = Stats.median(startupMemory)
        guard let value = afterIdle ?? startup else { return }
        let (text, ok) = overFloor(value, allowance: 10)
        var context = text
        if afterIdle != nil, let startup { context += "; after first poll \(Stats.megabytes(startup))" }
        figures.append(Figure(
            key: "idle_hwm", label: "memory idle after start (VmHWM, \(Stats.count(options.small)) orders)", value: value, unit: "bytes",
            shown: Stats.megabytes(value), target: "≤ floor + 10 MB", comparison: context, verdict: Figure.judged(ok),
            samples: startupMemory + (afterIdle.map { [$0] } ?? [])))
    }
}
