import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// RFC 4180 reading: quotes, escapes, embedded separators and line breaks, BOM, `;` detection, line numbers.
final class WorkflowCSVTests: XCTestCase {
    func testQuotedFieldsEscapesAndEmbeddedLineBreaksKeepLineNumbers() throws {
        let text = "order_ref,tracking_number,tracking_url\r\nbm-eu:1,\"6A 1\",\"https://x/?a=1,b=2\"\r\n"
            + "bm-eu:2,\"say \"\"hi\"\"\nsecond line\",\r\nbm-eu:3,T3,\n"
        let (separator, records) = try CSVReader.parse(Data(text.utf8))
        XCTAssertEqual(separator, ",")
        XCTAssertEqual(records.map(\.line), [1, 2, 3, 5])
        XCTAssertEqual(records[1].fields, ["bm-eu:1", "6A 1", "https://x/?a=1,b=2"])
        XCTAssertEqual(records[2].fields, ["bm-eu:2", "say \"hi\"\nsecond line", ""])
        XCTAssertEqual(records[3].fields, ["bm-eu:3", "T3", ""])
    }

    func testBOMAndSemicolonSeparatorDetected() throws {
        let data = Data([0xEF, 0xBB, 0xBF]) + Data("order_ref;tracking_number;carrier\nbm-eu:1;T,1;colissimo\n".utf8)
        let (separator, records) = try CSVReader.parse(data)
        XCTAssertEqual(separator, ";")
        XCTAssertEqual(records[0].fields, ["order_ref", "tracking_number", "carrier"], "the BOM is not part of the first name")
        XCTAssertEqual(records[1].fields, ["bm-eu:1", "T,1", "colissimo"])
    }

    func testUnterminatedQuoteNamesItsLine() {
        XCTAssertThrowsError(try CSVReader.parse(Data("a,b\nx,\"open\ny,z\n".utf8))) { error in
            XCTAssertEqual((error as? CSVError)?.line, 2)
            XCTAssertEqual((error as? CSVError)?.reason, "a quoted field is never closed")
        }
        XCTAssertThrowsError(try CSVReader.parse(Data([0x61, 0x2C, 0xFF, 0x0A]))) { error in
            XCTAssertEqual((error as? CSVError)?.reason, "the file is not valid UTF-8")
        }
    }

    func testBlankLinesAreSkippedButCounted() throws {
        let (_, records) = try CSVReader.parse(Data("a,b\n\n1,2\n\n\n3,4".utf8))
        XCTAssertEqual(records.map(\.line), [1, 3, 6])
        XCTAssertEqual(records.last?.fields, ["3", "4"])
    }
}

/// `import-shipments`: good rows queued, bad rows `FILE:LINE: reason`, nothing queued twice.
final class ShipmentImportTests: StoreTestCase {
    private func seed() throws -> Operations {
        for id in ["1", "2", "3"] {
            _ = try store.upsert(Fixture.order(id, carrier: id == "2" ? "colissimo" : nil,
                                               lines: [Fixture.line("L\(id)", name: "MacBook Air")]), raw: nil)
        }
        _ = try store.upsert(Fixture.order("9", status: .cancelled, channelStatus: "8"), raw: nil)
        return Operations(config: Fixture.config(), store: store)
    }

    func testGoodRowsQueuedBadRowsReportedWithLineNumbers() throws {
        let ops = try seed()
        let csv = """
        order_ref,carrier,tracking_number,tracking_url,imei,serial,line_id
        bm-eu:1,colissimo,T1,,,,
        bm-eu:2,,T2,,,,
        bm-eu:404,colissimo,T3,,,,
        bm-eu:3,ups,T4,,,,
        bm-eu:9,colissimo,T5,,,,
        bm-eu:3,colissimo,,,,,
        bm-eu:3,colissimo,T7,,356938035643808,,
        bm-eu:3,colissimo,T8
        """
        let result = try ShipmentImport(operations: ops).run(data: Data(csv.utf8), name: "in.csv")
        XCTAssertEqual(result.queued, 2)
        XCTAssertEqual(result.rejected, [
            "in.csv:4: bm-eu:404: unknown order (not imported yet? see `ordersync orders --channel bm-eu`)",
            "in.csv:5: bm-eu:3: unknown carrier \"ups\" (configured: colissimo, dhl-express, local-courier)",
            "in.csv:6: bm-eu:9: order is cancelled; it cannot be shipped",
            "in.csv:7: tracking_number is empty",
            "in.csv:8: bm-eu:3: invalid IMEI 356938035643808: must be 15 digits with a valid Luhn check digit",
            "in.csv:9: 3 fields, the header has 7",
        ])
        XCTAssertEqual(try store.jobs().count, 2)
        // The same file again queues nothing.
        let again = try ShipmentImport(operations: ops).run(data: Data(csv.utf8), name: "in.csv")
        XCTAssertEqual(again.queued, 0)
        XCTAssertEqual(again.alreadyQueued, 2)
        XCTAssertEqual(try store.jobs().count, 2)
    }

