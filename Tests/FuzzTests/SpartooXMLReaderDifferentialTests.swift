import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

@testable import OrderSync
@testable import Connectors

/// `SpartooXMLReader` replaced FoundationXML's `XMLParser` (libxml2) for Spartoo's replies. Here the old
/// parser is the oracle: every mutated reply is prepared as the channel prepares it, then read by both;
/// they must agree on whether it is well-formed and, when it is, on the whole tree (names, attributes,
/// text, children).
///
/// libxml2 is well-formed's judge only where it reported no error: `XMLParser.parse()` returned true after
/// some errors it recovered from (content after the root, a broken XML declaration, a `<?` without a
/// target), and the channel took whatever tree came out. The reader refuses those. Where the reader
/// differs on purpose, the test says so:
/// - nesting deeper than `SpartooXMLReader.maximumDepth` is refused (libxml2 took 20,000 levels);
/// - an encoding libxml2 does not know is not refused: `SpartooXML.prepare` has read the document by
///   the channel's own rules already (undeclared or unknown: UTF-8 when valid, else Windows-1252).
final class SpartooXMLReaderDifferentialTests: XCTestCase {
    func testReaderAgreesWithLibxml2OnMutatedReplies() throws {
        let seeds = FuzzSeeds.files(in: "Tests/Fixtures/spartoo", ext: "xml")
        try XCTSkipIf(seeds.isEmpty, "no Spartoo fixtures in Tests/Fixtures/spartoo")
        FuzzRunner.check(FuzzTarget(name: "spartoo-xml-reader", format: .xml, extraSeeds: seeds) { bytes in
            let prepared = try SpartooXML.prepare(Data(bytes))
            let ours = Result { () throws(SpartooXML.ParseError) -> SpartooXMLElement in try SpartooXML.parsePrepared(prepared) }
            // A processing instruction without data crashes FoundationXML (see the edge cases): no oracle.
            if LibXML2Oracle.crashes(prepared) {
                if case .failure(let error) = ours { throw error }
                return
            }
            switch (LibXML2Oracle.verdict(prepared), ours) {
            case (.refused, .failure(let error)), (.unknownEncoding, .failure(let error)):
                throw error
            case (.refused, .success):
                throw FuzzViolation("the reader accepted what libxml2 refuses")
            case (.unknownEncoding, .success):
                return
            case (.wellFormed(let expected), .failure(let error)):
                if LibXML2Oracle.depth(expected) > SpartooXMLReader.maximumDepth { throw error }
                throw FuzzViolation("the reader refused what libxml2 accepts: \(error)")
            case (.wellFormed(let expected), .success(let tree)):
                if let difference = LibXML2Oracle.difference(expected, tree) { throw FuzzViolation("trees differ: \(difference)") }
            }
        })
    }

