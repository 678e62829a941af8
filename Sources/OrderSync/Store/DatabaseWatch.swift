import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Wakes waiters when the job queue changes, by anyone: `inotify` on `state_dir/wake/` reports the touch
/// of ``JobWake``'s file after a commit that changed `jobs` (`ordersync ship` in another process, this
/// daemon's own ingest and pushers). The pushers used to look at the queue ten times a second each
/// (`PRAGMA data_version`): with three channels that was 30 wake-ups a second and about 0.4 % of a core
/// while idle. They now sleep until the queue changes or their retry time, and a job queued by the CLI is
/// seen at once. (Until issue 17's second session they watched the state directory, so every write to the
/// database woke them.)
///
/// `start()` returns nil when inotify is not available (or the directory cannot be watched); the pushers
/// then keep polling. A thread blocks in `poll(2)` on the inotify descriptor (1 s timeouts, so `stop()`
/// ends it); events are coalesced: a burst of page writes is one wake-up.
public final class DatabaseWatch: @unchecked Sendable {
    private let descriptor: Int32
    private let names: Set<String>
    private let lock = NSLock()
    private var generation = 0
    private var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter = 0
    /// Waits whose signal child has not returned yet, and those of them ended before it registered
    /// (it then returns at once).
    private var pending = Set<Int>()
    private var released = Set<Int>()
    private var stopped = false

    private init(descriptor: Int32, names: Set<String>) {
        self.descriptor = descriptor
        self.names = names
    }

    /// Watches ``JobWake``'s directory beside `databasePath` (made if missing); nil when that is not possible.
    public static func start(databasePath: String) -> DatabaseWatch? {
        #if canImport(Glibc)
        let directory = JobWake.directory(databasePath: databasePath).path
        // The directory and its file are made by the daemon, so they are the service's: a root `ship` run
        // by hand then only updates the file's times, and the daemon can still touch it after.
        JobWake.touch(databasePath: databasePath)
        let fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard fd >= 0 else { return nil }
        let mask = UInt32(IN_ATTRIB | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE)
        guard inotify_add_watch(fd, directory, mask) >= 0 else {
            close(fd)
            return nil
        }
        let watch = DatabaseWatch(descriptor: fd, names: [JobWake.fileName])
        let thread = Thread { watch.loop() }
        thread.name = "ordersync-dbwatch"
        thread.start()
        return watch
        #else
        return nil
        #endif
    }

    /// Ends the watching thread (within a second) and wakes every waiter.
    public func stop() {
        lock.withLock { stopped = true }
        signal()
    }

    /// How many queue changes were seen (tests).
    public var writes: Int { lock.withLock { generation } }

    /// Waits for the next write, or `timeout` seconds, or cancellation, whichever comes first.
    public func wait(timeout: TimeInterval) async {
        let (start, id): (Int, Int) = lock.withLock {
            nextWaiter += 1
            pending.insert(nextWaiter)
            return (generation, nextWaiter)
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await Task.sleep(nanoseconds: UInt64(max(0, timeout) * 1_000_000_000))
            }
            group.addTask { await self.waitForSignal(id: id, after: start) }
            _ = await group.next()
            group.cancelAll()
            self.release(id)  // the signal child must end for the group to return
        }
    }

    private func waitForSignal(id: Int, after start: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow: Bool = lock.withLock {
                if generation != start || stopped || released.remove(id) != nil {
                    pending.remove(id)
                    return true
                }
                waiters[id] = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Ends one wait: resumes its continuation, or makes it return at once if not yet registered.
    private func release(_ id: Int) {
        let continuation: CheckedContinuation<Void, Never>? = lock.withLock {
            if let waiting = waiters.removeValue(forKey: id) {
                pending.remove(id)
                return waiting
            }
            if pending.contains(id) { released.insert(id) }
            return nil
        }
        continuation?.resume()
    }

    private func signal() {
        let woken: [CheckedContinuation<Void, Never>] = lock.withLock {
            generation += 1
            for id in waiters.keys { pending.remove(id) }
            defer { waiters.removeAll() }
            return Array(waiters.values)
        }
        woken.forEach { $0.resume() }
    }

    #if canImport(Glibc)
    private func loop() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !lock.withLock({ stopped }) {
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 1000) > 0 else { continue }
            var relevant = false
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                guard count > 0 else { break }
                var offset = 0
                while offset + MemoryLayout<inotify_event>.size <= count {
                    let (length, name) = buffer.withUnsafeBytes { raw -> (Int, String) in
                        let event = raw.load(fromByteOffset: offset, as: inotify_event.self)
                        let nameStart = offset + MemoryLayout<inotify_event>.size
                        let nameBytes = raw[nameStart..<min(count, nameStart + Int(event.len))].prefix { $0 != 0 }
                        return (Int(event.len), String(decoding: nameBytes, as: UTF8.self))
                    }
                    if names.contains(name) { relevant = true }
                    offset += MemoryLayout<inotify_event>.size + length
                }
            }
            if relevant { signal() }
        }
        close(descriptor)
    }
    #endif
}
