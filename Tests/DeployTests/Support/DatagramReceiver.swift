#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A bound AF_UNIX datagram socket standing in for systemd's notify socket.
/// `notifySocket` is the value to put in `$NOTIFY_SOCKET`.
final class DatagramReceiver {
    enum Failure: Error { case system(String, Int32) }

    let notifySocket: String
    private let fd: Int32

    /// A socket at `path` in the file system.
    convenience init(path: String) throws {
        try self.init(notifySocket: path, address: Array(path.utf8))
    }

    /// An abstract socket with a unique name (`@ordersync-test-…`).
    convenience init(abstract: Void = ()) throws {
        let name = "ordersync-test-\(UUID().uuidString)"
        try self.init(notifySocket: "@" + name, address: [0] + Array(name.utf8))
    }

    private init(notifySocket: String, address: [UInt8]) throws {
        self.notifySocket = notifySocket
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure.system("socket", errno) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { $0.copyBytes(from: address) }
        let isAbstract = address.first == 0
        let length = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + address.count + (isAbstract ? 0 : 1)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(length)) }
        }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw Failure.system("bind", code)
        }
    }

    deinit { close(fd) }

    /// The next datagram as text, or `nil` if none arrives within `timeout` seconds.
    func receive(timeout: Double = 5) -> String? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(timeout * 1000)) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(fd, &buffer, buffer.count, 0)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }

    /// Whether a datagram is waiting, without consuming it or waiting for one.
    var hasPending: Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&poller, 1, 0) == 1
    }
}
