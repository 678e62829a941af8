import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// A reply streamed to a file is cut into `<order>` elements from the file, a chunk at a time: the result
/// is the same as cutting the whole document in memory, wherever the chunk boundaries fall.
final class SpartooStreamTests: XCTestCase {
    private var files: [URL] = []

    override func tearDown() {
        files.forEach { try? FileManager.default.removeItem(at: $0) }
        super.tearDown()
    }

    private func file(_ data: Data) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("spartoo-stream-\(UUID().uuidString).xml")
        try data.write(to: url)
        files.append(url)
        return url
    }

    static let tricky = """
    <?xml version="1.0"?><root><!-- <order>not one</order> --><statut><id>1</id></statut><orders>
    <order><orders_id>A1</orders_id><note><![CDATA[see </order> and <order>]]></note><orders_products/></order>
    <?pi <order> ?><order id="x" ><orders_id> B2 &eacute; & </orders_id></order><order/>
    </orders><orderstatus>7</orderstatus></root>
    """

    /// UTF-8 beyond ASCII at every place within the eight-byte words the ASCII check reads.
    static let accents = "<?xml version=\"1.0\"?><root><orders>"
        + (0..<9).map { "<order><orders_id>C\($0)</orders_id><name>\(String(repeating: "a", count: $0))é</name></order>" }.joined()
        + "<order><orders_id>plain</orders_id></order></orders></root>"

    func testAFileIsCutLikeTheDocumentInMemoryWhateverTheChunkSize() throws {
        var documents: [(String, Data)] = [("tricky", Data(Self.tricky.utf8)), ("accents", Data(Self.accents.utf8))]
        // Undeclared and not UTF-8: each order is read as Latin-1, in a file as in memory.
        documents.append(("undeclared latin-1", Data(Self.accents.replacingOccurrences(of: "é", with: "\u{1}").utf8.map { $0 == 1 ? 0xE9 : $0 })))
        for name in ["single-order.xml", "many-orders.xml", "pickup-point.xml", "quarantine.xml", "iso-8859-1.xml"] {
            documents.append((name, try SpartooFixture.data(name)))
        }
        for (name, data) in documents {
            let memory = try XCTUnwrap(SpartooXML.splitOrders(try SpartooXML.prepare(data)), name)
            let url = try file(data)
            for chunk in [1, 2, 3, 7, 10, 64, 4096, SpartooXML.chunkSize] {
                let streamed = try XCTUnwrap(try SpartooXML.splitFile(url, chunkSize: chunk), "\(name), chunk \(chunk)")
                // Undeclared Latin-1 read whole is transcoded, and its declaration then names UTF-8; the file's
                // envelope has no order and no accent, and is read as it is.
                if name != "undeclared latin-1" {
                    XCTAssertEqual(try SpartooXML.prepare(streamed.envelope), memory.envelope, "\(name), chunk \(chunk): envelope")
                }
                XCTAssertEqual(try streamed.orders.segments(0..<streamed.orders.ranges.count), memory.orders.map { Data($0) },
                               "\(name), chunk \(chunk): orders")
            }
        }
    }

    func testAStreamedReplyReadsLikeTheSameReplyInMemory() throws {
        for name in ["many-orders.xml", "iso-8859-1.xml", "quarantine.xml", "error-response.xml", "empty-list.xml"] {
            let data = try SpartooFixture.data(name)
            let memory = try SpartooChannel.parseReply(data)
            let streamed = try SpartooChannel.parseReply(file: try file(data))
            XCTAssertEqual(streamed.root, memory.root, name)
            XCTAssertEqual(streamed.code, memory.code, name)
            XCTAssertEqual(streamed.orderCount, memory.orderCount, name)
            XCTAssertEqual(try streamed.orderSegments(0..<streamed.orderCount), memory.orderSegments, name)
            XCTAssertEqual(SpartooChannel.orderElements(streamed), SpartooChannel.orderElements(memory), name)
        }
    }

    func testATruncatedFileFailsLikeTheTruncatedBodyInMemory() throws {
        let data = try SpartooFixture.data("many-orders.xml")
        let cut = data.prefix(data.count * 2 / 3)
        let url = try file(Data(cut))
        XCTAssertNil(try SpartooXML.splitFile(url, chunkSize: 100), "an order left open cannot be cut")
        var memoryError: SpartooXML.ParseError?
        do { _ = try SpartooChannel.parseReply(Data(cut)) } catch { memoryError = error }
        var fileError: SpartooXML.ParseError?
        do { _ = try SpartooChannel.parseReply(file: url) } catch { fileError = error }
        XCTAssertNotNil(fileError)
        XCTAssertEqual(fileError, memoryError)
    }

    /// Over the limit, a file that cannot be cut is refused unread (a truncated 90 MB window read whole
    /// was a 90 MB spike); under it, it is read whole and fails as in memory (above).
    func testATruncatedFileOverTheLimitIsRefusedWithoutBeingReadWhole() throws {
        let data = try SpartooFixture.data("many-orders.xml")
        let cut = data.prefix(data.count * 2 / 3)
        let url = try file(Data(cut))
        XCTAssertThrowsError(try SpartooChannel.parseReply(file: url, wholeReadLimit: cut.count - 1)) { error in
            XCTAssertTrue("\(error)".contains("\(cut.count) bytes that cannot be cut into orders"), "\(error)")
        }
        var memoryError: SpartooXML.ParseError?
        do { _ = try SpartooChannel.parseReply(Data(cut)) } catch { memoryError = error }
        XCTAssertThrowsError(try SpartooChannel.parseReply(file: url, wholeReadLimit: cut.count)) { error in
            XCTAssertEqual(error as? SpartooXML.ParseError, memoryError)
        }
    }

    func testAnEntityDeclarationInAFileIsRefused() throws {
        let xml = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x \"y\">]><root><orders><order><orders_id>1</orders_id></order></orders></root>"
        XCTAssertThrowsError(try SpartooChannel.parseReply(file: try file(Data(xml.utf8)))) { error in
            XCTAssertTrue("\(error)".contains("entity declarations"), "\(error)")
        }
    }
}

