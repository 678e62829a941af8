import Foundation
import OrderSync
import XCTest

/// WatchdogGate: WATCHDOG=1 goes out only for ticks that follow progress of the main loop.
final class WatchdogGateTests: XCTestCase {
    func testTicksPingOnlyAfterProgress() throws {
        let directory = try TemporaryDirectory()
        let receiver = try DatagramReceiver(path: directory.path("notify"))
        let notifier = try XCTUnwrap(SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.notifySocket]))
        let gate = WatchdogGate(notifier: notifier)

        XCTAssertFalse(gate.tick(), "no ping before the first iteration")
        XCTAssertFalse(receiver.hasPending)

        gate.progress()
        XCTAssertTrue(gate.tick())
        XCTAssertEqual(receiver.receive(), "WATCHDOG=1")

        XCTAssertFalse(gate.tick(), "a wedged loop gets no more pings")
        XCTAssertFalse(gate.tick())
        XCTAssertFalse(receiver.hasPending)

        gate.progress()
        gate.progress()
        XCTAssertTrue(gate.tick(), "several iterations between ticks: one ping")
        XCTAssertEqual(receiver.receive(), "WATCHDOG=1")
        XCTAssertFalse(receiver.hasPending)
    }

    func testATickThatCannotDeliverStillConsumesTheProgress() {
        let pings = Counter()
        let gate = WatchdogGate { pings.increment(); return false }
        gate.progress()
        XCTAssertFalse(gate.tick(), "reports the failed delivery")
        XCTAssertFalse(gate.tick())
        XCTAssertEqual(pings.value, 1)
    }

    func testRunTicksUntilCancelled() async throws {
        let (pings, continuation) = AsyncStream.makeStream(of: Void.self)
        let gate = WatchdogGate { continuation.yield(); return true }
        let timer = Task { await gate.run(every: .milliseconds(5)) }

        gate.progress()
        var iterator = pings.makeAsyncIterator()
        _ = await iterator.next()  // the first tick after progress pings

        timer.cancel()
        await timer.value  // returns, rather than hanging or throwing, on cancellation
    }
}

/// A thread-safe call counter.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
