import Foundation
import XCTest

@testable import OrderSync

/// Every long-running part is a `Service`: cancellation is a normal stop, not an error. The daemon's
/// states move as `DaemonLifecycle` says.
final class ServiceTests: StoreTestCase {
    func ingest() -> Ingest {
        Ingest(store: store, channelID: "bm-eu", autoAccept: false, rules: [], logger: .discarding)
    }

    /// Runs `service`, waits for `started` (if given), cancels, and returns what `run` ended with.
    func cancelled(_ service: any Service, started: AsyncStream<Void>? = nil) async throws {
        let task = Task { try await service.run() }
        if let started { for await _ in started { break } }
        task.cancel()
        try await task.value
    }

    func testCancellingAPollerMidRunStopsItWithoutAnError() async throws {
        let (cycles, cycled) = AsyncStream<Void>.makeStream()
        let poller = Poller(connector: ScriptedConnector(reads: [:]), ingest: ingest(), interval: 3600, logger: .discarding,
                            onCycle: { cycled.yield() })
        try await cancelled(poller, started: cycles)
        XCTAssertNotNil(try store.channelHealth()["bm-eu"]?.lastSuccessAt, "it ran a cycle before the stop")
    }

    func testCancellationStopsEveryOtherServiceWithoutAnError() async throws {
        let inboxDir = temp.directory.appendingPathComponent("inbox").path
        let config = Fixture.config(stateDir: temp.directory.path)
        let services: [any Service] = [
            Pusher(connector: ScriptedConnector(reads: [:]), ingest: ingest(), logger: .discarding, tick: 3600),
            DeadlineWatch(store: store, windows: ["bm-eu": 24], logger: .discarding),
            Inbox(directory: inboxDir, operations: Operations(config: config, store: store), logger: .discarding),
            Heartbeat(config: config, store: store, notifier: nil, watchdog: nil),
        ]
        for service in services {
            do { try await cancelled(service) } catch { XCTFail("\(type(of: service)) ended with \(error)") }
        }
        let group = ServiceGroup(services.map { (name: "\(type(of: $0))", service: $0) }, logger: .discarding)
        let running = Task { await group.run() }
        running.cancel()
        await running.value
    }

    func testAServiceThatThrowsEndsAloneAndIsLogged() async {
        struct Broken: Service { func run() async throws { throw ChannelError(.permanent, operation: "run", message: "broken") } }
        let log = InMemoryLogHandler()
        await ServiceGroup([("broken", Broken())], logger: Logger(level: .trace, handler: log)).run()
        XCTAssertTrue(log.entries.contains { $0.message == "service stopped on error" }, "\(log.entries)")
    }

    // MARK: Daemon states

    func loaded() -> LoadedConfig { LoadedConfig(config: Fixture.config(), secrets: [:], warnings: []) }

    func testAStopWhileRunningCancelsAndEndsStopped() {
        var life = DaemonLifecycle()
        XCTAssertEqual(life.state, .starting)
        XCTAssertTrue(life.servicesStarted())
        XCTAssertEqual(life.state, .running)
        XCTAssertTrue(life.requestStop())
        XCTAssertEqual(life.state, .stopping)
        XCTAssertNil(life.servicesEnded())
        life.finished()
        XCTAssertEqual(life.state, .stopped)
        XCTAssertFalse(life.requestStop(), "nothing left to cancel")
    }

    func testAReloadRestartsTheServicesWithTheNewConfig() {
        var life = DaemonLifecycle()
        _ = life.servicesStarted()
        XCTAssertTrue(life.requestReload(loaded()))
        XCTAssertEqual(life.state, .reloading)
        XCTAssertNotNil(life.servicesEnded())
        XCTAssertEqual(life.state, .starting)
        XCTAssertTrue(life.servicesStarted())
        XCTAssertEqual(life.state, .running)
    }

    func testAStopWinsOverAReloadAndAStopBeforeStartCancelsAtOnce() {
        var life = DaemonLifecycle()
        _ = life.servicesStarted()
        _ = life.requestReload(loaded())
        _ = life.requestStop()
        XCTAssertFalse(life.requestReload(loaded()), "a reload while stopping is dropped")
        XCTAssertNil(life.servicesEnded(), "the reloaded config is not started")
        var early = DaemonLifecycle()
        _ = early.requestStop()
        XCTAssertFalse(early.servicesStarted())
    }
}
