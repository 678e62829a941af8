import Foundation

extension Bench {
    /// One backlog run: the daemon from an empty database to every channel's first poll done, then the raw
    /// loop re-sending the same requests, in the same simulators.
    struct BacklogRun {
        var types: [String]
        var orders: Int
        var requests: Int
        var seconds: Double
        var rawSeconds: Double
        var rawFailures: Int
        var hwm: Double?
        /// The daemon's CPU time (utime + stime) for the whole import.
        var cpu: Double?
        var storage: Int?
        /// Seconds from process start until each channel's first poll was done (daemon), or its last reply (raw).
        var perChannel: [String: Double]
        var rawPerChannel: [String: Double]
        /// Seconds each simulator spent producing the daemon's replies.
        var simulatorPerChannel: [String: Double]
        var ratio: Double { rawSeconds / seconds }
    }

    /// Backlog import at each `--sizes` value (orders spread evenly over the channels): the smaller sizes
    /// `--repeat` times, the largest once; growth (largest ÷ smallest), VmHWM during the largest import, and
    /// storage per order after it (database + WAL once checkpointed). A channel whose first poll fails is
    /// reported (the figure is a MISS) and left out of that size and the larger ones, so the others still
    /// give figures; growth then compares the channels both sizes imported.
    func backlogScenario() async throws {
        let sizes = options.sizes
        var runs: [Int: [BacklogRun]] = [:]
        var failed: [String: (size: Int, message: String)] = [:]
        for size in sizes {
            let repeats = size == sizes.last && sizes.count > 1 ? 1 : options.repeats
            for index in 1...repeats {
                var types = options.channels.filter { failed[$0] == nil }
                while true {
                    guard !types.isEmpty else { throw BenchError("no channel could import \(Stats.count(size)) orders") }
                    progress("backlog \(Stats.count(size)) run \(index)/\(repeats) over \(types.joined(separator: ", ")): generating orders")
                    do {
                        let run = try await backlog(size: size, types: types, storage: size == sizes.last)
                        runs[size, default: []].append(run)
                        log(run, size: size)
                        break
                    } catch let failure as PollFailure {
                        let type = types.first { BenchChannels.ids[$0] == failure.channel } ?? failure.channel
                        progress("backlog \(Stats.count(size)): \(failure); again without \(type)")
                        failed[type] = (size, failure.message)
                        types.removeAll { $0 == type }
                    }
                }
            }
        }
        for size in sizes { addBacklogFigure(size: size, list: runs[size] ?? [], failed: failed) }
        addGrowth(sizes: sizes, runs: runs)
        if let largest = runs[sizes[sizes.count - 1]]?.first {
            let (text, ok) = overFloor(largest.hwm, allowance: 40)
            let over = largest.types.count < options.channels.count ? " (\(largest.types.joined(separator: ", ")) only)" : ""
            figures.append(Figure(key: "backlog_hwm", label: "memory during the \(Stats.count(sizes.last!)) backlog (VmHWM)",
                                  value: largest.hwm, unit: "bytes", shown: Stats.megabytes(largest.hwm), target: "≤ floor + 40 MB",
                                  comparison: text + over, verdict: Figure.judged(ok)))
            if let bytes = largest.storage, largest.orders > 0 {
                let perOrder = Double(bytes) / Double(largest.orders)
                figures.append(Figure(
                    key: "storage_per_order", label: "storage per order after \(Stats.count(sizes.last!))", value: perOrder, unit: "bytes",
                    shown: String(format: "%.2f KB", perOrder / 1024), target: "≤ 6 KB",
                    comparison: String(format: "%@ for %d orders (database + WAL after checkpoint, raw payloads included)",
                                       Stats.megabytes(Double(bytes)), largest.orders),
                    verdict: Figure.judged(perOrder <= 6 * 1024)))
            }
        }
    }

    private func log(_ run: BacklogRun, size: Int) {
        progress(String(format: "backlog %@: daemon %.2f s (CPU %.2f s), raw %.2f s (ratio %.2f), %d orders, %d requests, VmHWM %@",
                        Stats.count(size), run.seconds, run.cpu ?? -1, run.rawSeconds, run.ratio, run.orders, run.requests,
                        Stats.megabytes(run.hwm)))
        for (channel, seconds) in run.perChannel.sorted(by: { $0.key < $1.key }) {
            progress(String(format: "  %@: daemon %.2f s, raw %.2f s, simulator busy %.2f s", channel, seconds,
                            run.rawPerChannel[channel] ?? 0, run.simulatorPerChannel[channel] ?? 0))
        }
    }

    static let backlogTarget = "≥ 0.8× raw or ≤ 0.15 ms CPU/order"

