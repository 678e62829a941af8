import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs an alert command: argv with the alert on stdin, output discarded, killed (its whole process group)
/// once the time limit passes. The command's stdin is a socket written with `MSG_NOSIGNAL`, so a command
/// that exits without reading cannot raise SIGPIPE in the daemon.
enum AlertCommand {
    /// Why a run did not succeed; the text names no argument (an argument could hold anything).
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `argv` to completion or until `timeout`; succeeds on exit status 0.
    static func run(_ argv: [String], input: Data, timeout: TimeInterval) async -> Result<Void, Failure> {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            return .failure(Failure(description: "socketpair failed (errno \(errno))"))
        }
        let (parentEnd, childEnd) = (fds[0], fds[1])
        defer { close(parentEnd) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, childEnd, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // Nothing else of the daemon's goes with it (the database, the log, a supervisor's pipe that would
        // keep the daemon looking alive while the command runs). glibc ignores a close of a descriptor that
        // was closed meanwhile.
        for fd in openDescriptors() where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group (so a shell's children are killed with it); the signals the daemon ignores
        // or handles are back at their defaults in the command.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD] { sigaddset(&defaults, sig) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var pid: pid_t = 0
        let cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        // Only what a mailer or a shell needs: the daemon's environment may hold secrets (`*_env` keys).
        let cEnvironment: [UnsafeMutablePointer<CChar>?] = commandEnvironment().map { strdup($0) } + [nil]
        defer { for pointer in cEnvironment { free(pointer) } }
        let spawned = posix_spawn(&pid, argv[0], &actions, &attributes, cArguments, cEnvironment)
        close(childEnd)
        guard spawned == 0 else {
            return .failure(Failure(description: "cannot start the command: \(String(cString: strerror(spawned)))"))
        }

        // Small (an alert is a few hundred bytes): fits the socket buffer, so this does not block.
        input.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = send(parentEnd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }  // the command closed its stdin: its exit status tells the rest
                offset += n
            }
        }
        shutdown(parentEnd, Int32(SHUT_WR))

        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped < 0 && errno != EINTR { return .failure(Failure(description: "lost the command (errno \(errno))")) }
            if Date() >= deadline {
                kill(-pid, SIGKILL)
                kill(pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                return .failure(Failure(description: "killed after \(Int(timeout)) s"))
            }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        let signal = status & 0x7f
        if signal != 0 { return .failure(Failure(description: "ended by signal \(signal)")) }
        let code = (status >> 8) & 0xff
        return code == 0 ? .success(()) : .failure(Failure(description: "exit status \(code)"))
    }

    /// The variables passed on to the command.
    static let passedVariables = ["PATH", "HOME", "LANG", "LC_ALL", "TZ"]

    /// `NAME=value` of the ``passedVariables`` set in this process; PATH has a default.
    static func commandEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var passed = environment.filter { passedVariables.contains($0.key) }
        if passed["PATH"] == nil { passed["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        return passed.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }

    /// The descriptors open in this process, from /proc/self/fd (empty where there is no /proc).
    private static func openDescriptors() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { Int32($0) }
    }
}
