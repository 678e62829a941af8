/// Exit codes of the contract.
public enum ExitCode: Int32, Sendable {
    case ok = 0
    case failure = 1
    case usage = 64
    case dataError = 65
    case tempFailure = 75
    case config = 78
}

/// An error meant for the person at the terminal: what was wrong and where, and the exit code.
public struct UserError: Error, CustomStringConvertible, Sendable {
    public let code: ExitCode
    public let message: String

    public init(_ code: ExitCode, _ message: String) {
        self.code = code; self.message = message
    }

    public var description: String { message }

    /// Maps any error to a user error: store problems are temporary (75) or failures (1).
    public static func from(_ error: Error) -> UserError {
        switch error {
        case let e as UserError: return e
        case let e as StoreError:
            guard e.isTemporary else { return UserError(.failure, e.description) }
            return UserError(.tempFailure, "\(temporaryReason(e.kind)); try again later (\(e.description))")
        case let e as ChannelError:
            return UserError(e.isRetryable ? .tempFailure : .dataError, e.description)
        default: return UserError(.failure, String(describing: error))
        }
    }

    /// What a temporary store error means for the person at the terminal. (SQLite's own text,
    /// "database is locked" or "unable to open database file", names neither the file nor the cause.)
    private static func temporaryReason(_ kind: StoreError.Kind) -> String {
        let database = "the database (ordersync.sqlite3 in state_dir)"
        switch kind {
        case .busy: return "\(database) is locked by another process and stayed locked past the busy timeout"
        case .readOnly: return "\(database) is read-only (a read-only mount or file permissions)"
        case .diskFull: return "\(database) cannot be written: the disk is full or failing"
        default: return "\(database) cannot be opened (a read-only or full file system, or permissions)"
        }
    }
}