    func testHeaderProblemsAreRefusedWithLineOne() throws {
        let ops = try seed()
        XCTAssertUserError(try ShipmentImport(operations: ops).run(data: Data("order_ref,carier,tracking_number\n".utf8), name: "h.csv"),
                           "h.csv:1: unknown column \"carier\" (expected: order_ref,carrier,tracking_number,tracking_url,imei,serial,line_id)")
        XCTAssertUserError(try ShipmentImport(operations: ops).run(data: Data("order_ref,carrier\n".utf8), name: "h.csv"),
                           "h.csv:1: the header has no \"tracking_number\" column")
    }

    func testInboxCrashMidFileThenReprocessQueuesEachRowOnce() throws {
        let ops = try seed()
        let dir = temp.directory.appendingPathComponent("inbox").path
        for sub in ["", "done", "rejected"] {
            try FileManager.default.createDirectory(atPath: dir + "/" + sub, withIntermediateDirectories: true)
        }
        let csv = "order_ref,carrier,tracking_number\nbm-eu:1,colissimo,A1\nbm-eu:2,,A2\nbm-eu:3,dhl-express,A3\n"
        try csv.write(toFile: dir + "/batch.csv", atomically: true, encoding: .utf8)
        // As if the daemon died after the first row was queued: the file is still in the inbox.
        _ = try ShipmentImport(operations: ops).run(data: Data("order_ref,carrier,tracking_number\nbm-eu:1,colissimo,A1\n".utf8), name: "batch.csv")
        let inbox = Inbox(directory: dir, operations: ops, logger: .discarding)
        try inbox.process(name: "batch.csv", path: dir + "/batch.csv")
        XCTAssertEqual(try store.jobs().map(\.dedupeKey).sorted(), ["A1", "A2", "A3"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/batch.csv"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/done").count, 1)

        try "order_ref,tracking_number\nbm-eu:2,B1\nbm-eu:404,B2\n".write(toFile: dir + "/bad.csv", atomically: true, encoding: .utf8)
        try inbox.process(name: "bad.csv", path: dir + "/bad.csv")
        let rejected = try FileManager.default.contentsOfDirectory(atPath: dir + "/rejected").sorted()
        XCTAssertEqual(rejected.count, 2)
        let errors = try String(contentsOfFile: dir + "/rejected/" + rejected.first { $0.hasSuffix(".errors") }!, encoding: .utf8)
        XCTAssertEqual(errors, "bad.csv:3: bm-eu:404: unknown order (not imported yet? see `ordersync orders --channel bm-eu`)\n")
        XCTAssertEqual(try store.jobs().count, 4, "the good row of a file with bad rows is still queued")
    }

    func testInboxWaitsUntilAFileHasSettled() throws {
        let ops = try seed()
        let dir = temp.directory.appendingPathComponent("inbox2").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/done", withIntermediateDirectories: true)
        try "order_ref,tracking_number\nbm-eu:2,S1\n".write(toFile: dir + "/s.csv", atomically: true, encoding: .utf8)
        let inbox = Inbox(directory: dir, operations: ops, logger: .discarding, settleSeconds: 3)
        let now = Date().addingTimeInterval(10)
        var seen = try inbox.scan([:], now: now)
        XCTAssertEqual(try store.jobs().count, 0, "first sighting: not yet settled")
        seen = try inbox.scan(seen, now: now.addingTimeInterval(1))
        XCTAssertEqual(try store.jobs().count, 0, "unchanged for 1 s only")
        _ = try inbox.scan(seen, now: now.addingTimeInterval(4))
        XCTAssertEqual(try store.jobs().count, 1)
    }
}
