import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An error that ends the benchmark (or one scenario) with a message.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A child process started with `posix_spawn`, its exit observed by a thread blocked in `waitpid`, so the
/// exit time is exact (the push-latency clock starts there). Output (stdout and stderr) goes to a file.
final class Child: @unchecked Sendable {
    let pid: pid_t
    /// Wall-clock time just before `posix_spawn`.
    let startedAt: Date
    let outputPath: String
    private let lock = NSLock()
    private var exit: (status: Int32, at: Date)?
    private let exited = DispatchSemaphore(value: 0)

    init(path: String, arguments: [String], environment: [String: String], outputPath: String) throws {
        self.outputPath = outputPath
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        startedAt = Date()
        let rc = posix_spawn(&child, path, &actions, nil, argv, envp)
        guard rc == 0 else { throw BenchError("cannot start \(path): \(String(cString: strerror(rc)))") }
        pid = child
        let spawned = child
        let thread = Thread { [self] in
            var status: Int32 = 0
            while waitpid(spawned, &status, 0) == -1 && errno == EINTR {}
            let at = Date()
            lock.withLock { exit = (status, at) }
            exited.signal()
        }
        thread.name = "bench.wait.\(child)"
        thread.start()
    }

    var isRunning: Bool { lock.withLock { exit == nil } }

    /// The exit time and code (128 + signal for a signalled process), once exited.
    var termination: (code: Int32, at: Date)? {
        lock.withLock {
            guard let exit else { return nil }
            let signal = exit.status & 0x7f
            return (signal == 0 ? (exit.status >> 8) & 0xff : 128 + signal, exit.at)
        }
    }

    /// Waits for the exit; returns false on timeout.
    @discardableResult
    func wait(timeout: TimeInterval) -> Bool {
        if !isRunning { return true }
        guard exited.wait(timeout: .now() + timeout) == .success else { return false }
        exited.signal()  // later waiters return at once
        return true
    }

    /// SIGTERM, then SIGKILL if it has not exited within `grace` seconds. Its own children get the same
    /// signals: under `--wrap` the child is the wrapper (heaptrack's script, say), which does not pass a
    /// signal on, and the daemon it ran was left running, its profile never written.
    func stop(grace: TimeInterval = 12) {
        guard isRunning else { return }
        let family = [pid] + Proc.descendants(of: pid)
        family.forEach { kill($0, SIGTERM) }
        if !wait(timeout: grace) {
            family.forEach { kill($0, SIGKILL) }
            wait(timeout: 5)
        }
        // The wrapped daemon may outlive the wrapper: give it the same grace.
        let deadline = Date().addingTimeInterval(grace)
        for member in family.dropFirst() {
            while kill(member, 0) == 0, Date() < deadline { usleep(20_000) }
            kill(member, SIGKILL)
        }
    }

    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// Runs a program to completion (at most `timeout` seconds) and returns it, exited.
    static func run(_ path: String, _ arguments: [String], environment: [String: String], outputPath: String,
                    timeout: TimeInterval = 60) throws -> Child {
        let child = try Child(path: path, arguments: arguments, environment: environment, outputPath: outputPath)
        if !child.wait(timeout: timeout) {
            kill(child.pid, SIGKILL)
            child.wait(timeout: 5)
            throw BenchError("\(path) \(arguments.joined(separator: " ")) did not finish within \(Int(timeout)) s")
        }
        return child
    }
}

/// What `/proc` says about a process: peak and current resident memory, CPU time used.
enum Proc {
    /// The processes descended from `pid` (children, their children, …), read from `/proc/*/stat`.
    static func descendants(of pid: pid_t) -> [pid_t] {
        var parents: [pid_t: [pid_t]] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let child = pid_t(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // After "pid (comm) ": the state, then the parent's pid.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = pid_t(fields[1]) { parents[parent, default: []].append(child) }
        }
        var found: [pid_t] = []
        var queue = parents[pid] ?? []
        while let next = queue.popLast() {
            found.append(next)
            queue += parents[next] ?? []
        }
        return found
    }

    /// `VmHWM` and `VmRSS` in bytes (nil when the process is gone).
    static func memory(_ pid: pid_t) -> (hwm: Int, rss: Int)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        var hwm: Int?, rss: Int?
        for line in text.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count >= 2, let kb = Int(parts[1]) else { continue }
            if parts[0] == "VmHWM:" { hwm = kb * 1024 }
            if parts[0] == "VmRSS:" { rss = kb * 1024 }
        }
        guard let hwm, let rss else { return nil }
        return (hwm, rss)
    }

    /// utime + stime in seconds, from `/proc/PID/stat` (fields 14 and 15, counted after the `comm` field).
    static func cpuSeconds(_ pid: pid_t) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state): utime is field 14 → index 11, stime field 15 → index 12.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The running executable's own path.
    static var selfExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
