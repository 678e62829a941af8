import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// `Money`: exact decimal strings, never via a floating-point value.
final class MoneyTests: XCTestCase {
    func testParsesMinorUnitsAndScaleAndPrintsTheSamePrecision() throws {
        let cases: [(String, Int64, Int, String)] = [
            ("299.00", 29900, 2, "299.00"),
            ("0.5", 5, 1, "0.5"),
            ("12", 12, 0, "12"),
            ("-3.07", -307, 2, "-3.07"),
            ("+1.50", 150, 2, "1.50"),
            (" 7.25 ", 725, 2, "7.25"),
            (".5", 5, 1, "0.5"),
            ("0.123456789", 123_456_789, 9, "0.123456789"),
            ("0012.340", 12340, 3, "12.340"),
        ]
        for (text, units, scale, printed) in cases {
            let money = try XCTUnwrap(Money(text), text)
            XCTAssertEqual(money.minorUnits, units, text)
            XCTAssertEqual(money.scale, scale, text)
            XCTAssertEqual(money.description, printed, text)
        }
    }

    func testRejectsAnythingButAPlainDecimal() {
        for text in ["", " ", "abc", "1e3", "1E-2", "1,000.00", "1 000", "1.2.3", "--1", "+-1", ".", "-", "-.",
                     "0.1234567890", "9223372036854775808", "99999999999999999999", "\u{0661}\u{0662}", "12€", "0x10"] {
            XCTAssertNil(Money(text), "\"\(text)\" must be rejected")
        }
    }

    /// ASCII text is read by a byte-level fast path; text with any other character by the general one. A
    /// trailing no-break space (whitespace to both, but not ASCII) sends the same text down the general
    /// path: both must give the same answer for every mix of the characters amounts are made of.
    func testTheASCIIFastPathAnswersLikeTheGeneralPath() {
        let alphabet = Array("0123456789..+-  \te,")
        var generator = SplitMix(seed: 3)
        for _ in 0..<20_000 {
            let length = Int(generator.next() % 9)
            let text = String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
            XCTAssertEqual(Money(text), Money(text + "\u{A0}"), "\"\(text)\"")
        }
        XCTAssertEqual(Money("92233720368547758.07\u{A0}")?.minorUnits, Int64.max)
        XCTAssertNil(Money("92233720368547758.08"))
    }

    func testLargestAmountStillParses() throws {
        XCTAssertEqual(try XCTUnwrap(Money("92233720368547758.07")).minorUnits, Int64.max)
        XCTAssertEqual(try XCTUnwrap(Money("-92233720368547758.07")).minorUnits, -Int64.max)
    }

    func testDescriptionPadsSmallAmountsAndKeepsTheSign() {
        XCTAssertEqual(Money(minorUnits: 5, scale: 2).description, "0.05")
        XCTAssertEqual(Money(minorUnits: -5, scale: 2).description, "-0.05")
        XCTAssertEqual(Money(minorUnits: 0, scale: 3).description, "0.000")
        XCTAssertEqual(Money(minorUnits: -120, scale: 0).description, "-120")
        XCTAssertEqual(Money(minorUnits: 100, scale: 2).description, "1.00")
        XCTAssertEqual(Money.zero.description, "0.00")
    }

    func testAddingIsExactAtTheLargerScale() throws {
        let a = try XCTUnwrap(Money("0.1")), b = try XCTUnwrap(Money("0.2"))
        XCTAssertEqual(a.adding(b)?.description, "0.3")  // 0.1 + 0.2 in Double is 0.30000000000000004
        XCTAssertEqual(Money("299.00")?.adding(Money("9.9")!)?.description, "308.90")
        XCTAssertEqual(Money("1299.99")?.adding(Money("0.01")!)?.description, "1300.00")
        XCTAssertEqual(Money("5")?.adding(Money("0.125")!)?.description, "5.125")
        XCTAssertEqual(Money("10.00")?.adding(Money("-12.50")!)?.description, "-2.50")
        // Beyond Double's 15–16 significant digits.
        XCTAssertEqual(Money("12345678901234567.89")?.adding(Money("0.01")!)?.description, "12345678901234567.90")
    }

    func testAddingReportsOverflowAsNil() throws {
        let max = try XCTUnwrap(Money("92233720368547758.07"))
        XCTAssertNil(max.adding(Money("0.01")!))
        // Rescaling to the other operand's scale overflows too.
        XCTAssertNil(Money("922337203685477581")!.adding(Money("0.1")!))
    }

    func testRescaledNeverLosesDigits() throws {
        let money = try XCTUnwrap(Money("1.5"))
        XCTAssertEqual(money.rescaled(to: 3)?.description, "1.500")
        XCTAssertEqual(money.rescaled(to: 3)?.minorUnits, 1500)
        XCTAssertEqual(money.rescaled(to: 1), money)
        XCTAssertNil(money.rescaled(to: 0))
        XCTAssertNil(Money(minorUnits: Int64.max / 5, scale: 0).rescaled(to: 1))
    }

    func testDecimalValueIsExact() throws {
        XCTAssertEqual(try XCTUnwrap(Money("299.99")).decimal, Decimal(string: "299.99"))
        XCTAssertEqual(try XCTUnwrap(Money("-0.07")).decimal, Decimal(string: "-0.07"))
    }

    func testCodableAsADecimalString() throws {
        struct Box: Codable { var amount: Money }
        let encoded = try JSONEncoder().encode(Box(amount: Money("12.30")!))
        XCTAssertEqual(String(decoding: encoded, as: UTF8.self), #"{"amount":"12.30"}"#)
        let decoded = try JSONDecoder().decode(Box.self, from: Data(#"{"amount":"0.050"}"#.utf8))
        XCTAssertEqual(decoded.amount.description, "0.050")
        XCTAssertThrowsError(try JSONDecoder().decode(Box.self, from: Data(#"{"amount":12.3}"#.utf8)))
        XCTAssertThrowsError(try JSONDecoder().decode(Box.self, from: Data(#"{"amount":"12,30"}"#.utf8)))
    }
}
