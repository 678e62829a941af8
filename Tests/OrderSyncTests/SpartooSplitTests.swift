import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// Cutting `<order>` elements out of an export reply by bytes: what must not be cut (comments, CDATA,
/// look-alike tags), what cannot be cut (a truncated body), and that the result reads exactly like the
/// whole-tree parse, with a malformed order quarantined alone.
final class SpartooSplitTests: XCTestCase {
    let channel = SpartooChannel(id: "spartoo-fr", endpoints: [], partnerID: Secret("X"), transport: URLSessionTransport(),
                                 minimumSpacing: 0, logger: .discarding)

    func testTheSplitReadsLikeTheWholeTreeOnEveryFixture() throws {
        for name in ["single-order.xml", "many-orders.xml", "pickup-point.xml", "quarantine.xml", "iso-8859-1.xml"] {
            let data = try SpartooFixture.data(name)
            let whole = SpartooChannel.orderElements(try SpartooXML.parse(data))
            let reply = try SpartooChannel.parseReply(data)
            XCTAssertEqual(reply.orderSegments.count, whole.count, name)
            XCTAssertEqual(SpartooChannel.orderElements(reply), whole, "\(name): same elements either way")
            XCTAssertEqual(SpartooChannel.orderElements(reply.root), [], "\(name): none left in the envelope")
            XCTAssertTrue(SpartooChannel.isExport(reply), name)
        }
    }

    func testCommentsCDATAAndLookAlikeTagsAreNotCut() throws {
        let xml = """
        <?xml version="1.0"?><root><!-- <order>not one</order> --><statut><id>1</id></statut><orders>
        <order><orders_id>A1</orders_id><note><![CDATA[see </order> and <order>]]></note><orders_products/></order>
        <order id="x" ><orders_id> B2 </orders_id></order><order/>
        </orders><orderstatus>7</orderstatus></root>
        """
        let split = try XCTUnwrap(SpartooXML.splitOrders(try SpartooXML.prepare(Data(xml.utf8))))
        XCTAssertEqual(split.orders.count, 3)
        XCTAssertTrue(String(decoding: split.orders[0], as: UTF8.self).hasSuffix("<orders_products/></order>"), "CDATA kept whole")
        XCTAssertEqual(String(decoding: split.orders[2], as: UTF8.self), "<order/>")
        let envelope = String(decoding: split.envelope, as: UTF8.self)
        XCTAssertTrue(envelope.contains("<!-- <order>not one</order> -->"))
        XCTAssertTrue(envelope.contains("<orderstatus>7</orderstatus>"))
        XCTAssertEqual(SpartooXML.plainOrderID(split.orders[1]), "B2")
        XCTAssertEqual(SpartooXML.plainOrderID(Data("<order><orders_id><![CDATA[C3]]></orders_id></order>".utf8)), "C3")
        XCTAssertNil(SpartooXML.plainOrderID(Data("<order><orders_id>A&amp;B</orders_id></order>".utf8)), "an entity: parse it")
        XCTAssertNil(SpartooXML.plainOrderID(Data("<order><orders_id><b>A</b></orders_id></order>".utf8)))
        let reply = try SpartooChannel.parseReply(Data(xml.utf8))
        XCTAssertEqual(reply.code, SpartooCode(1))
        XCTAssertEqual(SpartooChannel.orderElements(reply).map { $0.string("orders_id") }, ["A1", "B2", nil])
    }

    func testATruncatedBodyIsNotCutAndStillFails() throws {
        let xml = "<root><orders><order><orders_id>A1</orders_id></order><order><orders_id>B2</ord"
        XCTAssertNil(SpartooXML.splitOrders(try SpartooXML.prepare(Data(xml.utf8))))
        XCTAssertThrowsError(try SpartooChannel.parseReply(Data(xml.utf8)))
    }

    func testAnotherSpellingOfTheTagIsReadFromTheTree() throws {
        let xml = "<root><orders><ORDER><orders_id>A1</orders_id></ORDER></orders></root>"
        let reply = try SpartooChannel.parseReply(Data(xml.utf8))
        XCTAssertEqual(reply.orderSegments.count, 0)
        XCTAssertEqual(SpartooChannel.orderElements(reply).map { $0.string("orders_id") }, ["A1"])
        XCTAssertEqual(SpartooChannel.items(of: reply, site: "fr").count, 1)
    }

    func testAMalformedOrderIsQuarantinedAloneWithItsBytes() throws {
        let text = String(decoding: try SpartooFixture.data("many-orders.xml"), as: UTF8.self)
        let reply = try SpartooChannel.parseReply(Data(text.utf8))
        let good = reply.orderSegments.count
        // A mismatched tag inside one order: that order is not well-formed, the document around it is.
        var segments = reply.orderSegments
        let broken = String(decoding: segments[1], as: UTF8.self).replacingOccurrences(of: "</orders_id>", with: "</order_id>")
        segments[1] = Data(broken.utf8)
        let items = zip(segments, SpartooXML.parseOrders(segments)).map {
            SpartooChannel.OrderXML(raw: $0.0, element: $0.1, fingerprint: 0)
        }
        let (page, _) = channel.page(items, site: "fr")
        XCTAssertEqual(page.orders.count, good - 1, "every other order kept")
        XCTAssertEqual(page.quarantined.count, 1)
        XCTAssertTrue(page.quarantined[0].reason.contains("not well-formed"), page.quarantined[0].reason)
        XCTAssertEqual(page.quarantined[0].raw, segments[1], "its own bytes are kept")
    }

    func testRepliesNeedingNoRepairAreTheOnesSanitizeLeavesAlone() throws {
        let cases: [(String, Bool)] = [("a &amp; b &lt;c&gt; &quot;&apos;", false), ("&#233; &#xE9;", false), ("tab\tnl\ncr\r", false),
                                       ("a & b", true), ("&eacute;", true), ("&am;", true), ("&#;", true), ("bell\u{7}", true)]
        for (text, expected) in cases {
            XCTAssertEqual(SpartooXML.needsRepair(Data(text.utf8)), expected, text)
        }
        // Every position of a long reply (the scan takes eight bytes at a time): a bare `&` or a control
        // character anywhere is found; a reference, tab, newline, or non-ASCII text (bytes of 0x80 and
        // above) is not a reason.
        let plain = Array("<order><name>Zoë Dupré</name>\t<note>a &amp; b</note>\n</order>".utf8)
        XCTAssertFalse(SpartooXML.needsRepair(Data(plain)))
        for position in 0...plain.count {
            for bad: [UInt8] in [[UInt8(ascii: "&")], [0x01], [0x1F], [0x00]] {
                var text = plain
                text.insert(contentsOf: bad, at: position)
                XCTAssertTrue(SpartooXML.needsRepair(Data(text)), "\(bad) at \(position)")
            }
        }
        var documents = try FileManager.default.contentsOfDirectory(at: SpartooFixture.directory, includingPropertiesForKeys: nil)
            .map { try Data(contentsOf: $0) }
        let corpus = SpartooFixture.directory.deletingLastPathComponent().appendingPathComponent("fuzz/spartoo-xml")
        for file in (try? FileManager.default.contentsOfDirectory(at: corpus, includingPropertiesForKeys: nil)) ?? [] {
            documents.append(try Data(contentsOf: file))
        }
        XCTAssertGreaterThan(documents.count, 5)
        for document in documents where !SpartooXML.needsRepair(document) {
            XCTAssertEqual(SpartooXML.sanitize(document), document, "left alone only when there is nothing to repair")
        }
    }
}
