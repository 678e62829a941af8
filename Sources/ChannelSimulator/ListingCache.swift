import Foundation

/// The result of the last listing query (matching ids, in list order), kept while the simulator's orders
/// and configuration are unchanged. A walk asks for the same filtered, sorted list page after page;
/// recomputing it for each page made a 100k-order walk quadratic and the benchmark's fetch limit a
/// measure of the simulator. Any change to an order (a drift between pages included) bumps the revision,
/// so a page is always cut from the list as it is now, exactly as without the cache.
struct ListingCache {
    private(set) var revision = 0
    private var key: String?
    private var keyRevision = -1
    private var ids: [Int] = []

    /// Marks every cached listing stale.
    mutating func invalidate() { revision &+= 1 }

    /// The ids for `key`, from the cache when nothing changed since they were computed.
    mutating func ids(for key: String, compute: () -> [Int]) -> [Int] {
        if self.key == key, keyRevision == revision { return ids }
        ids = compute()
        self.key = key
        keyRevision = revision
        return ids
    }
}
