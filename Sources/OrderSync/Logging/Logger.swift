import Foundation

/// One log event: a constant message and its data fields.
public struct LogEntry: Sendable {
    public var time: Date
    public var level: LogLevel
    public var message: String
    public var fields: [(String, LogValue)]
}

/// A field value in a log entry. Strings, numbers and booleans only.
public enum LogValue: Sendable, CustomStringConvertible, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }

    public var description: String {
        switch self {
        case .string(let s): s
        case .int(let i): String(i)
        case .double(let d): String(format: "%.3f", d)
        case .bool(let b): String(b)
        }
    }
}

/// Where log entries go. Implementations must be thread-safe.
public protocol LogHandler: Sendable {
    func log(_ entry: LogEntry)
    /// Reopens the underlying file (after logrotate moved it). Default: nothing.
    func reopen()
}

extension LogHandler {
    public func reopen() {}
}

/// A value-type logger shaped like swift-log's: a minimum level, metadata attached to every entry,
/// and a handler. Pass loggers in; library code never creates its own.
public struct Logger: Sendable {
    public var level: LogLevel
    public var metadata: [(String, LogValue)]
    public let handler: any LogHandler

    public init(level: LogLevel = .info, handler: any LogHandler, metadata: [(String, LogValue)] = []) {
        self.level = level
        self.handler = handler
        self.metadata = metadata
    }

    /// A logger that drops everything.
    public static var discarding: Logger { Logger(level: .error, handler: NullLogHandler()) }

    /// A copy with one more metadata field on every entry.
    public func with(_ key: String, _ value: LogValue) -> Logger {
        var copy = self
        copy.metadata.append((key, value))
        return copy
    }

    public func log(_ level: LogLevel, _ message: StaticString, _ fields: KeyValuePairs<String, LogValue> = [:]) {
        guard level >= self.level else { return }
        var all = metadata
        for (k, v) in fields { all.append((k, v)) }
        handler.log(LogEntry(time: Date(), level: level, message: "\(message)", fields: all))
    }

    public func trace(_ m: StaticString, _ f: KeyValuePairs<String, LogValue> = [:]) { log(.trace, m, f) }
    public func debug(_ m: StaticString, _ f: KeyValuePairs<String, LogValue> = [:]) { log(.debug, m, f) }
    public func info(_ m: StaticString, _ f: KeyValuePairs<String, LogValue> = [:]) { log(.info, m, f) }
    public func warning(_ m: StaticString, _ f: KeyValuePairs<String, LogValue> = [:]) { log(.warning, m, f) }
    public func error(_ m: StaticString, _ f: KeyValuePairs<String, LogValue> = [:]) { log(.error, m, f) }
}

/// Drops every entry.
public struct NullLogHandler: LogHandler {
    public init() {}
    public func log(_ entry: LogEntry) {}
}

/// Keeps entries in memory, for tests.
public final class InMemoryLogHandler: LogHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [LogEntry] = []

    public init() {}

    public func log(_ entry: LogEntry) {
        lock.lock(); defer { lock.unlock() }
        stored.append(entry)
    }

    public var entries: [LogEntry] {
        lock.lock(); defer { lock.unlock() }
        return stored
    }
}

/// Sends each entry to several handlers.
public struct MultiplexLogHandler: LogHandler {
    public let handlers: [any LogHandler]
    public init(_ handlers: [any LogHandler]) { self.handlers = handlers }
    public func log(_ entry: LogEntry) { handlers.forEach { $0.log(entry) } }
    public func reopen() { handlers.forEach { $0.reopen() } }
}
