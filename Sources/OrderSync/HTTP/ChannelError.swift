import Foundation

/// An error from talking to a channel, classified where it is made (STYLE practice 5):
/// retryable (connection, timeout, 429, 5xx, WAF pages, non-JSON 2xx), permanent (the channel refused
/// the request; its own message is kept), unauthorized (credentials bad: flag the channel, no retry loop),
/// or conflict (the channel already holds a different value). Never carries a secret or a full URL.
public struct ChannelError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        case retryable(retryAfter: TimeInterval?)
        case permanent
        case unauthorized
        case conflict
        /// The request's target no longer applies (e.g. the order was cancelled): drop the job.
        case obsolete
    }

    public var kind: Kind
    public var operation: String
    public var httpStatus: Int?
    public var message: String

    public init(_ kind: Kind, operation: String, httpStatus: Int? = nil, message: String) {
        self.kind = kind; self.operation = operation; self.httpStatus = httpStatus
        self.message = String(message.prefix(500))
    }

    public var isRetryable: Bool {
        if case .retryable = kind { return true }
        return false
    }

    public var description: String {
        var text = operation
        if let httpStatus { text += ": HTTP \(httpStatus)" }
        return text + ": " + message
    }
}
