import Foundation
import XCTest

@testable import ChannelSimulator

/// The simulators' own JSON writer must say what `JSONSerialization` says: same document, sorted keys,
/// unescaped slashes, every control character escaped; anything it does not know is left to Foundation.
final class SimJSONTests: XCTestCase {
    func testSameDocumentAsJSONSerialization() throws {
        let object: [String: Any] = [
            "id": 1042, "total": "129.90", "price": 12.5, "qty": 10.0, "ratio": 0.1 + 0.2, "huge": 1e20, "paid": true, "refunds": [] as [Any], "date_paid": NSNull(),
            "note": "line 1\nline 2\t\"quoted\" \\ back/slash \u{1} é €",
            "line_items": [["id": 311, "sku": "A-1", "meta_data": [] as [Any]], ["id": 312, "sku": "B/2"]] as [[String: Any]],
            "_links": ["self": [["href": "http://127.0.0.1:8080/wp-json/wc/v3/orders/1042"]]],
        ]
        let ours = try XCTUnwrap(SimJSON.data(object))
        let foundation = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        let a = try XCTUnwrap(JSONSerialization.jsonObject(with: ours) as? NSDictionary)
        let b = try XCTUnwrap(JSONSerialization.jsonObject(with: foundation) as? NSDictionary)
        XCTAssertEqual(a, b)
        let text = String(decoding: ours, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix(#"{"_links":"#), "keys sorted: \(text.prefix(20))")
        XCTAssertTrue(text.contains(#""paid":true"#), "a Bool stays a Bool")
        XCTAssertTrue(text.contains(#""id":1042"#))
        XCTAssertEqual(String(decoding: ours, as: UTF8.self).count, String(decoding: foundation, as: UTF8.self).count,
                       "numbers written the same way")
        XCTAssertTrue(text.contains(#"\u0001"#) && text.contains(#"\n"#) && text.contains(#"back/slash"#))
    }

    func testUnknownValuesAreLeftToFoundation() {
        XCTAssertNil(SimJSON.data(["price": Double.nan] as [String: Any]), "not a JSON number")
        XCTAssertNil(SimJSON.data(["n": NSNumber(value: 1)] as [String: Any]), "an NSNumber is not guessed at")
        let response = HTTPResponse.json(200, ["price": 12.5] as [String: Any])
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), #"{"price":12.5}"#)
    }
}
