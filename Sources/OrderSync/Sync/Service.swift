import Foundation

/// A long-running part of the daemon (a channel's poller or pusher, the deadline watch, the inbox, the
/// heartbeat, the watchdog timer). `run` works until its task is cancelled and then returns normally:
/// cancellation is a stop, never an error. It throws only when the part cannot go on.
public protocol Service: Sendable {
    /// Runs until the task is cancelled (returns normally) or the service cannot continue (throws).
    func run() async throws
}

/// Runs services side by side until every one has returned. Cancelling the calling task stops them all.
/// A service that throws is logged and ends alone; the others keep running.
public struct ServiceGroup: Sendable {
    public let services: [(name: String, service: any Service)]
    public let logger: Logger

    public init(_ services: [(name: String, service: any Service)], logger: Logger) {
        self.services = services; self.logger = logger
    }

    /// Returns when every service has returned (after cancellation: once each has stopped).
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            for (name, service) in services {
                group.addTask {
                    do {
                        try await service.run()
                    } catch is CancellationError {
                        // A stop.
                    } catch {
                        logger.error("service stopped on error", ["service": .string(name), "error": .string("\(error)")])
                    }
                }
            }
            await group.waitForAll()
        }
    }
}