    private func addBacklogFigure(size: Int, list: [BacklogRun], failed: [String: (size: Int, message: String)]) {
        let failures = failed.filter { $0.value.size <= size }.sorted { $0.key < $1.key }
        guard let first = list.first, let seconds = Stats.median(list.map(\.seconds)),
              let raw = Stats.median(list.map(\.rawSeconds)), let ratio = Stats.median(list.map(\.ratio)) else {
            figures.append(Figure(key: "backlog_\(Stats.count(size))", label: "backlog import \(Stats.count(size)) orders", value: nil,
                                  unit: "s", shown: "failed", target: Self.backlogTarget,
                                  comparison: failures.map { "\($0.key): \($0.value.message)" }.joined(separator: "; "), verdict: .miss))
            return
        }
        let cpu = Stats.median(list.compactMap(\.cpu)) ?? 0
        // The target (issue 17): the fetch limit's pace, or at most 0.15 ms of the daemon's CPU per order
        // (the simulators share the CPUs with the daemon, so a lean daemon can still trail the bare fetch).
        let cpuPerOrder = cpu / Double(max(1, first.orders))
        var context = String(format: "%.2f× raw (raw %.2f s); daemon CPU %.2f s, %.3f ms per order; %d orders, %d requests, %.0f orders/s",
                             ratio, raw, cpu, cpuPerOrder * 1000, first.orders, first.requests, Double(first.orders) / seconds)
        if let slowest = first.perChannel.max(by: { $0.value < $1.value }) {
            context += String(format: "; slowest %@ %.2f s (raw %.2f s, simulator busy %.2f s)", slowest.key, slowest.value,
                              first.rawPerChannel[slowest.key] ?? 0, first.simulatorPerChannel[slowest.key] ?? 0)
        }
        if list.contains(where: { $0.rawFailures > 0 }) { context += "; raw loop had failed requests" }
        if list.count > 1 { context += "; median of \(list.count)" }
        for (type, failure) in failures {
            context += "; \(type) left out: \(failure.message)"
        }
        figures.append(Figure(key: "backlog_\(Stats.count(size))", label: "backlog import \(Stats.count(size)) orders", value: seconds,
                              unit: "s", shown: Stats.seconds(seconds), target: Self.backlogTarget, comparison: context,
                              verdict: Figure.judged((ratio >= 0.8 || (cpu > 0 && cpuPerOrder <= 0.000_15)) && failures.isEmpty),
                              samples: list.map(\.seconds) + list.map(\.rawSeconds)))
    }

    /// Growth over the channels both the smallest and the largest size imported (per-channel finish times).
    private func addGrowth(sizes: [Int], runs: [Int: [BacklogRun]]) {
        guard sizes.count > 1, let small = runs[sizes[0]], let large = runs[sizes[sizes.count - 1]],
              let smallTypes = small.first?.perChannel.keys, let largeTypes = large.first?.perChannel.keys else { return }
        let common = Set(smallTypes).intersection(largeTypes)
        guard !common.isEmpty else { return }
        func finish(_ list: [BacklogRun], _ path: KeyPath<BacklogRun, [String: Double]>) -> Double? {
            Stats.median(list.map { run in common.compactMap { run[keyPath: path][$0] }.max() ?? 0 })
        }
        guard let a = finish(small, \.perChannel), let b = finish(large, \.perChannel),
              let rawA = finish(small, \.rawPerChannel), let rawB = finish(large, \.rawPerChannel) else { return }
        let growth = b / a
        let scale = Double(sizes[sizes.count - 1]) / Double(sizes[0])
        var context = String(format: "raw fetch of the same pages grows %.1f×", rawB / rawA)
        if common.count < options.channels.count { context += " (\(common.sorted().joined(separator: ", ")) only)" }
        func cpuPerOrder(_ list: [BacklogRun]) -> Double? {
            Stats.median(list.compactMap { run in run.cpu.map { $0 / Double(max(1, run.orders)) } })
        }
        if let cpuA = cpuPerOrder(small), let cpuB = cpuPerOrder(large) {
            context += String(format: "; daemon CPU per order %.2f ms → %.2f ms", cpuA * 1000, cpuB * 1000)
        }
        figures.append(Figure(
            key: "growth", label: "growth \(Stats.count(sizes.last!)) time ÷ \(Stats.count(sizes[0])) time", value: growth, unit: "×",
            shown: String(format: "%.1f×", growth), target: String(format: "≤ %.0f", scale * 1.1), comparison: context,
            verdict: Figure.judged(growth <= scale * 1.1)))
    }

    private func backlog(size: Int, types: [String], storage: Bool) async throws -> BacklogRun {
        // Each channel keeps its share of `size` when another is left out, so per-channel growth stays comparable.
        let channels = try BenchChannels.setUp(types, orders: size * types.count / options.channels.count,
                                               seed: 1000 + UInt64(size))
        defer { channels.forEach { $0.stop() } }
        let run = try DaemonRun(binary: daemon, channels: channels,
                                settings: profiled(.init(pollInterval: 3600, unpaced: true, httpTimeout: 300)), root: root)
        defer { finish(run) }
        progress("backlog \(Stats.count(size)): importing")
        try run.start()
        try run.waitReady()
        let done = try run.waitFirstPolls(timeout: 3600)
        let spawned = run.child.startedAt
        let seconds = (done.values.max() ?? Date()).timeIntervalSince(spawned)
        let hwm = run.memory().map { Double($0.hwm) }
        let cpu = run.cpuSeconds()
        let orders = try run.orderCount()
        let plans = run.plans()
        let simulator = run.simulatorSeconds()
        run.stop()
        let bytes = storage ? try run.storageBytes() : nil
        run.closeDatabase()
        channels.forEach { $0.front.clear() }
        progress("backlog \(Stats.count(size)): raw fetch of the same \(plans.reduce(0) { $0 + $1.requests.count }) requests")
        let raw = await RawFetch.replay(plans)
        return BacklogRun(types: types, orders: orders, requests: raw.requests, seconds: seconds, rawSeconds: raw.seconds,
                          rawFailures: raw.failures, hwm: hwm, cpu: cpu, storage: bytes,
                          perChannel: done.mapValues { $0.timeIntervalSince(spawned) }, rawPerChannel: raw.perChannel,
                          simulatorPerChannel: simulator)
    }
}
