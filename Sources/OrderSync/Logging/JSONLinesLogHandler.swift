import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes one JSON object per line: `{"ts":"…Z","level":"info","msg":"…",<fields>}`.
/// To a file opened in append mode (reopened on `reopen()`, for logrotate) or to stderr.
/// Each line is written with a single `write(2)`, so lines from concurrent tasks never interleave.
public final class JSONLinesLogHandler: LogHandler, @unchecked Sendable {
    private let lock = NSLock()
    private let path: String?
    private var fd: Int32

    /// Logs to `path` (created 0640 if missing), or to stderr when `path` is nil.
    public init(path: String?) throws {
        self.path = path
        if let path {
            fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
            if fd < 0 { throw LogFileError(path: path, errno: errno) }
        } else {
            fd = 2
        }
    }

    deinit {
        if path != nil, fd >= 0 { close(fd) }
    }

    public func reopen() {
        guard let path else { return }
        lock.lock(); defer { lock.unlock() }
        let newFD = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard newFD >= 0 else { return }  // keep writing to the old file rather than lose lines
        close(fd)
        fd = newFD
    }

    /// The line is built as bytes, its strings quoted from their own buffers (``JSONValue/quote(_:into:namedBackspaceAndFormFeed:)``).
    /// Built as a `String`, scalar by scalar, a line took ~60,000 instructions, and the deadline watch
    /// logs one per overdue order: 94,000 in the 100k backlog (callgrind, issue 17).
    public func log(_ entry: LogEntry) {
        var line: [UInt8] = []
        line.reserveCapacity(256)
        func put(_ text: StaticString) {
            line.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }
        put("{\"ts\":\"")
        Timestamp.appendMillis(entry.time, to: &line)
        put("\",\"level\":\"")
        line.append(contentsOf: entry.level.rawValue.utf8)
        put("\",\"msg\":")
        JSONValue.quote(entry.message, into: &line)
        for (key, value) in entry.fields {
            line.append(UInt8(ascii: ","))
            JSONValue.quote(key, into: &line)
            line.append(UInt8(ascii: ":"))
            switch value {
            case .string(let s): JSONValue.quote(s, into: &line)
            case .int(let i): line.append(contentsOf: String(i).utf8)
            case .double(let d): line.append(contentsOf: (d.isFinite ? String(format: "%.3f", d) : "null").utf8)
            case .bool(let b): b ? put("true") : put("false")
            }
        }
        put("}\n")
        lock.lock(); defer { lock.unlock() }
        var offset = 0
        line.withUnsafeBytes { bytes in
            while offset < bytes.count {
                let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n <= 0 { if errno == EINTR { continue }; break }
                offset += n
            }
        }
    }

    /// JSON string literal for `s`: `"` and `\` escaped, `\n` `\r` `\t`, other controls as `\u00xx`.
    public static func quote(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 2)
        JSONValue.quote(s, into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

/// The log file could not be opened.
public struct LogFileError: Error, CustomStringConvertible {
    public let path: String
    public let errno: Int32
    public var description: String { "cannot open log file \(path): \(String(cString: strerror(errno)))" }
}

/// Human-readable lines for a terminal (the demo): `12:00:01 info  orders imported  channel=bm-eu count=3`.
public final class ConsoleLogHandler: LogHandler, @unchecked Sendable {
    private let lock = NSLock()
    public init() {}

    public func log(_ entry: LogEntry) {
        let time = String(Timestamp.format(entry.time).dropFirst(11).dropLast())
        var line = "\(time) \(entry.level.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(entry.message)"
        for (k, v) in entry.fields { line += "  \(k)=\(v)" }
        lock.lock(); defer { lock.unlock() }
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
