#if canImport(Glibc)
import Glibc
#endif
import Foundation
import OrderSync
import XCTest

/// SystemdNotifier against real AF_UNIX datagram sockets, checking the exact bytes systemd would read.
final class SystemdNotifierTests: XCTestCase {
    func testEveryMessageReachesAFileSystemSocket() throws {
        let directory = try TemporaryDirectory()
        let receiver = try DatagramReceiver(path: directory.path("notify"))
        let notifier = try XCTUnwrap(SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.notifySocket]))
        try assertMessages(notifier, arriveAt: receiver)
    }

    func testEveryMessageReachesAnAbstractSocket() throws {
        let receiver = try DatagramReceiver(abstract: ())
        XCTAssertTrue(receiver.notifySocket.hasPrefix("@"))
        let notifier = try XCTUnwrap(SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.notifySocket]))
        try assertMessages(notifier, arriveAt: receiver)
    }

    private func assertMessages(_ notifier: SystemdNotifier, arriveAt receiver: DatagramReceiver,
                                file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertTrue(notifier.ready(), file: file, line: line)
        XCTAssertEqual(receiver.receive(), "READY=1", file: file, line: line)

        XCTAssertTrue(notifier.status("polling bm-eu: 3 new orders"), file: file, line: line)
        XCTAssertEqual(receiver.receive(), "STATUS=polling bm-eu: 3 new orders", file: file, line: line)

        XCTAssertTrue(notifier.watchdog(), file: file, line: line)
        XCTAssertEqual(receiver.receive(), "WATCHDOG=1", file: file, line: line)

        XCTAssertTrue(notifier.stopping(), file: file, line: line)
        XCTAssertEqual(receiver.receive(), "STOPPING=1", file: file, line: line)

        let before = monotonicMicroseconds()
        XCTAssertTrue(notifier.reloading(), file: file, line: line)
        let after = monotonicMicroseconds()
        let reloading = try XCTUnwrap(receiver.receive(), file: file, line: line)
        let lines = reloading.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, 2, reloading, file: file, line: line)
        XCTAssertEqual(lines.first, "RELOADING=1", file: file, line: line)
        let stamp = try XCTUnwrap(lines.last.flatMap { $0.split(separator: "=", maxSplits: 1).last }
            .flatMap { UInt64($0) }, reloading, file: file, line: line)
        XCTAssertTrue(lines.last?.hasPrefix("MONOTONIC_USEC=") == true, reloading, file: file, line: line)
        XCTAssertTrue((before...after).contains(stamp), "\(stamp) not in \(before)...\(after)",
                      file: file, line: line)

        XCTAssertFalse(receiver.hasPending, "one datagram per call", file: file, line: line)
    }

    func testNotifySendsSortedFieldsInOneDatagram() throws {
        let directory = try TemporaryDirectory()
        let receiver = try DatagramReceiver(path: directory.path("notify"))
        let notifier = try XCTUnwrap(SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.notifySocket]))

        XCTAssertTrue(notifier.notify(["STATUS": "ready", "READY": "1"]))
        XCTAssertEqual(receiver.receive(), "READY=1\nSTATUS=ready")
    }

    func testNewlinesInValuesCannotInjectFields() throws {
        let directory = try TemporaryDirectory()
        let receiver = try DatagramReceiver(path: directory.path("notify"))
        let notifier = try XCTUnwrap(SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.notifySocket]))

        XCTAssertTrue(notifier.status("bad line\nREADY=1"))
        XCTAssertEqual(receiver.receive(), "STATUS=bad line READY=1")

        XCTAssertFalse(notifier.notify(["A=B": "1"]), "a key with '=' is refused")
        XCTAssertFalse(notifier.notify(["": "1"]), "an empty key is refused")
        XCTAssertFalse(receiver.hasPending, "a refused message sends nothing")
    }

    func testNoNotifierWithoutAUsableSocket() {
        XCTAssertNil(SystemdNotifier(environment: [:]))
        XCTAssertNil(SystemdNotifier(environment: ["NOTIFY_SOCKET": ""]))
        XCTAssertNil(SystemdNotifier(environment: ["NOTIFY_SOCKET": "@"]))
        XCTAssertNil(SystemdNotifier(environment: ["NOTIFY_SOCKET": "relative/path"]))
        XCTAssertNil(SystemdNotifier(environment: ["NOTIFY_SOCKET": "vsock:2:1234"]))
        XCTAssertNil(SystemdNotifier(environment: ["NOTIFY_SOCKET": "/" + String(repeating: "x", count: 200)]))
    }

    func testSendingToAMissingSocketFailsQuietly() throws {
        let directory = try TemporaryDirectory()
        let notifier = try XCTUnwrap(SystemdNotifier(environment: ["NOTIFY_SOCKET": directory.path("gone")]))
        XCTAssertFalse(notifier.ready())
        XCTAssertFalse(notifier.watchdog())
    }

    func testWatchdogIntervalIsHalfOfWatchdogUsecForThisProcess() throws {
        let me = String(getpid())
        func interval(_ extra: [String: String]) -> Duration? {
            SystemdNotifier(environment: ["NOTIFY_SOCKET": "/run/test-notify"].merging(extra) { $1 })?
                .watchdogInterval
        }
        XCTAssertEqual(interval(["WATCHDOG_USEC": "60000000"]), .seconds(30))
        XCTAssertEqual(interval(["WATCHDOG_USEC": "60000000", "WATCHDOG_PID": me]), .seconds(30))
        XCTAssertEqual(interval(["WATCHDOG_USEC": "3"]), .microseconds(1))
        XCTAssertNil(interval(["WATCHDOG_USEC": "60000000", "WATCHDOG_PID": String(getpid() + 1)]))
        XCTAssertNil(interval(["WATCHDOG_USEC": "60000000", "WATCHDOG_PID": "not-a-pid"]))
        XCTAssertNil(interval(["WATCHDOG_USEC": "0"]))
        XCTAssertNil(interval(["WATCHDOG_USEC": "soon"]))
        XCTAssertNil(interval([:]))
    }
}

/// CLOCK_MONOTONIC in µs, the clock MONOTONIC_USEC= is read against.
private func monotonicMicroseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
}
