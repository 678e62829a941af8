import Foundation

/// Payloads a connector has already had stored, remembered by fingerprint, so a poll that reads an
/// unchanged order again skips mapping and storing it. Channels re-read unchanged orders by design
/// (whole export windows, overlapping walks); this keeps an idle daemon from re-mapping them.
///
/// Safe by construction:
/// - a fingerprint is remembered only after the transaction that stored its page committed (the page's
///   ``OrderPage/onCommit``, made by ``onCommit(remembering:page:)``), so a failed store is never skipped later;
/// - it covers the payload exactly as the channel sent it, so any change on the channel maps again;
/// - it lives in memory with the connector: a restart or a config reload (new rules) starts afresh;
/// - two generations: what was neither seen nor stored during the last poll is forgotten, so memory
///   stays bounded by what one poll reads.
public final class UnchangedPayloads: @unchecked Sendable {
    private let lock = NSLock()
    /// What is kept with a whole page's fingerprint: a value (the listing's next page number; 0 for none)
    /// and the fingerprints of its orders (kept alive with the page while the page is skipped whole).
    private struct Page {
        var value: Int
        var members: [Int] = []
    }

    /// One generation. Orders (nearly every entry) are a set of fingerprints, 8 bytes each: in the 100k
    /// backlog a dictionary of entries held 4 MB at its peak (issue 17).
    private struct Generation {
        var orders: Set<Int> = []
        var pages: [Int: Page] = [:]
    }

    private var current = Generation()
    private var previous = Generation()

    public init() {}

    /// The fingerprint of one payload; `scope` separates what the payload alone does not (a site).
    public static func fingerprint(_ payload: some Hashable, scope: String = "") -> Int {
        var hasher = Hasher()
        hasher.combine(scope)
        hasher.combine(payload)
        return hasher.finalize()
    }

    /// The fingerprint of a payload's bytes, every one of them (`Data`'s own hash covers only its first
    /// 80 bytes and its length), with ``PayloadHasher``.
    public static func fingerprint(bytes: Data, scope: String = "") -> Int {
        PayloadHasher.fingerprint(bytes, scope: scope)
    }

    /// Whether this exact payload was stored before (and keeps it for the next poll).
    public func contains(_ fingerprint: Int) -> Bool { value(for: fingerprint) != nil }

    /// The value remembered with this payload when it was stored before (and keeps it for the next poll).
    public func value(for fingerprint: Int) -> Int? {
        lock.withLock {
            if current.orders.contains(fingerprint) { return 0 }
            if let page = current.pages[fingerprint] { return page.value }
            if previous.orders.contains(fingerprint) {
                current.orders.insert(fingerprint)
                return 0
            }
            guard let page = previous.pages[fingerprint] else { return nil }
            current.pages[fingerprint] = page
            for member in page.members where previous.orders.contains(member) { current.orders.insert(member) }
            return page.value
        }
    }

    /// Records payloads whose page was committed.
    public func remember(_ fingerprints: [Int]) {
        guard !fingerprints.isEmpty else { return }
        lock.withLock { current.orders.formUnion(fingerprints) }
    }

    /// Records one payload with a value: a whole listing page, where the listing goes on, and the orders
    /// on it (all stored by then).
    public func remember(_ fingerprint: Int, value: Int, members: [Int] = []) {
        lock.withLock { current.pages[fingerprint] = Page(value: value, members: members) }
    }

    /// The on-commit hook for a page: remembers its payloads' fingerprints and, for a whole listing page, the
    /// page with its value and members.
    public func onCommit(remembering fingerprints: [Int], page mark: (fingerprint: Int, value: Int, members: [Int])? = nil)
        -> @Sendable () -> Void {
        { [self] in
            remember(fingerprints)
            if let mark { remember(mark.fingerprint, value: mark.value, members: mark.members) }
        }
    }

    /// Starts a poll: what the last poll neither saw nor stored is forgotten.
    public func startPoll() {
        lock.withLock {
            previous = current
            current = Generation()
        }
    }

    /// How many payloads are remembered (tests).
    public var count: Int {
        lock.withLock {
            current.orders.union(previous.orders).union(current.pages.keys).union(previous.pages.keys).count
        }
    }
}
