import Foundation

/// Sends alerts to the configured command and webhook, off the sync path.
///
/// ``send(_:)`` only queues (it never waits). Each target has its own queue and worker, so a hanging
/// command does not hold back the webhook. An attempt is bounded (the command is killed after
/// ``timeout``; the webhook request times out after it), a failed one is retried after ``retryDelays``,
/// and an alert that could not be delivered is logged once, naming the target (`command` or `webhook`),
/// never the webhook's URL. ``close()`` lets the queued alerts drain and stops the workers.
public final class AlertDelivery: AlertSink {
    /// Where alerts go.
    public enum Target: Sendable, Hashable, CustomStringConvertible {
        /// argv; the alert JSON and a newline on stdin.
        case command([String])
        /// POST of the alert JSON (`Content-Type: application/json`); a 2xx answer is success.
        case webhook(Secret)

        /// `command` or `webhook`: how logs name it.
        public var description: String {
            switch self {
            case .command: "command"
            case .webhook: "webhook"
            }
        }
    }

    /// Limit of one attempt.
    public let timeout: TimeInterval
    /// Waits before the second, third… attempt.
    public let retryDelays: [TimeInterval]
    /// Alerts waiting per target beyond this are dropped (the oldest kept): a flood never grows memory.
    static let queueLimit = 200

    /// What this delivery sends to, in the config's order.
    public let targets: [Target]
    private let queues: [AsyncStream<Alert>.Continuation]

    /// Starts one worker per target.
    public init(targets: [Target], transport: any HTTPTransport = URLSessionTransport(), logger: Logger,
                timeout: TimeInterval = 10, retryDelays: [TimeInterval] = [5, 30]) {
        self.timeout = timeout
        self.retryDelays = retryDelays
        self.targets = targets
        var queues: [AsyncStream<Alert>.Continuation] = []
        for target in targets {
            let (stream, continuation) = AsyncStream<Alert>.makeStream(bufferingPolicy: .bufferingOldest(Self.queueLimit))
            queues.append(continuation)
            let log = logger.with("alert.target", .string(target.description))
            Task.detached {
                for await alert in stream {
                    await AlertDelivery.deliver(alert, to: target, transport: transport, timeout: timeout,
                                                retryDelays: retryDelays, logger: log)
                }
            }
        }
        self.queues = queues
    }

    /// Queues an alert for every target; returns at once.
    public func send(_ alert: Alert) {
        for queue in queues { queue.yield(alert) }
    }

    /// Stops taking alerts; the workers end once their queues are empty.
    public func close() {
        for queue in queues { queue.finish() }
    }

    private static func deliver(_ alert: Alert, to target: Target, transport: any HTTPTransport, timeout: TimeInterval,
                                retryDelays: [TimeInterval], logger: Logger) async {
        let body = Data(alert.json.utf8)
        var lastError = ""
        for attempt in 0...retryDelays.count {
            if attempt > 0 { try? await Task.sleep(nanoseconds: UInt64(retryDelays[attempt - 1] * 1e9)) }
            switch target {
            case .command(let argv):
                switch await AlertCommand.run(argv, input: body + Data("\n".utf8), timeout: timeout) {
                case .success: return
                case .failure(let failure): lastError = failure.description
                }
            case .webhook(let url):
                guard let endpoint = URL(string: url.reveal()) else { lastError = "not a URL"; break }
                let request = ChannelRequest(method: "POST", url: endpoint, headers: [("Content-Type", "application/json")], body: body)
                do {
                    let response = try await transport.send(request, timeout: timeout)
                    if (200..<300).contains(response.status) { return }
                    lastError = "HTTP \(response.status)"
                } catch let error as TransportError {
                    lastError = error.description  // never the URL
                } catch {
                    lastError = String(describing: type(of: error))
                }
            }
        }
        logger.error("alert not delivered", ["event": .string(alert.event.name), "attempts": .int(retryDelays.count + 1),
                                             "error": .string(lastError)])
    }
}
