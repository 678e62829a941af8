import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One line of the table (and of the JSON file).
struct Figure: Codable, Sendable {
    enum Verdict: String, Codable, Sendable { case pass = "PASS", miss = "MISS", info = "info" }

    var key: String
    var label: String
    /// The figure in `unit` (nil when it could not be measured).
    var value: Double?
    var unit: String
    var shown: String
    var target: String
    /// The comparison against the floor or the fetch limit measured in the same run, and other context.
    var comparison: String
    var verdict: Verdict
    /// Every sample behind the figure (repeats, latencies).
    var samples: [Double]

    init(key: String, label: String, value: Double?, unit: String, shown: String, target: String = "report it",
         comparison: String = "", verdict: Verdict = .info, samples: [Double] = []) {
        self.key = key; self.label = label; self.value = value; self.unit = unit; self.shown = shown; self.target = target
        self.comparison = comparison; self.verdict = verdict; self.samples = samples
    }

    static func judged(_ ok: Bool?) -> Verdict { ok.map { $0 ? .pass : .miss } ?? .miss }
}

/// The machine a run happened on.
struct Machine: Codable, Sendable {
    var cpus: Int
    var cpuModel: String
    var memory: String
    var kernel: String

    static func current() -> Machine {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingWhitespace() } ?? "" } ?? "?"
        let meminfo = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? ""
        let totalKB = meminfo.split(separator: "\n").first { $0.hasPrefix("MemTotal:") }
            .flatMap { $0.split(separator: " ").dropFirst().first.flatMap { Double($0) } } ?? 0
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return Machine(cpus: ProcessInfo.processInfo.activeProcessorCount, cpuModel: model,
                       memory: String(format: "%.1f GiB", totalKB / 1_048_576), kernel: "Linux " + release)
    }
}

/// Everything a run produced: written as `bench-results.json`.
struct BenchResults: Codable, Sendable {
    var startedAt: String
    var seconds: Double
    var machine: Machine
    var command: String
    var notes: [String]
    var figures: [Figure]
}

enum Report {
    static func table(_ results: BenchResults) -> String {
        let m = results.machine
        var out = "ordersync benchmark: \(m.cpus) CPU(s) \(m.cpuModel), \(m.memory) RAM, \(m.kernel); release build\n"
        out += "command: \(results.command)\n"
        let header = ["figure", "value", "target", "vs floor / fetch limit (same run)", "result"]
        let rows = [header] + results.figures.map { [$0.label, $0.shown, $0.target, $0.comparison, $0.verdict.rawValue] }
        let widths = (0..<header.count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for (index, row) in rows.enumerated() {
            out += row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: " | ") + "\n"
            if index == 0 { out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "-|-") + "\n" }
        }
        for note in results.notes { out += "- " + note + "\n" }
        let missed = results.figures.filter { $0.verdict == .miss }.count
        let judged = results.figures.filter { $0.verdict != .info }.count
        out += "\(judged - missed)/\(judged) targets met; \(String(format: "%.0f", results.seconds)) s\n"
        return out
    }

    static func write(_ results: BenchResults, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(results).write(to: URL(fileURLWithPath: path))
    }
}

/// Small statistics and formatting helpers.
enum Stats {
    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    /// Nearest-rank percentile (p in 0…100).
    static func percentile(_ values: [Double], _ p: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }

    static func seconds(_ value: Double?) -> String {
        guard let value else { return "n/a" }
        if value < 1 { return String(format: "%.0f ms", value * 1000) }
        return String(format: "%.2f s", value)
    }

    static func megabytes(_ bytes: Double?) -> String {
        guard let bytes else { return "n/a" }
        return String(format: "%.1f MB", bytes / 1_048_576)
    }

    static func count(_ n: Int) -> String { n >= 1000 && n % 1000 == 0 ? "\(n / 1000)k" : String(n) }
}

/// Progress lines on stderr, so stdout carries only the table.
func progress(_ text: String) {
    FileHandle.standardError.write(Data(("[bench] " + text + "\n").utf8))
}
