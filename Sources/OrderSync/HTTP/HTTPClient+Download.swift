import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension URLSessionTransport {
    /// Streams a 2xx body to `file` chunk by chunk as libcurl hands it over: the reply is never held in
    /// memory, whatever its size. Another status's body is read back into memory (error pages are small).
    public func download(_ request: ChannelRequest, to file: URL, timeout: TimeInterval) async throws -> ChannelResponse {
        let urlRequest = Self.urlRequest(request, timeout: timeout)
        let output = try FileHandle(forWritingTo: file)
        let handle = DataTaskHandle()
        let response: URLResponse = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<URLResponse, Error>) in
                let session = streaming.session()
                let task = session.dataTask(with: urlRequest)
                streaming.receiver.register(task, output: output, followsRedirects: ChannelHTTP.isIdempotent(request.method),
                                            continuation: continuation)
                handle.start(task)
            }
        } onCancel: {
            DispatchQueue.global().async { handle.cancel() }
        }
        var reply = try Self.channelResponse(response, body: Data(), bodyFile: file)
        if !(200..<300).contains(reply.status) {
            reply.body = (try? Data(contentsOf: file)) ?? Data()
            reply.bodyFile = nil
            try? FileHandle(forWritingTo: file).truncate(atOffset: 0)
        }
        return reply
    }
}

/// The URLSession used for streamed replies, created on first use, with its delegate.
final class StreamingSession: @unchecked Sendable {
    let receiver = StreamingReceiver()
    private let lock = NSLock()
    private var made: URLSession?

    func session() -> URLSession {
        lock.withLock {
            if let made { return made }
            let configuration = URLSessionConfiguration.ephemeral
            configuration.httpCookieAcceptPolicy = .never
            configuration.httpShouldSetCookies = false
            configuration.urlCache = nil
            configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
            configuration.httpMaximumConnectionsPerHost = 2
            let session = URLSession(configuration: configuration, delegate: receiver, delegateQueue: nil)
            made = session
            return session
        }
    }

    func invalidate() { lock.withLock { made?.invalidateAndCancel() } }
}

/// Writes each task's body chunks to its file and completes its continuation; refuses redirects of writes.
final class StreamingReceiver: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private struct Sink {
        let output: FileHandle
        let followsRedirects: Bool
        let continuation: CheckedContinuation<URLResponse, Error>
        var writeFailed = false
    }

    private let lock = NSLock()
    private var sinks: [Int: Sink] = [:]

    func register(_ task: URLSessionTask, output: FileHandle, followsRedirects: Bool,
                  continuation: CheckedContinuation<URLResponse, Error>) {
        lock.withLock {
            sinks[task.taskIdentifier] = Sink(output: output, followsRedirects: followsRedirects, continuation: continuation)
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard let sink = lock.withLock({ sinks[dataTask.taskIdentifier] }), !sink.writeFailed else { return }
        do {
            try sink.output.write(contentsOf: data)
        } catch {
            lock.withLock { sinks[dataTask.taskIdentifier]?.writeFailed = true }
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        let follows = lock.withLock { sinks[task.taskIdentifier]?.followsRedirects ?? false }
        completionHandler(follows ? request : nil)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        guard let sink = lock.withLock({ sinks.removeValue(forKey: task.taskIdentifier) }) else { return }
        try? sink.output.close()
        if sink.writeFailed {
            sink.continuation.resume(throwing: TransportError(timedOut: false, message: "cannot write the reply to the state directory"))
        } else if let error {
            sink.continuation.resume(throwing: URLSessionTransport.transportError(error))
        } else if let response = task.response {
            sink.continuation.resume(returning: response)
        } else {
            sink.continuation.resume(throwing: TransportError(timedOut: false, message: "no response"))
        }
    }
}
