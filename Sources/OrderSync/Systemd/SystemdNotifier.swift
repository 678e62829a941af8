#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Sends service-manager notifications the way `sd_notify(3)` does, without linking libsystemd:
/// one `AF_UNIX` datagram of newline-separated `KEY=VALUE` lines to the socket named by `$NOTIFY_SOCKET`.
///
/// A value type holding only the socket address: cheap to copy, safe to share between tasks. Every send
/// opens a fresh socket (as `sd_notify` does), so there is no descriptor to leak or to close.
/// Sending never throws and never blocks on the manager: a failure is returned as `false` and otherwise
/// ignored, because a daemon must keep working when the manager is gone or the socket is full.
///
/// With `NotifyAccess=main`, systemd accepts these datagrams only from the unit's main process; a child
/// process (there is none today) would have to be given the socket explicitly.
public struct SystemdNotifier: Sendable {
    /// The `sun_path` bytes to send to: the path itself, or a NUL followed by the name of an abstract socket.
    private let address: [UInt8]

    /// How often to send `WATCHDOG=1`: half of `$WATCHDOG_USEC` (the margin `sd_watchdog_enabled(3)`
    /// recommends), or `nil` when the manager expects no pings from this process, i.e. `$WATCHDOG_USEC` is
    /// unset or invalid, or `$WATCHDOG_PID` names another process.
    public let watchdogInterval: Duration?

    /// The notifier for `$NOTIFY_SOCKET`, or `nil` when it is unset, empty, or not a form this type speaks
    /// (an absolute path, or `@name` for an abstract socket; systemd ≥ 254's `vsock:` is not supported).
    ///
    /// Reads only the given environment, so tests can point it at their own socket.
    public init?(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let socket = environment["NOTIFY_SOCKET"], let address = Self.socketAddress(socket) else {
            return nil
        }
        self.address = address
        self.watchdogInterval = Self.watchdogInterval(environment: environment, pid: getpid())
    }

    /// Sends the fields as one datagram, sorted by key so the payload is deterministic.
    /// Keys must be non-empty and contain neither `=` nor a newline; a newline inside a value is sent as a
    /// space, since the protocol separates fields by newlines. Returns whether the datagram was sent.
    @discardableResult
    public func notify(_ fields: [String: String]) -> Bool {
        send(fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    /// `READY=1`: startup is finished (config loaded, database open); systemd starts dependent units.
    @discardableResult
    public func ready() -> Bool { send([("READY", "1")]) }

    /// `STATUS=…`: one line shown by `systemctl status`. Keep secrets and personal data out of it.
    @discardableResult
    public func status(_ text: String) -> Bool { send([("STATUS", text)]) }

    /// `WATCHDOG=1`: the process is alive. Prefer a `WatchdogGate`, which pings only while the main loop
    /// makes progress.
    @discardableResult
    public func watchdog() -> Bool { send([("WATCHDOG", "1")]) }

    /// `STOPPING=1`: shutdown has begun (sent on SIGTERM, before in-flight work is finished).
    @discardableResult
    public func stopping() -> Bool { send([("STOPPING", "1")]) }

    /// `RELOADING=1` with `MONOTONIC_USEC=` (CLOCK_MONOTONIC now, in µs): a reload has begun; send
    /// `ready()` when it is done. systemd ≥ 253 (`Type=notify-reload`) requires the timestamp; older
    /// versions ignore it.
    @discardableResult
    public func reloading() -> Bool {
        send([("RELOADING", "1"), ("MONOTONIC_USEC", String(Self.monotonicMicroseconds()))])
    }

    // MARK: - Sending

    private func send(_ fields: [(String, String)]) -> Bool {
        var lines: [String] = []
        for (key, value) in fields {
            guard !key.isEmpty, !key.contains("="), !key.contains("\n") else { return false }
            lines.append(key + "=" + value.replacingOccurrences(of: "\n", with: " "))
        }
        return Self.sendDatagram(Array(lines.joined(separator: "\n").utf8), to: address)
    }

    private static func sendDatagram(_ payload: [UInt8], to address: [UInt8]) -> Bool {
        #if canImport(Glibc)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        let flags = Int32(MSG_NOSIGNAL)
        #else
        let fd = socket(AF_UNIX, SOCK_DGRAM, 0)
        let flags: Int32 = 0
        #endif
        guard fd >= 0 else { return false }
        defer { close(fd) }

        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { $0.copyBytes(from: address) }
        // A path's length includes its terminating NUL; an abstract name's does not (unix(7)).
        let isAbstract = address.first == 0
        let length = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + address.count + (isAbstract ? 0 : 1)

        let sent = payload.withUnsafeBytes { bytes in
            withUnsafePointer(to: &addr) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, bytes.baseAddress, bytes.count, flags, $0, socklen_t(length))
                }
            }
        }
        return sent == payload.count
    }

    // MARK: - Environment

    /// `sun_path` bytes for a `$NOTIFY_SOCKET` value, or `nil` if it is unusable or too long.
    static func socketAddress(_ value: String) -> [UInt8]? {
        let capacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path)
        if value.hasPrefix("/") {
            let bytes = Array(value.utf8)
            guard !bytes.contains(0), bytes.count < capacity else { return nil }  // room for the NUL
            return bytes
        }
        if value.hasPrefix("@"), value.utf8.count > 1 {
            let bytes = [0] + Array(value.utf8.dropFirst())  // '@' stands for the leading NUL
            guard bytes.count <= capacity else { return nil }
            return bytes
        }
        return nil
    }

    /// Half of `WATCHDOG_USEC` when the watchdog applies to `pid` (sd_watchdog_enabled(3)).
    static func watchdogInterval(environment: [String: String], pid: pid_t) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let usec = UInt64(text), usec > 0 else { return nil }
        if let owner = environment["WATCHDOG_PID"], pid_t(owner) != pid { return nil }
        return .microseconds(Int64(clamping: usec / 2))
    }

    /// CLOCK_MONOTONIC in microseconds: the clock systemd compares `MONOTONIC_USEC=` against.
    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }
}
