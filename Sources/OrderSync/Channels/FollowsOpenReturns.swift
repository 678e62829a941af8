import Foundation

/// A channel whose return listing stops showing a return before it is settled (e.g. a listing by creation
/// date): after each successful poll the Poller hands it the stored returns still followed, and
/// stores what it reads back. The connector's cursor then holds no set of returns: the returns table does.
public protocol FollowsOpenReturns: ChannelConnector {
    /// The stored statuses still read again (default: the open ones, ``ReturnStatus/isOpen``).
    var followedReturnStatuses: Set<ReturnStatus> { get }

    /// Reads `returns` (stored, with a followed status) again, except those the last walk listed; returns what
    /// the channel shows now. A return the channel no longer knows is left out. Read-only on the channel.
    func rereadReturns(_ returns: [StoredReturn], now: Date) async throws -> [ChannelReturn]
}

extension FollowsOpenReturns {
    public var followedReturnStatuses: Set<ReturnStatus> { Set(ReturnStatus.allCases.filter(\.isOpen)) }
}
