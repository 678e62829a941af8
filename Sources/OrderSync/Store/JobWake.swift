import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The file that says "the job queue changed": `state_dir/wake/jobs`, touched after every commit that
/// changed the `jobs` table, by any process (the daemon's own ingest and pushers, `ordersync ship` and the
/// other commands). The pushers' ``DatabaseWatch`` watches only its directory.
///
/// They used to watch the state directory itself: every write to the database or its WAL (each page of a
/// backlog import, each heartbeat) was an inotify event and woke every pusher to read the queue, ~5 % of
/// a 100k import's CPU (issue 17). Now an order write wakes nobody.
public enum JobWake {
    /// The directory watched, beside the database.
    public static func directory(databasePath: String) -> URL {
        URL(fileURLWithPath: databasePath).deletingLastPathComponent().appendingPathComponent("wake", isDirectory: true)
    }

    /// The file touched.
    public static let fileName = "jobs"

    /// Updates the file's times (creating it, and its directory, owner-only, if missing). Never throws: a
    /// wake that cannot be written costs latency only, since the pushers also read the queue on a timer.
    public static func touch(databasePath: String) {
        #if canImport(Glibc)
        let directory = directory(databasePath: databasePath)
        let path = directory.appendingPathComponent(fileName).path
        var fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        if fd < 0, errno == ENOENT {
            mkdir(directory.path, 0o700)
            fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        }
        guard fd >= 0 else { return }
        futimens(fd, nil)
        close(fd)
        #endif
    }
}