/// Reply files left in `state_dir/replies` by a process that is gone are removed; those of a process
/// still running are not.
final class ReplyFilesTests: XCTestCase {
    func testStaleReplyFilesOfGoneProcessesAreRemovedAndLiveOnesKept() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("replies-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let mine = try ReplyFiles.create(in: directory)
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let dead = directory.appendingPathComponent("reply-\(gone.processIdentifier)-A.part")
        let alive = directory.appendingPathComponent("reply-\(getppid())-B.part")
        let other = directory.appendingPathComponent("notes.txt")
        // A download cut short by a kill -9: FoundationNetworking's own file (the daemon's TMPDIR is this directory).
        let download = directory.appendingPathComponent("\(UUID().uuidString).tmp")
        let notDownload = directory.appendingPathComponent("backup.tmp")
        for url in [dead, alive, other, download, notDownload] {
            XCTAssertTrue(FileManager.default.createFile(atPath: url.path, contents: Data("x".utf8)))
        }

        XCTAssertEqual(ReplyFiles.removeStale(in: directory), 3)
        XCTAssertFalse(FileManager.default.fileExists(atPath: download.path), "a download left by a killed run")
        XCTAssertTrue(FileManager.default.fileExists(atPath: notDownload.path), "not named like a download")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dead.path), "its process is gone")
        XCTAssertFalse(FileManager.default.fileExists(atPath: mine.path), "this process starts afresh")
        XCTAssertTrue(FileManager.default.fileExists(atPath: alive.path), "its process still runs")
        XCTAssertTrue(FileManager.default.fileExists(atPath: other.path), "not a reply file")
    }

    /// A download is refused with less than 64 MB free, or less than twice the largest reply seen; the
    /// reason names both figures.
    func testADownloadNeedsRoomForTwiceTheLargestReply() {
        let mb: Int64 = 1 << 20
        XCTAssertNil(ReplyFiles.roomProblem(free: 64 * mb, largestReply: 0))
        XCTAssertEqual(ReplyFiles.roomProblem(free: 63 * mb, largestReply: 0),
                       "the state directory has 63 MB free; a streamed reply needs at least 64 MB")
        XCTAssertNil(ReplyFiles.roomProblem(free: 400 * mb, largestReply: 200 * mb))
        XCTAssertEqual(ReplyFiles.roomProblem(free: 399 * mb, largestReply: 200 * mb),
                       "the state directory has 399 MB free; a streamed reply needs at least 400 MB")
    }
}
