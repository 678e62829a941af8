import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A datagram socket standing in for systemd's `$NOTIFY_SOCKET`: records every message with its arrival time.
final class NotifyListener: @unchecked Sendable {
    let path: String
    private let fd: Int32
    private let lock = NSLock()
    private var received: [(at: Date, text: String)] = []
    private var running = true
    private var thread: Thread?

    init(path: String) throws {
        self.path = path
        unlink(path)
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() where i < raw.count - 1 { raw[i] = b }
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard fd >= 0, rc == 0 else { throw NSError(domain: "NotifyListener", code: Int(errno)) }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let t = Thread { [weak self] in self?.loop() }
        thread = t
        t.start()
    }

    private func loop() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while lock.withLock({ running }) {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 {
                let text = String(decoding: buffer[0..<n], as: UTF8.self)
                lock.withLock { received.append((Date(), text)) }
            }
        }
    }

    var messages: [(at: Date, text: String)] { lock.withLock { received } }

    func count(_ field: String) -> Int { messages.filter { $0.text.split(separator: "\n").contains(Substring(field)) }.count }

    func close() {
        lock.withLock { running = false }
        Thread.sleep(forTimeInterval: 0.3)
        Glibc.close(fd)
        unlink(path)
    }
}
