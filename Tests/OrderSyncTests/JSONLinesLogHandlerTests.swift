import Foundation
import XCTest
@testable import OrderSync

/// The log file's lines, byte for byte: one JSON object per line, fields in order, every value kind and
/// every escape.
final class JSONLinesLogHandlerTests: XCTestCase {
    private var path = ""

    override func setUp() {
        path = NSTemporaryDirectory() + "ordersync-log-\(UUID().uuidString).log"
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: path)
    }

    private func lines() throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    func testALineHoldsTimeLevelMessageAndFieldsInOrder() throws {
        let handler = try JSONLinesLogHandler(path: path)
        let time = Date(timeIntervalSince1970: 1_772_357_400.123)  // 2026-03-01T09:30:00.123Z
        handler.log(LogEntry(time: time, level: .error, message: "acceptance deadline passed",
                             fields: [("channel", .string("bm-eu")), ("count", .int(-42)), ("hours_left", .double(1.23456)),
                                      ("late", .bool(true)), ("ok", .bool(false)), ("ratio", .double(.nan))]))
        handler.log(LogEntry(time: time, level: .info, message: "plain", fields: []))
        XCTAssertEqual(try lines(), [
            #"{"ts":"2026-03-01T09:30:00.123Z","level":"error","msg":"acceptance deadline passed","channel":"bm-eu","count":-42,"hours_left":1.235,"late":true,"ok":false,"ratio":null}"#,
            #"{"ts":"2026-03-01T09:30:00.123Z","level":"info","msg":"plain"}"#,
            "",
        ])
    }

    func testEveryStringIsEscapedAndNonASCIIKeptAsIs() throws {
        let handler = try JSONLinesLogHandler(path: path)
        let nasty = "a\"b\\c\nd\re\tf\u{01}g\u{1F}h\u{7F}é€😀"
        handler.log(LogEntry(time: Date(timeIntervalSince1970: 0), level: .warning, message: nasty,
                             fields: [(nasty, .string(nasty))]))
        let escaped = #""a\"b\\c\nd\re\tf\u0001g\u001fh"# + "\u{7F}é€😀\""
        XCTAssertEqual(try lines().first, #"{"ts":"1970-01-01T00:00:00.000Z","level":"warning","msg":"# + escaped + "," + escaped + ":" + escaped + "}")
        XCTAssertEqual(JSONLinesLogHandler.quote(nasty), escaped)
        // Each line is valid JSON that reads back to the same strings.
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try lines()[0].utf8)) as? [String: String])
        XCTAssertEqual(object["msg"], nasty)
        XCTAssertEqual(object[nasty], nasty)
    }

    func testLongLinesAndManyWritersNeverInterleave() throws {
        let handler = try JSONLinesLogHandler(path: path)
        let long = String(repeating: "x", count: 70_000)
        DispatchQueue.concurrentPerform(iterations: 40) { i in
            handler.log(LogEntry(time: Date(), level: .info, message: "m", fields: [("i", .int(i)), ("long", .string(long))]))
        }
        let written = try lines().dropLast()
        XCTAssertEqual(written.count, 40)
        for line in written {
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            XCTAssertEqual(object["long"] as? String, long)
        }
    }
}
