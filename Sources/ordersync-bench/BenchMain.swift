import Connectors
import Foundation
import OrderSync

/// `ordersync-bench`: runs the built release daemon (`ordersync`, beside this executable) against the
/// project's simulators on 127.0.0.1 and prints one table, plus `bench-results.json`. A benchmark, not a
/// test: it judges each figure PASS or MISS against the targets of issue 8 and always exits 0 unless it
/// could not run.
@main
struct BenchMain {
    static let usage = """
        usage: ordersync-bench [--out FILE] [--repeat N] [--quick] [--scenarios LIST] [--channels LIST]
                               [--sizes N,N] [--small N] [--idle-seconds N] [--daemon PATH] [--keep]
                               [--wrap "CMD ARGS"] [--measure-hook "CMD ARGS"] [--daemon-in-bench]
               ordersync-bench --floor URL [--header "Name: value"]...
          --scenarios   any of startup,backlog,poll,push,idle,window (default: all; window: Spartoo alone with
                        twice its share of the largest backlog in one reply)
          --channels    any of \(BenchChannels.available.joined(separator: ",")) (default: all)
          --repeat      runs of the short, noisy figures (start-up, floor, 10k backlog); median shown (default 3)
          --sizes       backlog sizes (default 10000,100000; the largest runs once)
          --small       orders behind the start-up, latency and idle scenarios (default 1000)
          --quick       smoke run: 10k backlog only, 20 s idle window
          --wrap        run the daemon under a command, e.g. "valgrind --tool=callgrind --collect-atstart=no"
          --measure-hook  run "CMD ARGS PID" when the idle window starts, e.g. "callgrind_control -i on"
          --daemon-in-bench  run the daemon as `ordersync-bench --as-daemon` (same OrderSync code, synchronous
                        main: Valgrind can run it, it cannot run `ordersync`'s async main)
          --floor URL   internal: be the bare Foundation + URLSession memory floor process
        """

    /// Synchronous on purpose: an `async` main ends in `dispatch_main`, which Valgrind 3.19 cannot run
    /// (it crashes in libdispatch's signal thread), and `--as-daemon` exists to run under Valgrind.
    static func main() {
        ChannelRegistry.install(StandardChannels.definitions)
        var arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "--as-daemon" {
            // `ordersync-bench --as-daemon --config PATH run`: the daemon (the same OrderSync code as
            // `ordersync run`) in this process, for profilers; see `--daemon-in-bench`.
            guard arguments.count == 4, arguments[1] == "--config", arguments[3] == "run" else { exit(64) }
            let path = arguments[2]
            blocking {
                var options = Daemon.Options(configPath: path, environment: ProcessInfo.processInfo.environment,
                                             onStopOverdue: { exit(0) })
                options.repliesAsTemporaryDirectory = true
                let code = await Daemon(options: options).run()
                exit(code.rawValue)
            }
        }
        if let index = arguments.firstIndex(of: "--floor"), index + 1 < arguments.count, let url = URL(string: arguments[index + 1]) {
            var headers: [String] = []
            while let h = arguments.firstIndex(of: "--header"), h + 1 < arguments.count {
                headers.append(arguments[h + 1])
                arguments.removeSubrange(h...(h + 1))
            }
            let given = headers
            blocking { await Floor.run(url: url, headers: given) }
        }
        do {
            let options = try BenchOptions(arguments)
            let bench = try Bench(options: options)
            blocking { await bench.run() }
        } catch {
            FileHandle.standardError.write(Data("ordersync-bench: \(error)\n\(usage)\n".utf8))
            exit(64)
        }
    }

    /// Runs `body` on the global executor and waits for it on the main thread.
    static func blocking(_ body: @escaping @Sendable () async -> Void) {
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            await body()
            done.signal()
        }
        done.wait()
    }
}

struct BenchOptions: Sendable {
    var out = "bench-results.json"
    var repeats = 3
    var quick = false
    var scenarios: Set<String> = BenchOptions.allScenarios
    var channels = BenchChannels.available
    var sizes = [10_000, 100_000]
    var small = 1_000
    var idleSeconds: Double = 60
    var daemon: String?
    var keep = false
    /// A command prefix for the daemon (profilers); its figures are then for profiling only.
    var wrap: [String] = []
    /// Run with the daemon's pid appended when the idle window starts.
    var measureHook: [String] = []
    /// Run the daemon as `ordersync-bench --as-daemon` (for Valgrind).
    var daemonInBench = false

    static let allScenarios: Set<String> = ["startup", "backlog", "poll", "push", "idle", "window"]

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        func value(_ flag: String) throws -> String {
            guard let next = rest.popFirst() else { throw BenchError("\(flag) needs a value") }
            return next
        }
        func list(_ flag: String) throws -> [String] {
            try value(flag).split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        }
        var sizesGiven = false, idleGiven = false
        while let flag = rest.popFirst() {
            switch flag {
            case "--out": out = try value(flag)
            case "--repeat":
                guard let n = Int(try value(flag)), n >= 1 else { throw BenchError("--repeat needs a positive integer") }
                repeats = n
            case "--quick": quick = true
            case "--scenarios":
                let chosen = Set(try list(flag))
                let unknown = chosen.subtracting(Self.allScenarios)
                guard unknown.isEmpty else { throw BenchError("unknown scenario(s): \(unknown.sorted().joined(separator: ", "))") }
                scenarios = chosen
            case "--channels":
                channels = try list(flag)
                for type in channels where !BenchChannels.available.contains(type) {
                    throw BenchError("no simulator for channel type \(type)")
                }
            case "--sizes":
                sizes = try list(flag).map { guard let n = Int($0), n > 0 else { throw BenchError("bad size \($0)") }; return n }.sorted()
                sizesGiven = true
            case "--small":
                guard let n = Int(try value(flag)), n >= 30 else { throw BenchError("--small needs at least 30") }
                small = n
            case "--idle-seconds":
                guard let n = Double(try value(flag)), n >= 10 else { throw BenchError("--idle-seconds needs at least 10") }
                idleSeconds = n
                idleGiven = true
            case "--daemon": daemon = try value(flag)
            case "--keep": keep = true
            case "--daemon-in-bench": daemonInBench = true
            case "--wrap": wrap = try value(flag).split(separator: " ").map(String.init)
            case "--measure-hook": measureHook = try value(flag).split(separator: " ").map(String.init)
            case "-h", "--help":
                print(BenchMain.usage)
                exit(0)
            default: throw BenchError("unknown argument \(flag)")
            }
        }
        if quick {
            if !sizesGiven { sizes = [10_000] }
            if !idleGiven { idleSeconds = 20 }
        }
        guard !channels.isEmpty else { throw BenchError("--channels is empty") }
    }
}
