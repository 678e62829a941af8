import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// `JSONValue`: the channel-payload parser that keeps numbers as their literal text.
final class JSONValueTests: XCTestCase {
    func parse(_ text: String) throws -> JSONValue { try JSONValue.parse(Data(text.utf8)) }

    func parseError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> JSONParseError? {
        do {
            let value = try parse(text)
            XCTFail("expected a parse error, got \(value)", file: file, line: line)
            return nil
        } catch let error as JSONParseError {
            return error
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
            return nil
        }
    }

    func testNumbersKeepTheirLiteralText() throws {
        let value = try parse(#"{"price": 299.90, "big": 12345678901234567890.123, "neg": -0.10, "exp": 1.5E+3, "zero": 0}"#)
        XCTAssertEqual(value["price"], .number("299.90"))
        XCTAssertEqual(value["price"]?.text, "299.90")
        XCTAssertEqual(value["big"]?.text, "12345678901234567890.123")
        XCTAssertEqual(value["neg"]?.text, "-0.10")
        XCTAssertEqual(value["exp"], .number("1.5E+3"))
        XCTAssertEqual(value["zero"], .number("0"))
    }

    func testObjectsKeepKeyOrderAndTheLastDuplicateWins() throws {
        let value = try parse(#"{"b": 1, "a": 2, "b": 3}"#)
        guard case .object(let members) = value else { return XCTFail("not an object") }
        XCTAssertEqual(members.map(\.0), ["a", "b"])
        XCTAssertEqual(value["b"], .number("3"))
        XCTAssertEqual(try parse(#"{"z":1,"y":2,"x":3}"#).serialized, #"{"z":1,"y":2,"x":3}"#)
    }

    /// The repeated-key check compares keys only when a cheap mask says they may repeat, and hands over to a
    /// set when comparisons are many: each way must still find a repeat, and find none where there is none.
    func testARepeatedKeyIsFoundHoweverItIsWrittenAndWhereverItIs() throws {
        // Written with an escape the first time, plainly the second: the same key.
        let escaped = try parse(#"{"\u0061b": 1, "c": 2, "ab": 3}"#)
        guard case .object(let first) = escaped else { return XCTFail("not an object") }
        XCTAssertEqual(first.map(\.0), ["c", "ab"])
        XCTAssertEqual(escaped["ab"], .number("3"))
        // A plain key first, the escaped spelling last.
        let escapedLast = try parse(#"{"ab": 1, "c": 2, "a\u0062": 3}"#)
        XCTAssertEqual(escapedLast.objectKeys, ["c", "ab"])
        // Keys that share length, first and last byte (the mask cannot tell them apart) but differ.
        let alike = (0..<40).map { #""k\#(String(format: "%02d", $0))z""# + ": \($0)" }
        let distinct = try parse("{" + alike.joined(separator: ",") + "}")
        XCTAssertEqual(distinct.objectKeys?.count, 40, "no key repeats")
        // The same, with a repeat at the end: found after the set has taken over from comparisons.
        let repeated = try parse("{" + (alike + [#""k07z": "last""#]).joined(separator: ",") + "}")
        XCTAssertEqual(repeated.objectKeys?.count, 40)
        XCTAssertEqual(repeated.objectKeys?.last, "k07z")
        XCTAssertEqual(repeated["k07z"], .string("last"))
        // A large object of unlike keys, repeat at the end.
        let many = (0..<300).map { #""key\#($0)": \#($0)"# }
        let large = try parse("{" + (many + [#""key150": 0"#]).joined(separator: ",") + "}")
        XCTAssertEqual(large.objectKeys?.count, 300)
        XCTAssertEqual(large["key150"], .number("0"))
        // Nested objects and arrays come out whole and in order (they share the reader's stacks).
        let nested = try parse(#"{"a": [{"x": [1, [2, 3], {"y": 4}]}, 5], "b": {"c": {"d": []}, "e": 6}, "a2": [7]}"#)
        XCTAssertEqual(nested.serialized, #"{"a":[{"x":[1,[2,3],{"y":4}]},5],"b":{"c":{"d":[]},"e":6},"a2":[7]}"#)
    }

    func testKindsAndAccessors() throws {
        let value = try parse(#" { "s": "x", "t": true, "f": false, "n": null, "a": [1, "2", {"k": []}], "o": {} } "#)
        XCTAssertEqual(value["s"], .string("x"))
        XCTAssertEqual(value["t"], .bool(true))
        XCTAssertEqual(value["f"], .bool(false))
        XCTAssertEqual(value["n"]?.isNull, true)
        XCTAssertEqual(value["s"]?.isNull, false)
        XCTAssertEqual(value["a"]?.array?.count, 3)
        XCTAssertEqual(value["a"]?.array?[2]["k"], .array([]))
        XCTAssertEqual(value["o"], .object([]))
        XCTAssertNil(value["missing"])
        XCTAssertNil(value["s"]?["k"], "subscript on a non-object")
        XCTAssertNil(value["o"]?.array)
        XCTAssertNil(value["t"]?.text)
        XCTAssertNil(value["n"]?.text)
    }

    func testIntFromNumbersAndNumericStrings() {
        XCTAssertEqual(JSONValue.number("42").int, 42)
        XCTAssertEqual(JSONValue.number("-7").int, -7)
        XCTAssertEqual(JSONValue.string(" 42 ").int, 42)
        XCTAssertNil(JSONValue.number("4.2").int)
        XCTAssertNil(JSONValue.string("abc").int)
        XCTAssertNil(JSONValue.bool(true).int)
        XCTAssertNil(JSONValue.null.int)
    }

    func testBoolFromBoolsNumbersAndStrings() {
        XCTAssertEqual(JSONValue.bool(false).bool, false)
        XCTAssertEqual(JSONValue.number("1").bool, true)
        XCTAssertEqual(JSONValue.number("0").bool, false)
        XCTAssertNil(JSONValue.number("2").bool)
        XCTAssertEqual(JSONValue.string("TRUE").bool, true)
        XCTAssertEqual(JSONValue.string("False").bool, false)
        XCTAssertEqual(JSONValue.string("1").bool, true)
        XCTAssertNil(JSONValue.string("yes").bool)
        XCTAssertNil(JSONValue.null.bool)
    }

    func testStringEscapesAndUnicode() throws {
        let value = try parse(#"["a\"b\\c\/d\n\t\r\b\f", "\u00e9\u20AC", "\ud83d\ude00", "é€😀", "\ud800x", "\udc00"]"#)
        XCTAssertEqual(value.array, [
            .string("a\"b\\c/d\n\t\r\u{08}\u{0C}"), .string("é€"), .string("😀"), .string("é€😀"),
            .string("\u{FFFD}x"), .string("\u{FFFD}"),
        ])
    }

    func testByteOrderMarkIsSkipped() throws {
        var data = Data([0xEF, 0xBB, 0xBF])
        data.append(Data(#"{"a":1}"#.utf8))
        XCTAssertEqual(try JSONValue.parse(data)["a"], .number("1"))
    }

    func testSerializedIsCompactAndRoundTrips() throws {
        let text = #"{ "a" : [ 1 , 2.50 , true , null ], "b" : "x\"y\n\u0001", "c": {"d": -1e-7} }"#
        let value = try parse(text)
        XCTAssertEqual(value.serialized, #"{"a":[1,2.50,true,null],"b":"x\"y\n\u0001","c":{"d":-1e-7}}"#)
        XCTAssertEqual(try JSONValue.parse(value.data), value)
        XCTAssertEqual(String(decoding: value.data, as: UTF8.self), value.serialized)
    }

    func testEqualityComparesKindsAndValues() {
        XCTAssertNotEqual(JSONValue.number("1"), .string("1"))
        XCTAssertNotEqual(JSONValue.number("1.0"), .number("1"))
        XCTAssertNotEqual(JSONValue.object([("a", .null)]), .object([("a", .null), ("b", .null)]))
        XCTAssertNotEqual(JSONValue.object([("a", .null)]), .object([("b", .null)]))
        XCTAssertEqual(JSONValue.array([.bool(true), .null]), .array([.bool(true), .null]))
    }

    func testErrorsNameTheByteOffsetAndReason() {
        let cases: [(String, Int, String)] = [
            (#"{"a":1,}"#, 7, "unexpected '}', expected a key in double quotes"),
            ("", 0, "unexpected end of input, expected a value"),
            ("[1 2]", 3, "unexpected '2', expected ',' or ']'"),
            (#"{"a" 1}"#, 5, "unexpected '1', expected ':'"),
            ("{} x", 3, "unexpected 'x' after the JSON value"),
            (#"{"a":1"#, 6, "unexpected end of input, expected ',' or '}'"),
            ("tru", 3, "unexpected end of input, expected true"),
            ("1.", 2, "expected a digit after '.'"),
            ("1e", 2, "expected a digit in the exponent"),
            ("-", 1, "expected a digit"),
            ("x", 0, "unexpected 'x', expected a value"),
            (#""abc"#, 4, "unterminated string"),
            (#""a\x""#, 3, #"invalid escape \'x'"#),
            (#""\u12G4""#, 5, #"expected 4 hex digits after \u"#),
            ("\"a\u{01}\"", 2, #"control character in a string (write it as an escape such as \n)"#),
            (#"{"a":1} {"#, 8, "unexpected '{' after the JSON value"),
        ]
        for (text, offset, reason) in cases {
            guard let error = parseError(text) else { continue }
            XCTAssertEqual(error.offset, offset, text)
            XCTAssertEqual(error.reason, reason, text)
            XCTAssertEqual(error.description, "invalid JSON at byte \(offset): \(reason)", text)
        }
    }

    func testInvalidUTF8InAStringIsRejected() {
        var data = Data("\"a".utf8)
        data.append(contentsOf: [0xFF, 0xFE])
        data.append(Data("\"".utf8))
        XCTAssertThrowsError(try JSONValue.parse(data)) { error in
            XCTAssertEqual((error as? JSONParseError)?.reason, "invalid UTF-8 in a string")
        }
    }

    func testNestingIsLimited() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        XCTAssertNoThrow(try parse(ok))
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        XCTAssertEqual(parseError(deep)?.reason, "nested deeper than 64 levels")
        XCTAssertThrowsError(try JSONValue.parse(Data("[[[1]]]".utf8), maxDepth: 3))
        XCTAssertEqual(try JSONValue.parse(Data("[[1]]".utf8), maxDepth: 3), .array([.array([.number("1")])]))
    }

    func testOverlongNumberLiteralIsRejected() {
        XCTAssertEqual(parseError(String(repeating: "9", count: 65))?.reason, "number literal too long")
        XCTAssertNoThrow(try parse(String(repeating: "9", count: 64)))
    }

    func testPayloadAndConfigOptionsOfTheOneReader() throws {
        let repeated = Array(#"{"a":1,"b":2,"a":3}"#.utf8)
        XCTAssertEqual(try JSONValue.parse(Data(repeated)), .object([("b", .number("2")), ("a", .number("3"))]),
                       "payloads: the last value of a repeated key, at its last place")
        XCTAssertEqual(try JSONValue.parse(repeated, options: .config),
                       .object([("a", .number("1")), ("b", .number("2")), ("a", .number("3"))]),
                       "config: every member kept, so the config reader can name the duplicate")
        XCTAssertEqual(try JSONValue.parse(Data("[01]".utf8)), .array([.number("01")]), "payloads: a leading zero is read as written")
        XCTAssertThrowsError(try JSONValue.parse(Array("[01]".utf8), options: .config)) { error in
            XCTAssertEqual(error as? JSONParseError, JSONParseError(offset: 2, reason: "leading zero in a number"))
        }
        XCTAssertEqual(try JSONValue.parse(Data(#"["\ud800x"]"#.utf8)), .array([.string("\u{FFFD}x")]))
        XCTAssertThrowsError(try JSONValue.parse(Array(#"["\ud800x"]"#.utf8), options: .config)) { error in
            XCTAssertEqual((error as? JSONParseError)?.reason, #"unpaired surrogate in \u escape"#)
        }
        XCTAssertThrowsError(try ConfigJSON.parse(Array("{\n  \"a\": tru }".utf8))) { error in
            XCTAssertEqual((error as? ConfigJSON.ParseError)?.message, "unexpected byte 0x20, expected true")
            XCTAssertEqual((error as? ConfigJSON.ParseError)?.line, 2)
            XCTAssertEqual((error as? ConfigJSON.ParseError)?.column, 11)
        }
    }
}

private extension JSONValue {
    var objectKeys: [String]? {
        guard case .object(let members) = self else { return nil }
        return members.map(\.0)
    }
}
