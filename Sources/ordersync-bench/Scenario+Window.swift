import Foundation

extension Bench {
    /// Spartoo alone, with twice its share of the largest backlog in its window: the whole window is one
    /// reply, twice the size of the one in the backlog. Memory must not grow with the size of a reply, so
    /// the VmHWM is judged against the same allowance as the backlog's.
    func windowScenario() async throws {
        guard options.channels.contains("spartoo"), let largest = options.sizes.last else { return }
        let orders = 2 * largest / options.channels.count
        progress("doubled Spartoo window: generating \(Stats.count(orders)) orders")
        let channels = try BenchChannels.setUp(["spartoo"], orders: orders, seed: 9000)
        defer { channels.forEach { $0.stop() } }
        let run = try DaemonRun(binary: daemon, channels: channels,
                                settings: profiled(.init(pollInterval: 3600, unpaced: true, httpTimeout: 600)), root: root)
        defer { finish(run) }
        progress("doubled Spartoo window: importing")
        try run.start()
        try run.waitReady()
        let done = try run.waitFirstPolls(timeout: 3600)
        let seconds = (done.values.max() ?? Date()).timeIntervalSince(run.child.startedAt)
        let hwm = run.memory().map { Double($0.hwm) }
        let stored = try run.orderCount()
        let replyBytes = channels.flatMap { $0.front.log }.map(\.bytes).max() ?? 0
        run.stop()
        run.closeDatabase()
        let (text, ok) = overFloor(hwm, allowance: 40)
        progress(String(format: "doubled Spartoo window: %d orders in %.2f s, reply %@, VmHWM %@", stored, seconds,
                        Stats.megabytes(Double(replyBytes)), Stats.megabytes(hwm)))
        figures.append(Figure(key: "window_hwm", label: "memory importing a doubled Spartoo window (VmHWM)", value: hwm,
                              unit: "bytes", shown: Stats.megabytes(hwm), target: "≤ floor + 40 MB",
                              comparison: text + String(format: "; %d orders in one reply of %@, imported in %.1f s", stored,
                                                        Stats.megabytes(Double(replyBytes)), seconds),
                              verdict: stored > 0 ? Figure.judged(ok) : .miss))
    }
}
