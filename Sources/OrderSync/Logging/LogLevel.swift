/// Severity of a log entry, ordered from the most to the least verbose.
/// Shaped like swift-log's `Logger.Level`; the raw values are the config file's spelling.
public enum LogLevel: String, Codable, Sendable, CaseIterable, Comparable {
    case trace, debug, info, warning, error

    private var rank: Int {
        switch self {
        case .trace: 0
        case .debug: 1
        case .info: 2
        case .warning: 3
        case .error: 4
        }
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rank < rhs.rank }
}