    /// Hand-picked cases the mutations may not reach: the reader and libxml2 must agree on each.
    /// (Not `<?pi?>`: a processing instruction without data crashes FoundationXML itself, a null `strlen`;
    /// the reader takes it, `testProcessingInstructionWithoutData`.)
    func testReaderAgreesWithLibxml2OnEdgeCases() throws {
        let accepted = [
            "<r/>", "<r></r>", "<?xml version=\"1.0\"?>\n<r a='1' b=\"2\"/>", "\u{FEFF}<r/>",
            "<!-- c --><r><!----></r><!-- d -->", "<?pi data?><r><?pi  x?></r>", "<?xmle x?><r><?xml-stylesheet x?></r>",
            "<!DOCTYPE r><r/>", "<!DOCTYPE r [<!ELEMENT r ANY>]><r/>",
            "<r>a &lt; b &amp;&gt; &quot;&apos; &#233;&#xE9;&#x1F600;</r>",
            "<r a='x&#10;y&#9;z' b=\"l1\nl2\tl3\r\nl4\"/>", "<r>x\r\ny\rz</r>", "<r><![CDATA[a\r\nb\rc <&> ]]]]><![CDATA[>]]></r>",
            "<r>]]</r>", "<r>]></r>", "<a:b x:y='1'></a:b>", "<r  >text</r  >", "<é>ü</é>",
            "<r><x/>mixed<y>t</y>tail</r>", "<r>\n  <x>1</x>\n  <y>2</y>\n</r>",
        ]
        let refused = [
            "", "text", "<r>", "<r></s>", "<r/><s/>", "<r/>text", "<r a='1' a='2'/>", "<r a=1/>", "<r a/>",
            "<r a='<'/>", "<r a='1'b='2'/>", "<r>&unknown;</r>", "<r>&#0;</r>", "<r>&#xD800;</r>", "<r>&#;</r>",
            "<r>&amp</r>", "<r>a]]>b</r>", "<!-- a -- b --><r/>", "<r><?xml version='1.0'?></r>",
            " <?xml version=\"1.0\"?><r/>", "<1r/>", "< r/>", "<r><!DOCTYPE r></r>", "<r><![CDATA[x</r>",
            "<r>\u{FFFE}</r>", "<r><!-- x </r>", "<r x='1></r>",
        ]
        for text in accepted {
            let data = Data(text.utf8)
            let expected = try XCTUnwrap(LibXML2Oracle.parse(data), "libxml2 refuses \(text.debugDescription)")
            XCTAssertNil(LibXML2Oracle.difference(expected, try SpartooXML.parsePrepared(data)), text.debugDescription)
        }
        for text in refused {
            XCTAssertNil(LibXML2Oracle.parse(Data(text.utf8)), "libxml2 accepts \(text.debugDescription)")
            XCTAssertThrowsError(try SpartooXML.parsePrepared(Data(text.utf8)), text.debugDescription)
        }
    }

    /// What libxml2 reported as errors yet returned a tree for (the channel took it), and the depth limit.
    func testRefusesWhatLibxml2OnlyRecoveredFrom() throws {
        for text in ["<r/>o", "<r/><", "<r/><!x", "<v</pr?xm#l v</pr"] {
            XCTAssertTrue(LibXML2Oracle.recovered(Data(text.utf8)), text)
            XCTAssertThrowsError(try SpartooXML.parsePrepared(Data(text.utf8)), text)
        }
        for text in ["<?xml version=\"1.><errors>1</errors></root>", "<?xml vers<product><a>1</a></product>",
                     "<?xml version=\"1.0\"\u{20AC} encoding=\"UTF-8\"?><r/>", "<?xml versionv=\"1.0\"?><r/>",
                     "<?xml version='2.0'?><r/>", "<?<a><b/></a>", "<?xml version='1.0' standalone='maybe'?><r/>"] {
            XCTAssertNil(LibXML2Oracle.parse(Data(text.utf8)), text)
            XCTAssertThrowsError(try SpartooXML.parsePrepared(Data(text.utf8)), text)
        }
        for text in ["<?xml version=\"1.0\" encoding='ISO-8859-1' standalone=\"yes\" ?><r/>", "<?xml version='1.1'?><r/>", "<?xml version='1.'?><r/>"] {
            XCTAssertNotNil(LibXML2Oracle.parse(Data(text.utf8)), text)
            XCTAssertEqual(try SpartooXML.parsePrepared(Data(text.utf8)).name, "r", text)
        }
        func nested(_ depth: Int) -> Data {
            Data((String(repeating: "<d>", count: depth) + String(repeating: "</d>", count: depth)).utf8)
        }
        XCTAssertEqual(LibXML2Oracle.depth(try SpartooXML.parsePrepared(nested(SpartooXMLReader.maximumDepth))), SpartooXMLReader.maximumDepth)
        XCTAssertNotNil(LibXML2Oracle.parse(nested(SpartooXMLReader.maximumDepth + 1)))
        XCTAssertThrowsError(try SpartooXML.parsePrepared(nested(SpartooXMLReader.maximumDepth + 1)))
    }

    func testProcessingInstructionWithoutData() throws {
        let root = try SpartooXML.parsePrepared(Data("<r><?pi?>x</r>".utf8))
        XCTAssertEqual(root, SpartooXMLElement(name: "r", text: "x"))
    }

