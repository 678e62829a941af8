import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// `Backoff` (capped exponential with jitter) and `ErrorThrottle` (a repeated error logged once per interval).
final class BackoffTests: XCTestCase {
    let backoff = Backoff(base: 5, cap: 900)

    func testDelayDoublesFromTheBase() {
        XCTAssertEqual(backoff.delay(afterFailures: 1, jitter: 1), 5)
        XCTAssertEqual(backoff.delay(afterFailures: 2, jitter: 1), 10)
        XCTAssertEqual(backoff.delay(afterFailures: 3, jitter: 1), 20)
        XCTAssertEqual(backoff.delay(afterFailures: 8, jitter: 1), 640)
    }

    func testDelayIsCapped() {
        XCTAssertEqual(backoff.delay(afterFailures: 9, jitter: 1), 900)  // 1280 capped
        XCTAssertEqual(backoff.delay(afterFailures: 50, jitter: 1), 900)
        XCTAssertEqual(backoff.delay(afterFailures: Int.max, jitter: 1), 900, "a huge count neither overflows nor exceeds the cap")
    }

    func testZeroOrNegativeFailuresGiveTheBase() {
        XCTAssertEqual(backoff.delay(afterFailures: 0, jitter: 1), 5)
        XCTAssertEqual(backoff.delay(afterFailures: -3, jitter: 1), 5)
    }

    func testJitterScalesTheCappedDelay() {
        XCTAssertEqual(backoff.delay(afterFailures: 3, jitter: 0.8), 16, accuracy: 1e-9)
        XCTAssertEqual(backoff.delay(afterFailures: 3, jitter: 1.2), 24, accuracy: 1e-9)
        XCTAssertEqual(backoff.delay(afterFailures: 20, jitter: 1.2), 1080, accuracy: 1e-9)
    }

    func testDefaultJitterStaysWithinTwentyPercentAndVaries() {
        var seen = Set<TimeInterval>()
        for _ in 0..<2000 {
            let delay = backoff.delay(afterFailures: 3)
            XCTAssertGreaterThanOrEqual(delay, 16)
            XCTAssertLessThanOrEqual(delay, 24)
            seen.insert(delay)
            let capped = backoff.delay(afterFailures: 40)
            XCTAssertGreaterThanOrEqual(capped, 720)
            XCTAssertLessThanOrEqual(capped, 1080)
        }
        XCTAssertGreaterThan(seen.count, 100, "jitter must spread retries")
        XCTAssertTrue(seen.contains { $0 < 19 } && seen.contains { $0 > 21 }, "both sides of the nominal delay are used")
    }

    // MARK: ErrorThrottle

    func testRepeatedErrorIsLoggedOncePerInterval() {
        var throttle = ErrorThrottle(interval: 60)
        let t0 = Fixture.t0
        XCTAssertTrue(throttle.shouldLog("HTTP 503", now: t0))
        XCTAssertFalse(throttle.shouldLog("HTTP 503", now: t0.addingTimeInterval(1)))
        XCTAssertFalse(throttle.shouldLog("HTTP 503", now: t0.addingTimeInterval(59.9)))
        XCTAssertTrue(throttle.shouldLog("HTTP 503", now: t0.addingTimeInterval(60)))
        XCTAssertFalse(throttle.shouldLog("HTTP 503", now: t0.addingTimeInterval(119)))
        XCTAssertTrue(throttle.shouldLog("HTTP 503", now: t0.addingTimeInterval(120)))
    }

    func testADifferentErrorIsLoggedAtOnce() {
        var throttle = ErrorThrottle(interval: 60)
        let t0 = Fixture.t0
        XCTAssertTrue(throttle.shouldLog("HTTP 503", now: t0))
        XCTAssertTrue(throttle.shouldLog("HTTP 429", now: t0.addingTimeInterval(1)))
        XCTAssertFalse(throttle.shouldLog("HTTP 429", now: t0.addingTimeInterval(2)))
        XCTAssertTrue(throttle.shouldLog("HTTP 503", now: t0.addingTimeInterval(3)))
    }

    func testResetLogsTheNextErrorAtOnce() {
        var throttle = ErrorThrottle(interval: 60)
        let t0 = Fixture.t0
        XCTAssertTrue(throttle.shouldLog("HTTP 503", now: t0))
        throttle.reset()
        XCTAssertTrue(throttle.shouldLog("HTTP 503", now: t0.addingTimeInterval(1)))
        XCTAssertFalse(throttle.shouldLog("HTTP 503", now: t0.addingTimeInterval(2)))
    }

    func testLoggingCountOverAnHourOfFailuresEveryTenSeconds() {
        var throttle = ErrorThrottle(interval: 300)
        let logged = (0..<360).filter { throttle.shouldLog("connection refused", now: Fixture.t0.addingTimeInterval(Double($0) * 10)) }
        XCTAssertEqual(logged.count, 12)
        XCTAssertEqual(Array(logged.prefix(3)), [0, 30, 60])
    }
}
