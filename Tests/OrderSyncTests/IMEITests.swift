import XCTest

@testable import OrderSync
@testable import Connectors

/// `IMEI`: 15 ASCII digits whose last digit is the Luhn check digit.
final class IMEITests: XCTestCase {
    func testValidIMEIs() {
        for imei in ["490154203237518", "356938035643809", "352099001761481"] {
            XCTAssertTrue(IMEI.isValid(imei), imei)
        }
    }

    func testEveryOtherCheckDigitIsRejected() {
        for check in 0...9 where check != 8 {
            XCTAssertFalse(IMEI.isValid("49015420323751\(check)"), "check digit \(check)")
        }
    }

    func testWrongLengthOrCharactersAreRejected() {
        for text in ["", "49015420323751", "4901542032375180", "0490154203237518", "49015420323751A",
                     " 490154203237518", "490154203237518 ", "490 154 203 237 518", "49015420-3237518",
                     "\u{FF14}90154203237518", "\u{0664}90154203237518"] {
            XCTAssertFalse(IMEI.isValid(text), "\"\(text)\"")
        }
    }

    func testLuhnOverAnyLength() {
        XCTAssertTrue(IMEI.luhnValid([7, 9, 9, 2, 7, 3, 9, 8, 7, 1, 3]))
        XCTAssertFalse(IMEI.luhnValid([7, 9, 9, 2, 7, 3, 9, 8, 7, 1, 4]))
        XCTAssertTrue(IMEI.luhnValid([0]))
        XCTAssertTrue(IMEI.luhnValid([1, 8]))  // 1 doubled = 2, + 8 = 10
        XCTAssertTrue(IMEI.luhnValid([5, 9]))  // 5 doubled = 10 → 1, + 9 = 10
        XCTAssertFalse(IMEI.luhnValid([9, 9]))
    }

    func testWithCheckDigitAppendsTheOnlyValidDigit() {
        XCTAssertEqual(IMEI.withCheckDigit("49015420323751"), "490154203237518")
        XCTAssertEqual(IMEI.withCheckDigit("35693803564380"), "356938035643809")
        for prefix in ["00000000000000", "12345678901234", "99999999999999", "35209900176148"] {
            let imei = IMEI.withCheckDigit(prefix)
            XCTAssertEqual(imei.count, 15)
            XCTAssertTrue(imei.hasPrefix(prefix))
            XCTAssertTrue(IMEI.isValid(imei), imei)
            let valid = (0...9).filter { IMEI.isValid(prefix + String($0)) }
            XCTAssertEqual(valid.count, 1, prefix)
        }
    }
}