    func testErrorsNameTheLineAndColumn() {
        XCTAssertThrowsError(try SpartooXML.parsePrepared(Data("<r>\n  <a>1</b>\n</r>".utf8))) { error in
            let parseError = error as? SpartooXML.ParseError
            XCTAssertEqual(parseError?.line, 2)
            XCTAssertEqual(parseError?.column, 7, "at the end tag's '<'")
            XCTAssertTrue("\(error)".contains("mismatch"), "\(error)")
        }
    }
}

/// The parser the reader replaced: FoundationXML's `XMLParser` building the same tree, as the channel did.
enum LibXML2Oracle {
    enum Verdict {
        case wellFormed(SpartooXMLElement)
        case refused
        /// Refused only because the declared encoding is unknown to libxml2 (its error 32).
        case unknownEncoding
    }

    static func verdict(_ data: Data) -> Verdict {
        guard !data.isEmpty else { return .refused }
        let parser = XMLParser(stream: InputStream(data: data))
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        let builder = Builder()
        parser.delegate = builder
        let ok = parser.parse()
        if builder.errors == [32] { return .unknownEncoding }
        guard ok, builder.errors.isEmpty, builder.stack.isEmpty, let root = builder.root else { return .refused }
        return .wellFormed(root)
    }

    /// The tree of a document libxml2 finds well-formed, else nil.
    static func parse(_ data: Data) -> SpartooXMLElement? {
        if case .wellFormed(let root) = verdict(data) { return root }
        return nil
    }

    /// Whether FoundationXML would crash on the document: a processing instruction without data.
    static func crashes(_ data: Data) -> Bool {
        String(decoding: data, as: UTF8.self).range(of: "<\\?[^ \t\r\n?]*\\?>", options: .regularExpression) != nil
    }

    /// Whether `XMLParser.parse()` returns true and a tree although libxml2 reported an error.
    static func recovered(_ data: Data) -> Bool {
        let parser = XMLParser(stream: InputStream(data: data))
        let builder = Builder()
        parser.delegate = builder
        return parser.parse() && !builder.errors.isEmpty && builder.root != nil
    }

    /// How deep the tree nests (a lone element is 1).
    static func depth(_ element: SpartooXMLElement) -> Int {
        var deepest = 0
        var level: [SpartooXMLElement] = [element]
        while !level.isEmpty {
            deepest += 1
            level = level.flatMap(\.children)
        }
        return deepest
    }

    /// Where two trees first differ (a path and both values, shortened), or nil when they are equal.
    static func difference(_ a: SpartooXMLElement, _ b: SpartooXMLElement, path: String = "") -> String? {
        let here = path + "/" + a.name
        func short(_ text: String) -> String { String(text.debugDescription.prefix(120)) }
        if a.name != b.name { return "\(path): name \(short(a.name)) / \(short(b.name))" }
        if a.attributes != b.attributes { return "\(here): attributes \(short("\(a.attributes)")) / \(short("\(b.attributes)"))" }
        if a.text != b.text { return "\(here): text \(short(a.text)) / \(short(b.text))" }
        if a.children.count != b.children.count { return "\(here): \(a.children.count) / \(b.children.count) children" }
        for (x, y) in zip(a.children, b.children) {
            if let found = difference(x, y, path: here) { return found }
        }
        return nil
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var stack: [SpartooXMLElement] = []
        var root: SpartooXMLElement?
        /// libxml2's error codes, but for what is not an XML 1.0 well-formedness error: namespace errors
        /// (`XML_NS_ERR_*`, 200…; the channel never processed namespaces, nor does the reader) and the
        /// warnings for a version other than 1.0 (97) and for a processing instruction's target that
        /// starts with `xml` (64; for `xml` itself the same code is an error, which the reader makes too).
        var errors: [Int] = []

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
            let code = (parseError as NSError).code
            if (200..<300).contains(code) || code == 97 || code == 64 { return }
            errors.append(code)
        }

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            stack.append(SpartooXMLElement(name: elementName, attributes: attributeDict))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += string
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            guard let element = stack.popLast() else { return }
            if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(element) }
        }
    }
}
