import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why ``HTTPServer/start(port:)`` failed: the socket call that failed and its `errno`.
public struct HTTPServerError: Error, CustomStringConvertible, Sendable {
    /// The failing step (`socket`, `bind`, `listen`, `getsockname`, or `start` when already running).
    public let operation: String
    /// The `errno` value at the failure (0 when not a system error).
    public let code: Int32

    /// A readable message with the failing step and `strerror`.
    public var description: String {
        code == 0 ? "HTTPServer \(operation) failed" : "HTTPServer \(operation) failed: \(String(cString: strerror(code))) (errno \(code))"
    }
}

/// A small HTTP/1.1 server on 127.0.0.1 for tests and demos: POSIX sockets, one thread per
/// connection, keep-alive, `Content-Length` and chunked request bodies, `Expect: 100-continue`.
///
/// Thread-safe. The handler is called concurrently from connection threads and may block (e.g. sleep
/// to simulate a slow reply). A client hanging up never crashes the process (writes use
/// `MSG_NOSIGNAL`). Malformed requests get a 400 and the connection is closed; they never reach the handler.
/// A running server is kept alive by its accept thread: call ``stop()`` when done.
public final class HTTPServer: @unchecked Sendable {
    /// Largest accepted request head (request line plus headers); larger gets 431.
    public static let maxHeadBytes = 64 * 1024
    /// Largest accepted request body; larger gets 413.
    public static let maxBodyBytes = 16 * 1024 * 1024

    private let handler: @Sendable (HTTPRequest) -> HTTPResponse
    private let lock = NSLock()
    // Guarded by `lock`.
    private var listenFD: Int32 = -1
    private var boundPort: UInt16 = 0
    private var running = false
    private var connections: [Int: Int32] = [:]
    private var nextConnectionID = 0
    private var acceptedTotal = 0
    private var acceptFinished: DispatchSemaphore?
    /// Seconds an idle keep-alive connection is kept before the server closes it.
    private let idleTimeout: Int

    /// Creates a stopped server that will answer every request with `handler`.
    /// - Parameter idleTimeout: seconds an idle keep-alive connection stays open (default 30).
    public init(idleTimeout: Int = 30, handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse) {
        self.handler = handler
        self.idleTimeout = max(1, idleTimeout)
    }

    deinit {
        stop()
    }

    /// The bound TCP port once started (the ephemeral one when started with port 0); 0 when stopped.
    public var port: UInt16 {
        lock.withLock { running ? boundPort : 0 }
    }

    /// True between a successful ``start(port:)`` and ``stop()``.
    public var isRunning: Bool { lock.withLock { running } }

    /// Number of client connections currently open (for tests of keep-alive and ``stop()``).
    public var openConnectionCount: Int { lock.withLock { connections.count } }

    /// Number of connections accepted since the server was created (a keep-alive client reuses one).
    public var acceptedConnectionCount: Int { lock.withLock { acceptedTotal } }

    /// Binds 127.0.0.1:`port` (0 = an ephemeral port, read it from ``port``) and starts accepting.
    /// - Throws: ``HTTPServerError`` when the socket cannot be created, bound or listened on, or
    ///   when the server is already running. A stopped server may be started again.
    public func start(port: UInt16 = 0) throws {
        try lock.withLock {
            guard !running else { throw HTTPServerError(operation: "start (already running)", code: 0) }
            let fd = try Self.makeListeningSocket(port: port)
            var address = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let named = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            guard named == 0 else {
                let code = errno
                close(fd)
                throw HTTPServerError(operation: "getsockname", code: code)
            }
            listenFD = fd
            boundPort = UInt16(bigEndian: address.sin_port)
            running = true
            let finished = DispatchSemaphore(value: 0)
            acceptFinished = finished
            let thread = Thread { [self] in
                acceptLoop(fd)
                finished.signal()
            }
            thread.name = "HTTPServer.accept:\(boundPort)"
            thread.start()
        }
    }

