import ChannelSimulator
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The HTTP server the daemon talks to, in front of a simulator's `handle`: it stamps every request with
/// the wall-clock time of its arrival (the simulators' journals use their own clock, and WooCommerce's
/// rounds it down to whole seconds) and notes the first reply that contains a watched marker (the poll
/// that "saw" a new order). Thread-safe.
final class TimedFront: @unchecked Sendable {
    /// One request as it arrived, and what was answered.
    struct Entry: Sendable {
        let arrived: Date
        /// When the simulator had the reply ready (before it was written to the socket).
        let served: Date
        let request: HTTPRequest
        let status: Int
        let bytes: Int
    }

    private let lock = NSLock()
    private var entries: [Entry] = []
    private var watched: [String: Data] = [:]
    private var hits: [String: Date] = [:]
    private var server: HTTPServer?

    /// Serves `handler` on 127.0.0.1 (ephemeral port).
    init(_ handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse) throws {
        let server = HTTPServer { [weak self] request in
            let arrived = Date()
            let response = handler(request)
            self?.record(Entry(arrived: arrived, served: Date(), request: request, status: response.status, bytes: response.body.count),
                         body: response.body)
            return response
        }
        try server.start()
        self.server = server
    }

    deinit { server?.stop() }

    func stop() { server?.stop() }

    var baseURL: URL { URL(string: "http://127.0.0.1:\(server?.port ?? 0)")! }

    private func record(_ entry: Entry, body: Data) {
        lock.lock()
        defer { lock.unlock() }
        entries.append(entry)
        for (key, marker) in watched where hits[key] == nil && body.range(of: marker) != nil {
            hits[key] = entry.arrived
            watched[key] = nil
        }
    }

    /// Every request since the last `clear()`, oldest first.
    var log: [Entry] { lock.withLock { entries } }

    /// How many requests `log` holds.
    var count: Int { lock.withLock { entries.count } }

    /// The requests after the first `skipping` ones.
    func log(after skipping: Int) -> ArraySlice<Entry> { lock.withLock { entries.dropFirst(skipping) } }

    func clear() { lock.withLock { entries.removeAll(keepingCapacity: true) } }

    /// Watches replies for `marker`; `hit(key)` is then the arrival time of the first request answered with it.
    func watch(_ key: String, marker: Data) { lock.withLock { watched[key] = marker } }

    func hit(_ key: String) -> Date? { lock.withLock { hits[key] } }
}

/// A datagram socket standing in for systemd's `$NOTIFY_SOCKET`: the arrival time of the first `READY=1`.
final class NotifySocket: @unchecked Sendable {
    let path: String
    private let fd: Int32
    private let lock = NSLock()
    private var readyAt: Date?
    private var running = true

    init(path: String) throws {
        self.path = path
        unlink(path)
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw BenchError("socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard fd >= 0, rc == 0 else { throw BenchError("cannot bind \(path): errno \(errno)") }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let thread = Thread { [self] in loop() }
        thread.name = "bench.notify"
        thread.start()
    }

    private func loop() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while lock.withLock({ running }) {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { continue }
            let at = Date()
            let lines = String(decoding: buffer[0..<n], as: UTF8.self).split(separator: "\n")
            if lines.contains("READY=1") { lock.withLock { if readyAt == nil { readyAt = at } } }
        }
        Glibc.close(fd)
        unlink(path)
    }

    var ready: Date? { lock.withLock { readyAt } }

    func close() { lock.withLock { running = false } }
}
