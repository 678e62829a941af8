import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension URLSessionTransport {
    /// Streams the body to disk as libcurl hands it over: the reply is never held in memory, whatever its
    /// size. A download task, not a data task with a delegate: FoundationNetworking writes each chunk to
    /// the task's file on libcurl's own thread, so a slow reader slows the transfer (TCP back-pressure).
    /// A data delegate instead gets every chunk queued to it, and on a loaded machine tens of megabytes of
    /// chunks waited there (issue 17). The task's file is made in the process's temporary directory
    /// (``ReplyFiles/useAsTemporaryDirectory(_:)`` points it at `state_dir/replies`) and moved to `file`.
    /// A 2xx reply is handed back as `bodyFile`; another status's body is read back into memory (its
    /// first megabyte: error pages are small) and `file` left empty.
    public func download(_ request: ChannelRequest, to file: URL, timeout: TimeInterval) async throws -> ChannelResponse {
        let urlRequest = Self.urlRequest(request, timeout: timeout)
        ReplyFiles.removeAbandonedDownloads()
        try ReplyFiles.ensureRoom(for: file)
        let handle = TaskHandle()
        let response: URLResponse = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<URLResponse, Error>) in
                let session = streaming.session()
                let task = session.downloadTask(with: urlRequest)
                streaming.receiver.register(task, destination: file, followsRedirects: ChannelHTTP.isIdempotent(request.method),
                                            continuation: continuation)
                handle.start(task)
            }
        } onCancel: {
            DispatchQueue.global().async { handle.cancel() }
        }
        var reply = try Self.channelResponse(response, body: Data(), bodyFile: file)
        if let size = (try? FileManager.default.attributesOfItem(atPath: file.path))?[.size] as? Int64 {
            ReplyFiles.noteReplySize(size)
        }
        if !(200..<300).contains(reply.status) {
            // At most the first megabyte: an error page is small, and one that is not must not be held whole.
            let handle = try? FileHandle(forReadingFrom: file)
            reply.body = (try? handle?.read(upToCount: 1 << 20)) ?? Data()
            try? handle?.close()
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
            let session = URLSession(configuration: URLSessionTransport.configuration(), delegate: receiver, delegateQueue: Self.delegateQueue(label: "ordersync.replies"))
            made = session
            return session
        }
    }

    /// The delegate's queue, on a serial dispatch queue of its own. FoundationNetworking writes each chunk
    /// of a download on libcurl's thread and then queues a `didWriteData` call that holds the chunk until
    /// it runs. Its default delegate queue is a concurrent one, served by the default-QoS thread pool, as
    /// wide as the CPUs and shared with the Swift concurrency threads: while the import kept both busy,
    /// the calls waited, and one 100k backlog run in four or five held ~90 MB of chunks (a whole date
    /// window's reply, issue 17; seen in the daemon's memory as the reply's XML, no thread in our code). A serial
    /// queue is served by a thread of its own (libdispatch's overcommit pool), so the calls keep up.
    static func delegateQueue(label: String) -> OperationQueue {
        SerialOperationQueue(label: label)
    }

    func invalidate() { lock.withLock { made?.invalidateAndCancel() } }
}

/// Moves each finished download to its reply file and completes its continuation; refuses redirects of writes.
final class StreamingReceiver: NSObject, URLSessionDownloadDelegate, @unchecked Sendable {
    private struct Sink {
        let destination: URL
        let followsRedirects: Bool
        let continuation: CheckedContinuation<URLResponse, Error>
        var moveFailed = false
    }

    private let lock = NSLock()
    private var sinks: [Int: Sink] = [:]

    func register(_ task: URLSessionTask, destination: URL, followsRedirects: Bool,
                  continuation: CheckedContinuation<URLResponse, Error>) {
        lock.withLock {
            sinks[task.taskIdentifier] = Sink(destination: destination, followsRedirects: followsRedirects, continuation: continuation)
        }
    }

    func urlSession(_ session: URLSession, downloadTask: URLSessionDownloadTask, didFinishDownloadingTo location: URL) {
        guard let sink = lock.withLock({ sinks[downloadTask.taskIdentifier] }) else {
            ReplyFiles.remove(location)
            return
        }
        if !ReplyFiles.move(location, to: sink.destination) {
            ReplyFiles.remove(location)
            lock.withLock { sinks[downloadTask.taskIdentifier]?.moveFailed = true }
        }
    }

    func urlSession(_ session: URLSession, downloadTask: URLSessionDownloadTask, didWriteData bytesWritten: Int64,
                    totalBytesWritten: Int64, totalBytesExpectedToWrite: Int64) {}

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        let follows = lock.withLock { sinks[task.taskIdentifier]?.followsRedirects ?? false }
        completionHandler(follows ? request : nil)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        guard let sink = lock.withLock({ sinks.removeValue(forKey: task.taskIdentifier) }) else { return }
        if sink.moveFailed {
            sink.continuation.resume(throwing: TransportError(timedOut: false, message: "cannot write the reply to the state directory"))
        } else if let error {
            // A transfer cut short leaves its partial file behind (FoundationNetworking does not say where):
            // the next download's start removes such files once nothing has written to them for a while.
            sink.continuation.resume(throwing: URLSessionTransport.transportError(error))
        } else if let response = task.response {
            sink.continuation.resume(returning: response)
        } else {
            sink.continuation.resume(throwing: TransportError(timedOut: false, message: "no response"))
        }
    }
}

/// An `OperationQueue` run by a serial dispatch queue that it holds itself. `underlyingQueue` is declared
/// `unowned(unsafe)` (Darwin's API): swift-corelibs-foundation happens to keep a strong reference, but the
/// compiler warns that a queue created in the assignment is released at once, and nothing promises it.
final class SerialOperationQueue: OperationQueue, @unchecked Sendable {
    let serial: DispatchQueue

    init(label: String) {
        serial = DispatchQueue(label: label)
        super.init()
        name = label
        maxConcurrentOperationCount = 1
        underlyingQueue = serial
    }
}
