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
        case let e as StoreError: return UserError(e.isTemporary ? .tempFailure : .failure, e.description)
        case let e as ChannelError:
            return UserError(e.isRetryable ? .tempFailure : .dataError, e.description)
        default: return UserError(.failure, String(describing: error))
        }
    }
}
