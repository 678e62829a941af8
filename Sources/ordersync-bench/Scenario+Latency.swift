import Foundation
import OrderSync

extension Bench {
    /// Poll-to-store: new orders appear in the simulators (one every 0.1–0.5 s, channels in turn) while the
    /// daemon polls every 10 s. For each, the latency runs from the arrival of the first request whose reply
    /// listed it (the poll that saw it) to the moment its row is visible in the database (checked every 5 ms).
    func pollScenario() throws {
        let channels = try smallChannels()
        let run = try startedDaemon(channels)
        defer { finish(run) }
        let db = try run.db()
        var lastRow = Int64(try db.query("SELECT MAX(rowid) AS r FROM orders").first?.int("r") ?? 0)
        var created: [String: Date] = [:]
        var stored: [String: Date] = [:]
        let window: TimeInterval = options.quick ? 15 : 30
        let end = Date().addingTimeInterval(window)
        let giveUp = end.addingTimeInterval(25)
        var nextOrder = Date()
        var turn = 0
        progress("poll-to-store: creating orders for \(Int(window)) s")
        while Date() < giveUp {
            let now = Date()
            if now < end, now >= nextOrder {
                let channel = channels[turn % channels.count]
                turn += 1
                let order = channel.newOrder()
                let key = channel.id + ":" + order.externalID
                channel.front.watch(key, marker: order.marker)
                created[key] = Date()
                nextOrder = Date().addingTimeInterval(Double.random(in: 0.1...0.5))
            }
            for row in try db.query("SELECT rowid AS r, channel, external_id FROM orders WHERE rowid > ? ORDER BY rowid", [.int(lastRow)]) {
                lastRow = max(lastRow, Int64(row.int("r") ?? 0))
                let key = (row.string("channel") ?? "") + ":" + (row.string("external_id") ?? "")
                if created[key] != nil, stored[key] == nil { stored[key] = Date() }
            }
            if now >= end, stored.count == created.count { break }
            Thread.sleep(forTimeInterval: 0.005)
        }
        var latencies: [Double] = [], waits: [Double] = []
        var unseen = 0
        for (key, at) in stored {
            let channel = channels.first { key.hasPrefix($0.id + ":") }
            guard let served = channel?.front.hit(key) else { unseen += 1; continue }
            latencies.append(at.timeIntervalSince(served))
            if let made = created[key] { waits.append(at.timeIntervalSince(made)) }
        }
        let p99 = Stats.percentile(latencies, 99), median = Stats.median(latencies)
        var context = "median \(Stats.seconds(median)), \(latencies.count) orders; created → stored median "
            + "\(Stats.seconds(Stats.median(waits))) (waits for the 10 s poll)"
        if created.count > stored.count { context += "; \(created.count - stored.count) never stored" }
        if unseen > 0 { context += "; \(unseen) stored without a reply listing them" }
        figures.append(Figure(key: "poll_to_store", label: "poll-to-store p99 (reply listing the order → row)", value: p99,
                              unit: "s", shown: Stats.seconds(p99), target: "≤ 1 s", comparison: context,
                              verdict: Figure.judged(p99.map { $0 <= 1 && created.count == stored.count }), samples: latencies))
    }

    /// Push latency: `ordersync ship` on orders awaiting shipment, one at a time, channels in turn, the daemon
    /// otherwise idle (polling every 10 s, channel pacing as configured). From the CLI's exit to the arrival
    /// of the push (the first write for that order) at the simulator.
    func pushScenario() throws {
        let channels = try smallChannels()
        let run = try startedDaemon(channels)
        defer { finish(run) }
        let db = try run.db()
        let perChannel = options.quick ? 5 : 15
        var candidates: [String: [String]] = [:]
        for channel in channels {
            candidates[channel.id] = try db.query("""
                SELECT external_id FROM orders WHERE channel = ? AND status = 'awaiting_shipment' ORDER BY external_id LIMIT ?
                """, [.text(channel.id), .int(Int64(perChannel))]).compactMap { $0.string("external_id") }
        }
        var latencies: [Double] = []
        var perType: [String: [Double]] = [:]
        var failures: [String] = []
        progress("push: shipping up to \(perChannel) orders per channel")
        for index in 0..<perChannel {
            for channel in channels {
                guard let list = candidates[channel.id], index < list.count else { continue }
                let externalID = list[index]
                let ref = "\(channel.id):\(externalID)"
                let seen = channel.front.count
                let cli = try run.cli(["ship", ref, "--tracking", "6ABENCH\(index)\(channel.type.prefix(2).uppercased())"])
                guard let exit = cli.termination, exit.code == 0 else {
                    failures.append("ship \(ref) exited \(cli.termination?.code ?? -1)")
                    continue
                }
                var pushedAt: Date?
                let deadline = Date().addingTimeInterval(15)
                while pushedAt == nil, Date() < deadline {
                    pushedAt = channel.front.log(after: seen).first { channel.isPush($0.request, externalID: externalID) }?.arrived
                    if pushedAt == nil { Thread.sleep(forTimeInterval: 0.002) }
                }
                guard let pushedAt else {
                    failures.append("no push for \(ref) within 15 s")
                    continue
                }
                let latency = pushedAt.timeIntervalSince(exit.at)
                latencies.append(latency)
                perType[channel.type, default: []].append(latency)
                // De-phase the next sample from the pusher's queue tick.
                Thread.sleep(forTimeInterval: Double.random(in: 0.05...0.6))
            }
        }
        let p99 = Stats.percentile(latencies, 99)
        var context = "median \(Stats.seconds(Stats.median(latencies))), \(latencies.count) pushes; p99 "
            + perType.keys.sorted().map { "\($0) \(Stats.seconds(Stats.percentile(perType[$0]!, 99)))" }.joined(separator: ", ")
        if !failures.isEmpty { context += "; failures: " + failures.prefix(3).joined(separator: "; ") }
        figures.append(Figure(key: "push_latency", label: "push latency p99 (ship exits → push received)", value: p99, unit: "s",
                              shown: Stats.seconds(p99), target: "≤ 1 s", comparison: context,
                              verdict: Figure.judged(p99.map { $0 <= 1 && failures.isEmpty }), samples: latencies))
    }
}
