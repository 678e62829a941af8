import Foundation
import XCTest

@testable import OrderSync

/// The alert command and webhook: bounded, retried, a failure logged once, the webhook URL never logged.
final class AlertDeliveryTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ordersync-alert-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
        super.tearDown()
    }

    let alert = Alert(time: Fixture.t0, event: .jobFailed, channel: "bm-eu", orderRef: Fixture.ref(), message: "ship failed")

    func testTheCommandReadsTheAlertJSONOnStdin() async throws {
        let out = dir + "/alert.json"
        let result = await AlertCommand.run(["/bin/sh", "-c", "cat > '\(out)'"], input: Data((alert.json + "\n").utf8), timeout: 10)
        XCTAssertNoThrow(try result.get())
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8), alert.json + "\n")
    }

    func testTheCommandGetsNoSecretFromTheDaemonsEnvironment() {
        let passed = AlertCommand.commandEnvironment(["PATH": "/usr/bin", "HOME": "/var/lib/ordersync",
                                                      "BM_TOKEN": "S3CRET-token", "CREDENTIALS_DIRECTORY": "/run/credentials/x"])
        XCTAssertEqual(passed, ["HOME=/var/lib/ordersync", "PATH=/usr/bin"])
        XCTAssertEqual(AlertCommand.commandEnvironment([:]), ["PATH=/usr/local/bin:/usr/bin:/bin"])
    }

    func testTheCommandInheritsNoDescriptorOfTheDaemon() async throws {
        // A descriptor without close-on-exec, like the pipe a supervisor watches to see the daemon exit.
        var fds: [Int32] = [-1, -1]
        XCTAssertEqual(pipe(&fds), 0)
        defer { close(fds[0]); close(fds[1]) }
        let out = dir + "/fds"
        let result = await AlertCommand.run(["/bin/sh", "-c", "ls /proc/$$/fd > '\(out)'"], input: Data(), timeout: 10)
        XCTAssertNoThrow(try result.get())
        let open = Set(try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").compactMap { Int32($0) })
        XCTAssertTrue(open.isSuperset(of: [0, 1, 2]), "\(open)")
        XCTAssertFalse(open.contains(fds[0]) || open.contains(fds[1]), "the command inherited the daemon's pipe: \(open)")
    }

    func testAHangingCommandIsKilledWithItsChildrenAtTheTimeLimit() async throws {
        let pidFile = dir + "/child.pid"
        // The shell starts a child that would outlive it; the whole group must go.
        let result = await AlertCommand.run(["/bin/sh", "-c", "sleep 300 & echo $! > '\(pidFile)'; wait"],
                                            input: Data("{}\n".utf8), timeout: 0.5)
        guard case .failure(let failure) = result else { return XCTFail("a hanging command succeeded") }
        XCTAssertTrue(failure.description.hasPrefix("killed after"), failure.description)
        let child = try XCTUnwrap(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        // The child is gone (ESRCH) or a zombie waiting for init: either way it no longer runs. SIGKILL is
        // delivered asynchronously, so wait for the kernel to finish it (bounded; no fixed sleep).
        func state() -> Substring? {
            (try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8))?.split(separator: " ").dropFirst(2).first
        }
        let deadline = Date().addingTimeInterval(10)
        while let s = state(), s != "Z", Date() < deadline { usleep(10_000) }
        XCTAssertTrue(state() == nil || state() == "Z", "child still running: state \(state().map(String.init) ?? "-")")
    }

    func testACommandThatExitsWithoutReadingFailsWithoutHurtingTheDaemon() async {
        let result = await AlertCommand.run(["/bin/sh", "-c", "exit 3"], input: Data(repeating: 0x41, count: 4096), timeout: 10)
        guard case .failure(let failure) = result else { return XCTFail("exit 3 succeeded") }
        XCTAssertEqual(failure.description, "exit status 3")
    }

    func testAnUndeliverableAlertIsRetriedThenLoggedOnceWithoutTheWebhookURL() async throws {
        let logs = InMemoryLogHandler()
        let attempts = dir + "/attempts"
        let url = "http://127.0.0.1:1/S3CRET-hook-token"
        let delivery = AlertDelivery(targets: [.command(["/bin/sh", "-c", "echo x >> '\(attempts)'; exit 1"]), .webhook(Secret(url))],
                                     logger: Logger(level: .trace, handler: logs), timeout: 2, retryDelays: [0, 0])
        delivery.send(alert)
        let deadline = Date().addingTimeInterval(30)
        while logs.entries.filter({ $0.message == "alert not delivered" }).count < 2 && Date() < deadline {
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        delivery.close()
        let failures = logs.entries.filter { $0.message == "alert not delivered" }
        XCTAssertEqual(failures.count, 2, "one line per target")
        XCTAssertEqual(Set(failures.compactMap { $0.fields.first { $0.0 == "alert.target" }?.1.description }), ["command", "webhook"])
        XCTAssertEqual(try String(contentsOfFile: attempts, encoding: .utf8).split(separator: "\n").count, 3, "tried three times")
        let text = logs.entries.map { "\($0.message) \($0.fields.map { "\($0.0)=\($0.1)" })" }.joined(separator: "\n")
        XCTAssertFalse(text.contains("S3CRET"), text)
        XCTAssertFalse(text.contains("127.0.0.1:1"), text)
    }
}
