import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// One parser under fuzz: a name (its fixture directory), the format its inputs are in, and how to run
/// one input.
struct FuzzTarget {
    /// The directory under `Tests/Fixtures/fuzz/`, and the name printed.
    let name: String
    let format: FuzzFormat
    /// Seeds that live elsewhere (`Config/*.json`, `Tests/Fixtures/<channel>/`), added to the `seed-*` files.
    var extraSeeds: [[UInt8]] = []
    /// Returns when the input was accepted, throws when it was rejected; throws ``FuzzViolation`` when a
    /// promise of the parser does not hold (a round trip, an error's shape).
    let run: ([UInt8]) throws -> Void
}

/// A broken promise (as opposed to a rejected input): fails the test.
struct FuzzViolation: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// What one target's run did; `summary` is the line printed.
struct FuzzReport {
    var target: String
    /// The run's seed (`ORDERSYNC_FUZZ_SEED` repeats the run) and this target's stream derived from it.
    var seed: UInt64
    var stream: UInt64
    var replayed = 0
    var mutated = 0
    var parsed = 0
    var rejected = 0
    var maxNanos: UInt64 = 0
    var slowest = ""
    var totalNanos: UInt64 = 0
    /// Time spent making inputs (the rest of ``totalNanos`` is the target's).
    var mutatingNanos: UInt64 = 0
    var failures: [String] = []

    var inputs: Int { replayed + mutated }

    var summary: String {
        String(format: "fuzz %@: ORDERSYNC_FUZZ_SEED=0x%@ (stream 0x%@), %d inputs (%d replayed, %d mutated): "
               + "%d parsed, %d rejected, max %.2f ms per input (%@), %.1f s in all (%.1f s making inputs)",
               target, FNV.hex(seed), FNV.hex(stream), inputs, replayed, mutated, parsed, rejected,
               Double(maxNanos) / 1e6, slowest, Double(totalNanos) / 1e9, Double(mutatingNanos) / 1e9)
    }
}

/// Runs a target: first every saved crasher (`crash-*`, `hang-*`, `fail-*`) and seed (`seed-*`) of
/// `Tests/Fixtures/fuzz/<target>/`, then `ORDERSYNC_FUZZ_ITERATIONS` mutated inputs from the seeded
/// mutation engine. Every input must return or throw within ``slowInputSeconds``; the crash handler and
/// watchdog of ``FuzzGuard`` catch the rest.
///
/// `ORDERSYNC_FUZZ_SEED` (decimal or 0x-hex) repeats another run; the seed is printed with the figures.
enum FuzzRunner {
    /// The per-input limit: slower is a failure (and the input is saved as `hang-*`).
    static let slowInputSeconds = 1.0
    /// Stop a target after this many failures (the first ones tell the story).
    static let maximumFailures = 20
    /// The run's seed when `ORDERSYNC_FUZZ_SEED` is not set: fixed, so CI is deterministic.
    static let defaultSeed: UInt64 = 0x0D5E_ED00_0000_0007

    /// Debug builds (CI's `swift test`) run ``debugIterations`` per target to keep the whole target near
    /// half a minute on 2 cores; release builds run the full 100,000:
    /// `ORDERSYNC_FUZZ_ITERATIONS=100000 swift test -c release --filter FuzzTests`.
    static let debugIterations = 4_000
    static let releaseIterations = 100_000

    static var iterations: Int {
        if let text = ProcessInfo.processInfo.environment["ORDERSYNC_FUZZ_ITERATIONS"], let n = Int(text), n >= 0 { return n }
        #if DEBUG
        return debugIterations
        #else
        return releaseIterations
        #endif
    }

    static var seed: UInt64 {
        guard let text = ProcessInfo.processInfo.environment["ORDERSYNC_FUZZ_SEED"]?.lowercased(), !text.isEmpty else {
            return defaultSeed
        }
        if text.hasPrefix("0x") { return UInt64(text.dropFirst(2), radix: 16) ?? defaultSeed }
        return UInt64(text) ?? defaultSeed
    }

    /// `Tests/Fixtures/fuzz`, found from this file's path.
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/fuzz", isDirectory: true)

    static func directory(_ target: String) -> URL { fixtures.appendingPathComponent(target, isDirectory: true) }

    /// Files of a target's fixture directory whose names start with one of `prefixes`, sorted by name.
    static func files(_ target: String, prefixes: [String]) -> [(name: String, bytes: [UInt8])] {
        let dir = directory(target)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
        return names.filter { name in prefixes.contains { name.hasPrefix($0) } }.compactMap { name in
            FileManager.default.contents(atPath: dir.appendingPathComponent(name).path).map { (name, Array($0)) }
        }
    }

