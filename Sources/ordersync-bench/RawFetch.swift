import ChannelSimulator
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The fetch limit: a bare URLSession loop that sends again exactly the requests the daemon's walks sent
/// (same method, path, query, headers and body), one at a time per channel with the channels side by side
/// (as the daemon's pollers run), and discards the replies.
enum RawFetch {
    struct Plan: Sendable {
        var channel: String
        var base: URL
        var requests: [HTTPRequest]
    }

    struct Result: Sendable {
        var seconds: Double
        var requests: Int
        var bytes: Int
        var failures: Int
        /// Seconds until each channel's last reply.
        var perChannel: [String: Double]
    }

    static func replay(_ plans: [Plan]) async -> Result {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 300
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let started = Date()
        let outcomes = await withTaskGroup(of: (String, Double, Int, Int, Int).self) { group in
            for plan in plans {
                group.addTask {
                    var bytes = 0, failures = 0
                    for request in plan.requests {
                        do {
                            let (data, response) = try await session.data(for: urlRequest(request, base: plan.base))
                            bytes += data.count
                            if (response as? HTTPURLResponse)?.statusCode != 200 { failures += 1 }
                        } catch {
                            failures += 1
                        }
                    }
                    return (plan.channel, Date().timeIntervalSince(started), plan.requests.count, bytes, failures)
                }
            }
            var all: [(String, Double, Int, Int, Int)] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        return Result(seconds: Date().timeIntervalSince(started), requests: outcomes.reduce(0) { $0 + $1.2 },
                      bytes: outcomes.reduce(0) { $0 + $1.3 }, failures: outcomes.reduce(0) { $0 + $1.4 },
                      perChannel: Dictionary(outcomes.map { ($0.0, $0.1) }, uniquingKeysWith: max))
    }

    /// The request as URLSession sends it; hop-by-hop and length headers are left to URLSession.
    static func urlRequest(_ request: HTTPRequest, base: URL) -> URLRequest {
        let path = request.path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? request.path
        let url = URL(string: base.absoluteString + path + (request.rawQuery.isEmpty ? "" : "?" + request.rawQuery))!
        var urlRequest = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: 300)
        urlRequest.timeoutInterval = 300
        urlRequest.httpMethod = request.method
        let skipped: Set<String> = ["host", "content-length", "connection", "transfer-encoding", "expect"]
        for (name, value) in request.headers where !skipped.contains(name.lowercased()) {
            urlRequest.setValue(value, forHTTPHeaderField: name)
        }
        if !request.body.isEmpty { urlRequest.httpBody = request.body }
        return urlRequest
    }
}

/// `ordersync-bench --floor URL [--header "Name: value"]…`: the memory floor. A bare Foundation + URLSession
/// process that sends one GET, prints `floor ready`, then sleeps until killed; the benchmark reads its VmHWM.
enum Floor {
    static func run(url: URL, headers: [String]) async -> Never {
        let session = URLSession(configuration: .ephemeral)
        var request = URLRequest(url: url)
        for header in headers {
            guard let colon = header.firstIndex(of: ":") else { continue }
            request.setValue(header[header.index(after: colon)...].trimmingWhitespace(),
                             forHTTPHeaderField: String(header[..<colon]))
        }
        let line: String
        do {
            let (data, response) = try await session.data(for: request)
            line = "floor ready: status \((response as? HTTPURLResponse)?.statusCode ?? 0), \(data.count) bytes\n"
        } catch {
            line = "floor request failed: \(error)\n"
        }
        FileHandle.standardOutput.write(Data(line.utf8))
        while true { sleep(3600) }
    }
}
