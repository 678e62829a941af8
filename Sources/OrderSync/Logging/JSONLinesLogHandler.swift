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

    public func log(_ entry: LogEntry) {
        var line = "{\"ts\":\"\(Timestamp.formatMillis(entry.time))\",\"level\":\"\(entry.level.rawValue)\",\"msg\":"
        line += JSONLinesLogHandler.quote(entry.message)
        for (key, value) in entry.fields {
            line += "," + JSONLinesLogHandler.quote(key) + ":"
            switch value {
            case .string(let s): line += JSONLinesLogHandler.quote(s)
            case .int(let i): line += String(i)
            case .double(let d): line += d.isFinite ? String(format: "%.3f", d) : "null"
            case .bool(let b): line += b ? "true" : "false"
            }
        }
        line += "}\n"
        lock.lock(); defer { lock.unlock() }
        var bytes = Array(line.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { if errno == EINTR { continue }; break }
            offset += n
        }
        bytes.removeAll()
    }

    /// JSON string literal for `s`.
    public static func quote(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
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
