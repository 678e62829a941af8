import Foundation

/// A channel whose walk lists only orders created within a recent window (e.g. a walk by purchase date).
/// The Poller re-reads, about once a day and by id (``ChannelConnector/fetchOrder(externalID:)``), every
/// stored open order created before that window, so a status change of an older order is not missed.
/// The connector's cursor then holds no set of open orders: the orders table does.
public protocol ListsARecentWindow: ChannelConnector {
    /// How many days back (by creation date) every walk reaches at least.
    var walkReachDays: Int { get }
}
