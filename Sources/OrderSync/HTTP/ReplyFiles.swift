import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where large replies are written while they arrive: `<state_dir>/replies`, one file per reply, named
/// after the process that writes it. A reply's file is removed once it is read; start-up removes what a
/// killed process (kill -9, power loss) left behind, never a file of a process still running.
public enum ReplyFiles {
    /// `<state_dir>/replies`.
    public static func directory(stateDir: String) -> URL {
        URL(fileURLWithPath: stateDir, isDirectory: true).appendingPathComponent("replies", isDirectory: true)
    }

    /// Removes every reply file in `directory` whose process is gone (or is this one: a file from an
    /// earlier run with a recycled process id). Returns how many were removed.
    @discardableResult
    public static func removeStale(in directory: URL) -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return 0 }
        var removed = 0
        for name in names {
            if name.hasPrefix(prefix) {
                let owner = name.dropFirst(prefix.count).prefix { $0 != "-" }
                if let pid = Int32(owner), pid != getpid(), kill(pid, 0) == 0 || errno == EPERM { continue }
            } else if !isDownloadName(name) {
                continue  // not ours
            }
            // A download's own file (see ``useAsTemporaryDirectory(_:)``): only the daemon that holds the
            // state directory writes there, and this is its start.
            if (try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))) != nil { removed += 1 }
        }
        return removed
    }

    /// Makes `directory` this process's temporary directory (`TMPDIR`), where FoundationNetworking puts a
    /// download while it arrives: a download cut short by a kill -9 is then removed by ``removeStale(in:)``
    /// at the next start, and one cut short by an error by ``removeAbandonedDownloads()``. For the daemon
    /// only, once, before it polls; child processes get their own environment (`AlertCommand`).
    public static func useAsTemporaryDirectory(_ directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        setenv("TMPDIR", directory.path, 1)
        state.withLock { $0.temporaryDirectory = directory }
    }

    /// Removes the downloads in the directory set by ``useAsTemporaryDirectory(_:)`` that nothing has
    /// written to for ``abandonedAfter`` (a transfer that failed; a live one writes every few milliseconds
    /// or times out first). Returns how many were removed.
    @discardableResult
    public static func removeAbandonedDownloads(now: Date = Date()) -> Int {
        guard let directory = state.withLock({ $0.temporaryDirectory }),
              let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return 0 }
        var removed = 0
        for name in names where isDownloadName(name) {
            let url = directory.appendingPathComponent(name)
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date,
                  now.timeIntervalSince(modified) > abandonedAfter else { continue }
            if (try? FileManager.default.removeItem(at: url)) != nil { removed += 1 }
        }
        return removed
    }

    /// A download untouched this long is abandoned: longer than any HTTP timeout the daemon uses. Looked for
    /// at the start of each download.
    static let abandonedAfter: TimeInterval = 3_600

    /// FoundationNetworking's name for a download in progress: `<UUID>.tmp`.
    static func isDownloadName(_ name: String) -> Bool {
        name.hasSuffix(".tmp") && UUID(uuidString: String(name.dropLast(4))) != nil
    }

    /// Puts a finished download at `destination` (a rename within the state directory, else a copy).
    /// Returns false when it cannot.
    static func move(_ location: URL, to destination: URL) -> Bool {
        if rename(location.path, destination.path) == 0 { return true }
        guard errno == EXDEV else { return false }
        try? FileManager.default.removeItem(at: destination)
        guard (try? FileManager.default.copyItem(at: location, to: destination)) != nil else { return false }
        remove(location)
        return true
    }

    /// Refuses to start a download into `file`'s directory with less than ``minimumFreeBytes`` free, or
    /// less than twice the largest reply seen: FoundationNetworking cannot report a failed write while
    /// it downloads, so the room is checked before.
    static func ensureRoom(for file: URL) throws {
        var stats = statvfs()
        guard statvfs(file.deletingLastPathComponent().path, &stats) == 0 else { return }
        let free = Int64(stats.f_bavail) * Int64(stats.f_frsize)
        if let problem = roomProblem(free: free, largestReply: state.withLock { $0.largestReply }) {
            throw TransportError(timedOut: false, message: problem)
        }
    }

    /// Why `free` bytes are too few for the next download, given the largest reply seen; nil when enough.
    static func roomProblem(free: Int64, largestReply: Int64) -> String? {
        let needed = max(minimumFreeBytes, 2 * largestReply)
        guard free < needed else { return nil }
        return "the state directory has \(free / 1_048_576) MB free; a streamed reply needs at least \(needed / 1_048_576) MB"
    }

    /// Remembers the size of a reply written to disk (see ``ensureRoom(for:)``).
    static func noteReplySize(_ bytes: Int64) {
        state.withLock { $0.largestReply = max($0.largestReply, bytes) }
    }

    static let minimumFreeBytes: Int64 = 64 << 20

    private struct State {
        var temporaryDirectory: URL?
        var largestReply: Int64 = 0
    }

    /// The process-wide state above, behind a lock.
    private final class Locked: @unchecked Sendable {
        private let lock = NSLock()
        private var value = State()
        func withLock<T>(_ body: (inout State) -> T) -> T { lock.withLock { body(&value) } }
    }
    private static let state = Locked()

    /// A new, empty file in `directory` (created when missing), readable by this user only.
    public static func create(in directory: URL) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let url = directory.appendingPathComponent("\(prefix)\(getpid())-\(UUID().uuidString).part")
        guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        return url
    }

    /// Removes one reply file; a file already gone is fine.
    public static func remove(_ url: URL) {
        try? FileManager.default.removeItem(at: url)
    }

    private static let prefix = "reply-"
}