    /// Stops accepting, closes the listening socket and shuts down every open connection, then
    /// returns (within a fraction of a second; it does not wait for handlers still running —
    /// their replies are discarded). Idempotent.
    public func stop() {
        let finished: DispatchSemaphore? = lock.withLock {
            guard running else { return nil }
            running = false
            // Wakes the blocked accept(2) on Linux; poll's timeout is the fallback elsewhere.
            _ = shutdown(listenFD, Int32(SHUT_RDWR))
            for fd in connections.values { _ = shutdown(fd, Int32(SHUT_RDWR)) }
            let finished = acceptFinished
            acceptFinished = nil
            return finished
        }
        guard let finished else { return }
        finished.wait()
        lock.withLock {
            if listenFD >= 0 { close(listenFD) }
            listenFD = -1
            boundPort = 0
        }
    }

    // MARK: - Accepting

    private static func makeListeningSocket(port: UInt16) throws -> Int32 {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw HTTPServerError(operation: "socket", code: errno) }
        var yes: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian  // 127.0.0.1
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw HTTPServerError(operation: "bind", code: code)
        }
        guard listen(fd, 128) == 0 else {
            let code = errno
            close(fd)
            throw HTTPServerError(operation: "listen", code: code)
        }
        return fd
    }

    private func acceptLoop(_ listener: Int32) {
        while lock.withLock({ running }) {
            var pollFD = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pollFD, 1, 200)
            if ready <= 0 { continue }  // timeout or EINTR: re-check `running`
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EMFILE || errno == ENFILE { usleep(10_000) }
                continue
            }
            guard let id = register(client) else {
                close(client)
                break
            }
            let thread = Thread { [self] in
                serve(connection: client, id: id)
            }
            thread.stackSize = 512 * 1024
            thread.name = "HTTPServer.conn:\(id)"
            thread.start()
        }
    }

    /// Records an accepted socket; nil when the server stopped meanwhile.
    private func register(_ fd: Int32) -> Int? {
        lock.withLock {
            guard running else { return nil }
            nextConnectionID += 1
            acceptedTotal += 1
            connections[nextConnectionID] = fd
            return nextConnectionID
        }
    }

    /// Forgets and closes a connection socket. Under the lock so that ``stop()`` never shuts down
    /// a descriptor number already reused by another socket.
    private func unregister(_ id: Int, fd: Int32) {
        lock.withLock {
            connections[id] = nil
            close(fd)
        }
    }

    // MARK: - Serving one connection

    private func serve(connection fd: Int32, id: Int) {
        defer { unregister(id, fd: fd) }
        var timeout = timeval(tv_sec: idleTimeout, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        #if canImport(Darwin)
        var yes: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &yes, socklen_t(MemoryLayout<Int32>.size))
        #endif
        var reader = RequestReader(fd: fd)
        while true {
            switch reader.next() {
            case .closed:
                return
            case .invalid(let status, let message):
                var response = HTTPResponse.text(status, message + "\n")
                response.closeConnection = true
                _ = Self.write(response, to: fd, keepAlive: false, headOnly: false)
                return
            case .request(let request, let keepAlive):
                let response = handler(request)
                if response.abortConnection { return }
                let keep = keepAlive && !response.closeConnection && lock.withLock({ running })
                let written = Self.write(response, to: fd, keepAlive: keep, headOnly: request.method == "HEAD")
                if !written || !keep { return }
            }
        }
    }

    /// Serializes and sends a response; false when the peer is gone.
    static func write(_ response: HTTPResponse, to fd: Int32, keepAlive: Bool, headOnly: Bool) -> Bool {
        var head = "HTTP/1.1 \(response.status) \(HTTPResponse.reasonPhrase(response.status))\r\n"
        for (name, value) in response.headers {
            let lower = name.lowercased()
            if lower == "content-length" || lower == "connection" || lower == "transfer-encoding" { continue }
            // Header injection guard: a value with CR/LF would split the response.
            let clean = value.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
            head += "\(name): \(clean)\r\n"
        }
        head += "Content-Length: \(response.body.count)\r\n"
        head += keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n"
        head += "\r\n"
        var bytes = Data(head.utf8)
        if !headOnly { bytes.append(response.body) }
        return sendAll(bytes, to: fd)
    }

    static func sendAll(_ data: Data, to fd: Int32) -> Bool {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Bool in
            guard let base = raw.baseAddress else { return true }
            var offset = 0
            while offset < raw.count {
                #if canImport(Glibc)
                let sent = send(fd, base + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                #else
                let sent = send(fd, base + offset, raw.count - offset, 0)
                #endif
                if sent < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                if sent == 0 { return false }
                offset += sent
            }
            return true
        }
    }
}
