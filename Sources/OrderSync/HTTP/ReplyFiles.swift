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
        for name in names where name.hasPrefix(prefix) {
            let owner = name.dropFirst(prefix.count).prefix { $0 != "-" }
            if let pid = Int32(owner), pid != getpid(), kill(pid, 0) == 0 || errno == EPERM { continue }
            if (try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))) != nil { removed += 1 }
        }
        return removed
    }

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
