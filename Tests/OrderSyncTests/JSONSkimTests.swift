import Foundation
import XCTest

@testable import OrderSync

/// Skimming finds each element's own bytes in a listing: every slice parses to exactly the element the
/// full parser built, whatever strings, escapes and nesting the elements hold; anything unexpected is nil.
final class JSONSkimTests: XCTestCase {
    static let awkward = #"""
        {"count": 3, "next": "https://x/?page=2&results=[1]", "nested": {"results": [9, 9]},
         "results" : [
           {"id": 1, "note": "a \"quoted\" ] and } inside", "lines": [{"sku": "A[1]"}, {"sku": "\\"}]},
           [1, 2.5e3, -0, true, false, null, "x\u00e9y"],
           "plain string with \/ and \\\" escapes", 42 , {"empty": {}, "list": []}
         ], "tail": null}
        """#

    func testEachSliceParsesToTheElementTheParserBuilt() throws {
        let body = Data(Self.awkward.utf8)
        let tree = try JSONValue.parse(body)
        let results = try XCTUnwrap(tree["results"]?.array)
        let slices = try XCTUnwrap(JSONSkim.elements(of: body, key: "results", count: results.count))
        XCTAssertEqual(slices.count, 5)
        for (slice, element) in zip(slices, results) {
            XCTAssertEqual(try JSONValue.parse(Data(slice)), element, String(decoding: slice, as: UTF8.self))
        }
        XCTAssertEqual(String(decoding: slices[3], as: UTF8.self), "42", "no surrounding whitespace")
    }

    /// An escape, a quote or a bracket at any offset (every position modulo eight, inside strings and out)
    /// is seen: each slice parses to its element.
    func testEscapesQuotesAndBracketsAtEveryOffsetAreSeen() throws {
        for pad in 0..<17 {
            let filler = String(repeating: "x", count: pad)
            let body = Data(("""
                {"results": [{"\(filler)a": "\(filler)\\"}\\\\]", "b": [\(pad), {"c": "\(filler)["}]},
                "\(filler)\\"", [["\(filler)"], {"\(filler)}": null}], \(pad)]}
                """).utf8)
            let tree = try JSONValue.parse(body)
            let results = try XCTUnwrap(tree["results"]?.array, "pad \(pad)")
            let slices = try XCTUnwrap(JSONSkim.elements(of: body, key: "results", count: results.count), "pad \(pad)")
            for (slice, element) in zip(slices, results) {
                XCTAssertEqual(try JSONValue.parse(Data(slice)), element, "pad \(pad): " + String(decoding: slice, as: UTF8.self))
            }
        }
    }

    /// The parse records the same ranges as the skim, for a listing under a key and for a top-level array;
    /// where the skim would not answer (a repeated key) or the listing is not an array, it records none.
    func testTheParseRecordsTheRangesTheSkimFinds() throws {
        let body = Data(Self.awkward.utf8)
        let (tree, ranges) = try JSONValue.parseListing(body, elementsOf: "results")
        XCTAssertEqual(tree, try JSONValue.parse(body))
        XCTAssertEqual(ranges, JSONSkim.elementRanges(in: body, key: "results"))
        XCTAssertEqual(ranges?.count, 5)
        let top = Data("\u{FEFF}[ {\"a\": [1, {\"b\": \"]\"}]} ,\n\"s\" , [] ]".utf8)
        let (topTree, topRanges) = try JSONValue.parseListing(top, elementsOf: nil)
        XCTAssertEqual(topRanges, JSONSkim.elementRanges(in: top))
        XCTAssertEqual(try topRanges.map { try $0.map { try JSONValue.parse(Data(top[$0])) } }, topTree.array)
        XCTAssertEqual(try JSONValue.parseListing(Data("[]".utf8), elementsOf: nil).1, [])
        XCTAssertEqual(try JSONValue.parseListing(Data(#"{"results": []}"#.utf8), elementsOf: "results").1, [])
        // Nested arrays under the same key deeper down are not the listing.
        let nested = Data(#"{"x": {"results": [1]}, "results": [2, 3]}"#.utf8)
        XCTAssertEqual(try JSONValue.parseListing(nested, elementsOf: "results").1?.count, 2)
        for text in [#"{"results": [1], "results": [2]}"#, #"{"results": {"a": 1}}"#, #"{"other": [1]}"#, #"{"res\u0075lts": [1]}"#, #"[1]"#] {
            XCTAssertNil(try JSONValue.parseListing(Data(text.utf8), elementsOf: "results").1, text)
        }
        XCTAssertNil(try JSONValue.parseListing(Data(#"{"results": [1]}"#.utf8), elementsOf: nil).1)
        XCTAssertThrowsError(try JSONValue.parseListing(Data(#"{"results": [1, }"#.utf8), elementsOf: "results"))
    }

    func testATopLevelArrayAndAnEmptyOne() throws {
        let body = Data("\u{FEFF}[ {\"a\": [1, {\"b\": \"]\"}]} ,\n\"s\" ]".utf8)
        let tree = try XCTUnwrap(try JSONValue.parse(body).array)
        let slices = try XCTUnwrap(JSONSkim.elements(of: body, count: tree.count))
        XCTAssertEqual(try slices.map { try JSONValue.parse(Data($0)) }, tree)
        XCTAssertEqual(JSONSkim.elementRanges(in: Data("[]".utf8)), [])
        XCTAssertEqual(JSONSkim.elementRanges(in: Data(#"{"results": []}"#.utf8), key: "results"), [])
    }

    func testAnythingUnexpectedIsNil() {
        for text in [#"{"results": {"a": 1}}"#, #"{"other": [1]}"#, #"[1, 2"#, #"{"results": [1, 2}"#, #"{"results": ["unterminated]}"#,
                     #"{"results": [1], "results": [2]}"#, "", "nul", #"{"results" [1]}"#] {
            XCTAssertNil(JSONSkim.elementRanges(in: Data(text.utf8), key: "results"), text)
        }
        XCTAssertNil(JSONSkim.elements(of: Data("[1, 2]".utf8), count: 3), "a count that disagrees with the tree")
    }
}
