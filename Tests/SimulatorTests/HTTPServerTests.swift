import Foundation
import XCTest

@testable import ChannelSimulator

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

final class HTTPServerTests: XCTestCase {
    private func echoServer(delay: TimeInterval = 0) throws -> HTTPServer {
        let server = HTTPServer { request in
            if delay > 0 { Thread.sleep(forTimeInterval: delay) }
            let query = request.queryItems.map { "\($0.name)=\($0.value)" }.joined(separator: "|")
            return .json(200, ["method": request.method, "path": request.path, "query": query,
                               "body": String(decoding: request.body, as: UTF8.self)])
        }
        try server.start()
        return server
    }

    func testServesJSONOverURLSessionAndReusesTheConnection() async throws {
        let server = try echoServer()
        defer { server.stop() }
        XCTAssertGreaterThan(server.port, 0)
        let client = TestClient(base: URL(string: "http://127.0.0.1:\(server.port)")!)
        for index in 0..<5 {
            let reply = try await client.send("POST", "/echo/%C3%A9t%C3%A9?a=1&b=x+y&c=%2B01%3A00&flag", json: ["n": index])
            XCTAssertEqual(reply.status, 200)
            XCTAssertEqual(reply.json?["path"] as? String, "/echo/été")
            XCTAssertEqual(reply.json?["query"] as? String, "a=1|b=x y|c=+01:00|flag=")
            XCTAssertEqual(reply.json?["body"] as? String, "{\"n\":\(index)}")
        }
        // Keep-alive: five sequential requests from one client need one connection.
        XCTAssertEqual(server.acceptedConnectionCount, 1)
    }

    func testHandlesConcurrentSlowRequestsInParallel() async throws {
        let server = try echoServer(delay: 0.3)
        defer { server.stop() }
        let client = TestClient(base: URL(string: "http://127.0.0.1:\(server.port)")!)
        let start = Date()
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<12 {
                group.addTask { try await client.send("GET", "/slow?i=\(index)").status }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(statuses, Array(repeating: 200, count: 12))
        XCTAssertLessThan(Date().timeIntervalSince(start), 2.5, "requests must not be served one at a time")
    }

    func testStopClosesLiveConnectionsPromptlyAndCanRestart() throws {
        let server = try echoServer(delay: 2)
        let port = server.port
        let idle = try RawClient(port: port)
        idle.write("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")  // its handler sleeps 2 s
        let waitingForHandler = Date().addingTimeInterval(1)
        while server.openConnectionCount == 0 && Date() < waitingForHandler { usleep(10_000) }
        let start = Date()
        server.stop()
        XCTAssertLessThan(Date().timeIntervalSince(start), 1.0)
        XCTAssertEqual(server.port, 0)
        XCTAssertEqual(idle.read(), "", "a stopped server sends nothing more")
        XCTAssertThrowsError(try RawClient(port: port))
        try server.start()
        XCTAssertTrue(server.isRunning)
        server.stop()
        server.stop()  // idempotent
    }

    func testManyStartStopCycles() throws {
        for _ in 0..<20 {
            let server = try echoServer()
            let client = try RawClient(port: server.port)
            client.write("GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            XCTAssertTrue(client.read().hasPrefix("HTTP/1.1 200 OK"))
            server.stop()
        }
    }

    func testGarbageGets400AndTheServerSurvives() throws {
        let server = try echoServer()
        defer { server.stop() }
        for garbage in ["GARBAGE\r\n\r\n", "GET /x HTTP/1.1\r\nno colon here\r\n\r\n", "POST /x HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
                        "\u{1}\u{2}\u{3} / HTTP/1.1\r\n\r\n", "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"] {
            let client = try RawClient(port: server.port)
            client.write(garbage)
            XCTAssertTrue(client.read().hasPrefix("HTTP/1.1 400"), garbage)
        }
        let client = try RawClient(port: server.port)
        client.write("GET /ok HTTP/1.1\r\nConnection: close\r\n\r\n")
        XCTAssertTrue(client.read().contains("\"path\":\"/ok\""))
    }

    func testChunkedBodiesPipeliningAndConnectionClose() throws {
        let server = try echoServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.write(
            "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n6;ext=1\r\npedia!\r\n0\r\n\r\n"
                + "GET /second HTTP/1.1\r\nConnection: close\r\n\r\n")
        let text = client.read()
        XCTAssertTrue(text.contains("\"body\":\"Wikipedia!\""), text)
        XCTAssertTrue(text.contains("\"path\":\"/second\""), text)
        XCTAssertTrue(text.contains("Connection: close"))
    }

    func testAClientHangingUpDuringASlowReplyDoesNotCrash() throws {
        let server = try echoServer(delay: 0.2)
        defer { server.stop() }
        do {
            let client = try RawClient(port: server.port)
            client.write("GET /gone HTTP/1.1\r\n\r\n")
        }  // closed before the reply
        Thread.sleep(forTimeInterval: 0.4)
        let client = try RawClient(port: server.port)
        client.write("GET /still-here HTTP/1.1\r\nConnection: close\r\n\r\n")
        XCTAssertTrue(client.read().contains("/still-here"))
    }

    func testQueryParsing() {
        let request = HTTPRequest(method: "GET", path: "/p", rawQuery: "a=1&a=2&b=%ZZ&c=x%20y+z&=v&d")
        XCTAssertEqual(request.query["a"], "2", "last value wins")
        XCTAssertEqual(request.query["b"], "%ZZ", "undecodable escapes are kept")
        XCTAssertEqual(request.query["c"], "x y z")
        XCTAssertEqual(request.query["d"], "")
        XCTAssertEqual(request.queryItems.count, 6)
    }
}

final class HTTPServerFuzzTests: XCTestCase {
    func testRandomBytesNeverKillTheServer() throws {
        let server = HTTPServer { _ in .text(200, "ok") }
        try server.start()
        defer { server.stop() }
        var rng = SeededGenerator(seed: 11)
        let pieces = ["GET ", "POST ", "/x", "?a=%", " HTTP/1.1", " HTTP/1.0", "\r\n", "\n", "Content-Length: 3\r\n",
                      "Content-Length: 99999999999999999999\r\n", "Transfer-Encoding: chunked\r\n", "ffffffffffffffffff\r\n",
                      ":\r\n", "\u{0}", "é", "\r\n\r\n"]
        for _ in 0..<150 {
            let client = try RawClient(port: server.port)
            var text = ""
            for _ in 0..<rng.int(1...12) { text += rng.pick(pieces) }
            client.write(text)
            _ = shutdown(client.fd, Int32(SHUT_WR))
            _ = client.read()
        }
        let client = try RawClient(port: server.port)
        client.write("GET /alive HTTP/1.1\r\nConnection: close\r\n\r\n")
        XCTAssertTrue(client.read().hasSuffix("ok"))
    }
}
