import Foundation
import XCTest

@testable import OrderSync

/// FoundationNetworking queues a `didWriteData` call per chunk of a download, and each call holds its
/// chunk until it runs on the session's delegate queue. The daemon's delegate queue must therefore run
/// while the default-QoS dispatch pool (shared with Swift concurrency, as wide as the CPUs) is busy: that
/// pool kept busy by an import made the calls wait and held a whole Spartoo window of chunks (~90 MB).
final class StreamingSessionTests: XCTestCase {
    /// Synchronous on purpose: the test waits on the main thread, outside the pool it fills.
    func testTheDelegateQueueRunsWhileTheDefaultPoolIsBusy() {
        let width = ProcessInfo.processInfo.activeProcessorCount
        let release = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        let blockers = width * 4
        for _ in 0..<blockers {
            DispatchQueue.global().async {
                started.signal()
                _ = release.wait(timeout: .now() + 60)
            }
        }
        for _ in 0..<width { started.wait() }  // every thread of the pool is now blocked
        defer { for _ in 0..<blockers { release.signal() } }

        // What FoundationNetworking makes when given no queue: served by that pool, so it waits.
        let fallback = OperationQueue()
        fallback.maxConcurrentOperationCount = 1
        let fallbackRan = DispatchSemaphore(value: 0)
        fallback.addOperation { fallbackRan.signal() }
        XCTAssertEqual(fallbackRan.wait(timeout: .now() + 1), .timedOut,
                       "the default delegate queue waits for the busy pool (the mechanism of the spike)")

        let ran = DispatchSemaphore(value: 0)
        StreamingSession.delegateQueue(label: "test").addOperation { ran.signal() }
        XCTAssertEqual(ran.wait(timeout: .now() + 20), .success, "the streaming session's delegate queue has a thread of its own")
    }

    /// The daemon's two sessions (ordinary requests, streamed replies) are given that queue, not left to
    /// FoundationNetworking's default.
    func testBothSessionsRunTheirCallbacksOnASerialQueueOfTheirOwn() {
        let transport = URLSessionTransport()
        XCTAssertTrue(transport.session.delegateQueue is SerialOperationQueue, "\(transport.session.delegateQueue)")
        XCTAssertTrue(transport.streaming.session().delegateQueue is SerialOperationQueue)
        XCTAssertEqual(transport.session.delegateQueue.maxConcurrentOperationCount, 1)
    }
}