    /// Runs `target` and prints its figures; the caller asserts on the report.
    static func run(_ target: FuzzTarget) -> FuzzReport {
        let stream = SplitMix64.derive(Self.seed, target.name)
        var report = FuzzReport(target: target.name, seed: Self.seed, stream: stream)
        let dir = directory(target.name)
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        FuzzGuard.prepare(directory: dir.path, fileExtension: target.format.fileExtension)
        let started = FuzzClock.nanoseconds()

        let regressions = files(target.name, prefixes: ["crash-", "hang-", "fail-"])
        let seedFiles = files(target.name, prefixes: ["seed-"])
        for (name, bytes) in regressions + seedFiles {
            report.replayed += 1
            execute(target, bytes, label: name, into: &report)
        }
        let corpus = seedFiles.map(\.bytes) + target.extraSeeds
        guard !corpus.isEmpty else {
            report.failures.append("no seeds: add seed-* files to \(dir.path)")
            return report
        }
        for bytes in target.extraSeeds {
            report.replayed += 1
            execute(target, bytes, label: "extra seed", into: &report)
        }

        let mutator = Mutator(format: target.format, seeds: corpus)
        var rng = SplitMix64(seed: stream)
        // Inputs that were accepted become bases too, so mutations go more than one step deep.
        var pool = corpus
        let poolLimit = 256
        // JSON bases parsed once, by pool index (tree-level mutations start from them).
        var trees: [Int: FuzzTree?] = [:]
        for index in 0..<iterations where report.failures.count < maximumFailures {
            let making = FuzzClock.nanoseconds()
            let pick = rng.below(pool.count)
            let base = pool[pick]
            var tree: FuzzTree?
            if target.format == .json {
                if let cached = trees[pick] {
                    tree = cached
                } else {
                    tree = (try? JSONValue.parse(Data(base))).map(FuzzTree.init)
                    trees[pick] = .some(tree)
                }
            }
            let (bytes, steps) = mutator.mutate(base, tree: tree, other: rng.pick(corpus), rng: &rng)
            report.mutatingNanos += FuzzClock.nanoseconds() - making
            report.mutated += 1
            let accepted = execute(target, bytes, label: "#\(index) " + steps.joined(separator: ","), into: &report)
            if accepted && bytes.count < 16 * 1024 {
                if pool.count < poolLimit {
                    pool.append(bytes)
                } else if poolLimit > corpus.count {
                    let replaced = corpus.count + rng.below(poolLimit - corpus.count)
                    pool[replaced] = bytes
                    trees[replaced] = nil
                }
            }
        }
        report.totalNanos = FuzzClock.nanoseconds() - started
        print(report.summary)
        for failure in report.failures { print("  " + failure) }
        return report
    }

    /// Whether `bytes` stays over ``slowInputSeconds`` on each of `times` more runs.
    private static func slowAgain(_ target: FuzzTarget, _ bytes: [UInt8], times: Int) -> Bool {
        for _ in 0..<times {
            FuzzGuard.begin(bytes)
            let start = FuzzClock.nanoseconds()
            _ = try? target.run(bytes)
            let nanos = FuzzClock.nanoseconds() - start
            FuzzGuard.end()
            if Double(nanos) / 1e9 <= slowInputSeconds { return false }
        }
        return true
    }

    /// Runs one input; true when it was accepted.
    @discardableResult
    private static func execute(_ target: FuzzTarget, _ bytes: [UInt8], label: String, into report: inout FuzzReport) -> Bool {
        FuzzGuard.begin(bytes)
        let start = FuzzClock.nanoseconds()
        var accepted = false
        var violation: FuzzViolation?
        do {
            try target.run(bytes)
            accepted = true
        } catch let error as FuzzViolation {
            violation = error
        } catch {
            accepted = false
        }
        let nanos = FuzzClock.nanoseconds() - start
        FuzzGuard.end()
        if accepted { report.parsed += 1 } else { report.rejected += 1 }
        if nanos > report.maxNanos {
            report.maxNanos = nanos
            report.slowest = label.count > 60 ? String(label.prefix(60)) + "…" : label
        }
        // A shared machine can stall any one run; an input is slow only when two more runs are slow too.
        if Double(nanos) / 1e9 > slowInputSeconds, slowAgain(target, bytes, times: 2) {
            let saved = save(bytes, target: target, prefix: "hang-")
            report.failures.append(String(format: "input %@ took %.2f s (limit 1 s); saved as %@", label, Double(nanos) / 1e9, saved))
        }
        if let violation {
            let saved = save(bytes, target: target, prefix: "fail-")
            report.failures.append("input \(label): \(violation); saved as \(saved)")
        }
        return accepted
    }

    /// Writes a failing input into the target's fixture directory (else the temp directory); returns the path.
    static func save(_ bytes: [UInt8], target: FuzzTarget, prefix: String) -> String {
        let name = prefix + FNV.hex(FNV.hash(bytes)) + "." + target.format.fileExtension
        for dir in [directory(target.name), URL(fileURLWithPath: NSTemporaryDirectory())] {
            let url = dir.appendingPathComponent(name)
            if (try? Data(bytes).write(to: url)) != nil { return url.path }
        }
        return "(not saved)"
    }

    /// Runs the target and fails the test on any failure, naming each.
    static func check(_ target: FuzzTarget, file: StaticString = #filePath, line: UInt = #line) {
        let report = run(target)
        XCTAssertGreaterThan(report.mutated + report.replayed, 0, file: file, line: line)
        for failure in report.failures { XCTFail("fuzz \(target.name): \(failure)", file: file, line: line) }
    }
}
