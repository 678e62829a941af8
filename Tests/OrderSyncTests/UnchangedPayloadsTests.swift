import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// The memo behind skipping unchanged orders: only what was committed counts, any change in a payload
/// misses, and what one poll neither saw nor stored is forgotten by the next.
final class UnchangedPayloadsTests: XCTestCase {
    func order(_ id: String, status: String = "1") -> JSONValue {
        .object([("order_id", .number(id)), ("state", .number(status)), ("lines", .array([.object([("sku", .string("A"))])]))])
    }

    func testOnlyCommittedPayloadsAreKnownAndAnyChangeMisses() {
        let memo = UnchangedPayloads()
        let a = UnchangedPayloads.fingerprint(order("1"))
        XCTAssertFalse(memo.contains(a), "never stored")
        memo.remember([a])
        XCTAssertTrue(memo.contains(a))
        XCTAssertEqual(UnchangedPayloads.fingerprint(order("1")), a, "equal payloads, equal fingerprints")
        XCTAssertFalse(memo.contains(UnchangedPayloads.fingerprint(order("1", status: "3"))), "a changed field misses")
        XCTAssertFalse(memo.contains(UnchangedPayloads.fingerprint(order("1"), scope: "es")), "another site misses")
        XCTAssertNotEqual(UnchangedPayloads.fingerprint(JSONValue.array([.string("a"), .string("b")])),
                          UnchangedPayloads.fingerprint(JSONValue.array([.string("ab")])), "structure counts, not just text")
    }

    /// Payload bytes are fingerprinted with ``PayloadHasher``: every byte counts wherever it lies (a 16-byte
    /// step, the tail, across a segment boundary), as do the length and the scope.
    func testEveryByteOfAPayloadCountsAndOnlyEqualBytesFingerprintAlike() {
        let sizes = [0, 1, 15, 16, 17, 31, 32, 1000, PayloadHasher.segment - 1, PayloadHasher.segment, PayloadHasher.segment + 17]
        var generator = SystemRandomNumberGenerator()
        var seen: Set<Int> = []
        for size in sizes {
            let bytes = Data((0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let fingerprint = UnchangedPayloads.fingerprint(bytes: bytes)
            XCTAssertEqual(UnchangedPayloads.fingerprint(bytes: Data(bytes)), fingerprint, "size \(size): equal bytes")
            XCTAssertTrue(seen.insert(fingerprint).inserted, "size \(size): a fingerprint of its own")
            XCTAssertNotEqual(UnchangedPayloads.fingerprint(bytes: bytes, scope: "es"), fingerprint, "size \(size): the scope counts")
            XCTAssertNotEqual(UnchangedPayloads.fingerprint(bytes: bytes + [0]), fingerprint, "size \(size): a zero byte more counts")
            for position in Set([0, size / 2, size - 1, PayloadHasher.segment - 1, PayloadHasher.segment]) where position >= 0 && position < size {
                var changed = bytes
                changed[position] ^= 0x01
                XCTAssertNotEqual(UnchangedPayloads.fingerprint(bytes: changed), fingerprint, "size \(size): bit flipped at \(position)")
            }
        }
        // The same bytes read from a file a segment at a time (a streamed Spartoo reply) fingerprint alike.
        let big = Data((0..<(2 * PayloadHasher.segment + 5)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("payload-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        XCTAssertNoThrow(try big.write(to: file))
        XCTAssertEqual(try SpartooXML.fingerprint(file: file, scope: "window fr"), UnchangedPayloads.fingerprint(bytes: big, scope: "window fr"))
        XCTAssertNoThrow(try Data().write(to: file))
        XCTAssertEqual(try SpartooXML.fingerprint(file: file, scope: "s"), UnchangedPayloads.fingerprint(bytes: Data(), scope: "s"))
    }

    func testWhatAPollNeitherSawNorStoredIsForgotten() {
        let memo = UnchangedPayloads()
        let a = UnchangedPayloads.fingerprint(order("1")), b = UnchangedPayloads.fingerprint(order("2"))
        memo.remember([a, b])
        memo.startPoll()
        XCTAssertTrue(memo.contains(a), "seen again in this poll: kept")
        memo.startPoll()
        XCTAssertTrue(memo.contains(a))
        XCTAssertFalse(memo.contains(b), "not listed by the last poll: forgotten")
        XCTAssertEqual(memo.count, 1)
    }

    func testAPageSkippedWholeKeepsItsOrdersKnown() {
        let memo = UnchangedPayloads()
        let a = UnchangedPayloads.fingerprint(order("1")), b = UnchangedPayloads.fingerprint(order("2")), page = 99
        memo.remember([a, b])
        memo.remember(page, value: 3, members: [a, b])
        for _ in 0..<3 {
            memo.startPoll()
            XCTAssertEqual(memo.value(for: page), 3, "the page and where the listing goes on")
        }
        memo.startPoll()
        XCTAssertTrue(memo.contains(a), "orders on a page only ever skipped whole are not forgotten")
        XCTAssertTrue(memo.contains(b))
    }

    func testIngestRemembersAPageOnlyOnceItIsCommitted() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ordersync-memo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try Store(path: directory.appendingPathComponent("db.sqlite3").path)
        let ingest = Ingest(store: store, channelID: "bm", autoAccept: false, rules: [], logger: Logger(level: .error, handler: InMemoryLogHandler()))
        let memo = UnchangedPayloads()
        let fingerprint = UnchangedPayloads.fingerprint(order("7"))
        let good = Order(ref: OrderRef(channel: "bm", externalID: "7"), channelType: "backmarket", status: .awaitingAcceptance,
                         channelStatus: "1", currency: "EUR")
        _ = try store.db.execute("CREATE TRIGGER refuse BEFORE INSERT ON orders BEGIN SELECT RAISE(ABORT, 'refused'); END")
        XCTAssertThrowsError(try ingest.store(OrderPage(orders: [FetchedOrder(order: good, raw: Data())], onCommit: memo.onCommit(remembering: [fingerprint]))))
        XCTAssertFalse(memo.contains(fingerprint), "rolled back: not remembered")
        _ = try store.db.execute("DROP TRIGGER refuse")
        try ingest.store(OrderPage(orders: [FetchedOrder(order: good, raw: Data())], onCommit: memo.onCommit(remembering: [fingerprint])))
        XCTAssertTrue(memo.contains(fingerprint))
    }
}
