import Foundation
import XCTest

@testable import OrderSync

/// The request gate's pacing: `burst` starts may follow each other at once after a quiet spell, the next
/// one waits for the spacing. (Spacing of 30 s against a 1 s look: no timing margin to flake on.)
final class RequestGateTests: XCTestCase {
    /// Whether `acquire` returns within `seconds`; a pending one is cancelled.
    func acquires(_ gate: RequestGate, within seconds: Double) async -> Bool {
        let attempt = Task { () -> Bool in
            do { try await gate.acquire(); await gate.release(); return true } catch { return false }
        }
        let timer = Task { try? await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000)); attempt.cancel() }
        let result = await attempt.value
        timer.cancel()
        return result
    }

    func testABurstOfStartsGoesAtOnceThenTheSpacingHolds() async {
        let gate = RequestGate(minimumSpacing: 30, burst: 3)
        for n in 1...3 {
            let started = await acquires(gate, within: 5)
            XCTAssertTrue(started, "start \(n) of the burst")
        }
        let fourth = await acquires(gate, within: 1)
        XCTAssertFalse(fourth, "the fourth start waits for the spacing")
    }

    func testWithoutABurstStartsAreSpaced() async {
        let gate = RequestGate(minimumSpacing: 30)
        let first = await acquires(gate, within: 5)
        XCTAssertTrue(first)
        let second = await acquires(gate, within: 1)
        XCTAssertFalse(second, "the second start waits for the spacing")
    }

    /// A push's request (urgent) waiting at the gate goes before a poll's request that was waiting first.
    func testAnUrgentRequestGoesBeforeOnesWaitingBeforeIt() async throws {
        let gate = RequestGate(minimumSpacing: 0)
        try await gate.acquire()  // a request under way
        let order = Recorder()
        let poll = Task { try await gate.acquire(); await order.add("poll"); await gate.release() }
        try await Task.sleep(nanoseconds: 100_000_000)
        let push = Task {
            try await RequestGate.$urgent.withValue(true) { try await gate.acquire() }
            await order.add("push")
            await gate.release()
        }
        try await Task.sleep(nanoseconds: 100_000_000)
        await gate.release()
        try await poll.value
        try await push.value
        let served = await order.items
        XCTAssertEqual(served, ["push", "poll"])
    }

    /// A poll's request waiting out the pacing does not hold the gate: a push arriving meanwhile goes first.
    func testAnUrgentRequestGoesBeforeOneWaitingForThePacing() async throws {
        let gate = RequestGate(minimumSpacing: 1)
        try await gate.acquire()
        await gate.release()  // the next start is a second away
        let order = Recorder()
        let poll = Task { try await gate.acquire(); await order.add("poll"); await gate.release() }
        try await Task.sleep(nanoseconds: 200_000_000)
        let push = Task {
            try await RequestGate.$urgent.withValue(true) { try await gate.acquire() }
            await order.add("push")
            await gate.release()
        }
        try await poll.value
        try await push.value
        let served = await order.items
        XCTAssertEqual(served, ["push", "poll"])
    }
}

actor Recorder {
    var items: [String] = []
    func add(_ item: String) { items.append(item) }
}
