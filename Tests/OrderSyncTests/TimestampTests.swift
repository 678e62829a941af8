import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// `Timestamp`: any ISO form the channels send in, UTC RFC 3339 with `Z` out.
final class TimestampTests: XCTestCase {
    /// 2024-03-10T08:35:00Z
    let base: TimeInterval = 1_710_059_700

    func testFormatIsUTCWithZAndWholeSeconds() {
        XCTAssertEqual(Timestamp.format(Date(timeIntervalSince1970: 1_773_131_400)), "2026-03-10T08:30:00Z")
        XCTAssertEqual(Timestamp.format(Date(timeIntervalSince1970: 0)), "1970-01-01T00:00:00Z")
        XCTAssertEqual(Timestamp.format(Date(timeIntervalSince1970: base + 0.999)), "2024-03-10T08:35:00Z")
        XCTAssertEqual(Timestamp.format(Date(timeIntervalSince1970: 951_782_400)), "2000-02-29T00:00:00Z")
    }

    func testFormatAgreesWithStrftimeOverTheRange() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            var t = time_t(Int.random(in: 0...253_402_300_799, using: &generator))  // 1970 … 9999-12-31
            var parts = tm()
            gmtime_r(&t, &parts)
            var buffer = [CChar](repeating: 0, count: 32)
            strftime(&buffer, 32, "%Y-%m-%dT%H:%M:%SZ", &parts)
            let expected = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            XCTAssertEqual(Timestamp.format(Date(timeIntervalSince1970: Double(t) + 0.999)), expected)
        }
    }

    func testFormatMillisPrintsTheMilliseconds() {
        XCTAssertEqual(Timestamp.formatMillis(Date(timeIntervalSince1970: base)), "2024-03-10T08:35:00.000Z")
        XCTAssertEqual(Timestamp.formatMillis(Date(timeIntervalSince1970: base + 0.5)), "2024-03-10T08:35:00.500Z")
        // 0.123 is held as 0.12299990…: it must still print .123.
        XCTAssertEqual(Timestamp.formatMillis(Date(timeIntervalSince1970: base + 0.123)), "2024-03-10T08:35:00.123Z")
        XCTAssertEqual(Timestamp.formatMillis(Date(timeIntervalSince1970: base + 59.999)), "2024-03-10T08:35:59.999Z")
    }

    func testFormatMillisRoundTripsThroughParse() throws {
        for text in ["2024-03-10T08:35:00.123Z", "2024-03-10T08:35:00.001Z", "2024-03-10T08:35:00.999Z",
                     "2026-12-31T23:59:59.707Z"] {
            XCTAssertEqual(Timestamp.formatMillis(try XCTUnwrap(Timestamp.parse(text), text)), text)
        }
    }

    func testParseZ() {
        XCTAssertEqual(Timestamp.parse("2024-03-10T08:35:00Z")?.timeIntervalSince1970, base)
        XCTAssertEqual(Timestamp.parse("2024-03-10t08:35:00z")?.timeIntervalSince1970, base)
    }

    func testParseOffsetsAreConvertedToUTC() {
        XCTAssertEqual(Timestamp.parse("2024-03-10T09:35:00+01:00")?.timeIntervalSince1970, base)
        XCTAssertEqual(Timestamp.parse("2024-03-10T09:35:00+0100")?.timeIntervalSince1970, base)
        XCTAssertEqual(Timestamp.parse("2024-03-10T03:05:00-05:30")?.timeIntervalSince1970, base)
        XCTAssertEqual(Timestamp.parse("2024-03-10T17:35:00+09")?.timeIntervalSince1970, base)
        XCTAssertEqual(Timestamp.parse("2024-03-10T00:35:00-08:00").map(Timestamp.format), "2024-03-10T08:35:00Z")
        // Crossing midnight backwards.
        XCTAssertEqual(Timestamp.parse("2024-03-10T00:30:00+01:00").map(Timestamp.format), "2024-03-09T23:30:00Z")
    }

    func testParseFractionalSecondsOfAnyLength() throws {
        let micro = try XCTUnwrap(Timestamp.parse("2024-03-10T08:35:00.123456Z"))
        XCTAssertEqual(micro.timeIntervalSince1970, base + 0.123456, accuracy: 1e-6)
        let withOffset = try XCTUnwrap(Timestamp.parse("2024-03-10T09:35:00.123456+01:00"))
        XCTAssertEqual(withOffset.timeIntervalSince1970, base + 0.123456, accuracy: 1e-6)
        XCTAssertEqual(Timestamp.format(withOffset), "2024-03-10T08:35:00Z")
        let comma = try XCTUnwrap(Timestamp.parse("2024-03-10T08:35:00,5Z"))
        XCTAssertEqual(comma.timeIntervalSince1970, base + 0.5, accuracy: 1e-9)
        let nanos = try XCTUnwrap(Timestamp.parse("2024-03-10T08:35:00.000000001Z"))
        XCTAssertEqual(nanos.timeIntervalSince1970, base, accuracy: 1e-6)
    }

    func testParseSpaceSeparatedAndDateOnlyFormsAsUTC() {
        XCTAssertEqual(Timestamp.parse("2024-03-10 08:35:00")?.timeIntervalSince1970, base)
        XCTAssertEqual(Timestamp.parse("2024-03-10T08:35")?.timeIntervalSince1970, base)
        XCTAssertEqual(Timestamp.parse("2024-03-10").map(Timestamp.format), "2024-03-10T00:00:00Z")
    }

    func testAssumedOffsetAppliesOnlyWithoutAnExplicitOne() {
        XCTAssertEqual(Timestamp.parse("2024-03-10 09:35:00", assumeOffset: 3600)?.timeIntervalSince1970, base)
        XCTAssertEqual(Timestamp.parse("2024-03-10T08:35:00Z", assumeOffset: 3600)?.timeIntervalSince1970, base)
        XCTAssertEqual(Timestamp.parse("2024-03-10T10:35:00+02:00", assumeOffset: 3600)?.timeIntervalSince1970, base)
    }

    func testLeapDayIsAccepted() {
        XCTAssertEqual(Timestamp.parse("2024-02-29T12:00:00Z").map(Timestamp.format), "2024-02-29T12:00:00Z")
        XCTAssertEqual(Timestamp.parse("2000-02-29").map(Timestamp.format), "2000-02-29T00:00:00Z")
    }

    func testRejectsMalformedText() {
        let bad = [
            "", "yesterday", "2024", "2024-03", "2024-3-10", "24-03-10", "2024/03/10",
            "2024-13-01T00:00:00Z", "2024-00-10T00:00:00Z", "2024-03-00T00:00:00Z", "2024-03-32T00:00:00Z",
            "2024-03-10T24:00:00Z", "2024-03-10T08:60:00Z", "2024-03-10T08:35:61Z",
            "2024-03-10T08:35:00+25:00", "2024-03-10T08:35:00+01:60", "2024-03-10T08:35:00 Z",
            "2024-03-10T08:35:00.Z", "2024-03-10T08:35:00Zjunk", "2024-03-10X08:35:00Z", "2024-03-10T8:35:00Z",
            "1969-12-31T23:59:59Z", "2024-03-10T08:35:00+", " 2024-03-10T08:35:00Z",
        ]
        for text in bad { XCTAssertNil(Timestamp.parse(text), "\"\(text)\" must be rejected") }
    }

    /// A day the month does not have must not silently become a day of the next month.
    func testRejectsDaysTheMonthDoesNotHave() {
        for text in ["2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2024-04-31", "2019-02-29", "2100-02-29T10:00:00Z", "2024-06-31T00:00:00+02:00"] {
            XCTAssertNil(Timestamp.parse(text), "\"\(text)\" must be rejected")
        }
    }

    /// Stored times are formatted through a one-entry cache: a time after another, and again, is its own text.
    func testStoredTimesAreEachTheirOwnText() {
        let times = [0, 0.5, 0.5, 1_772_357_400.123, 0, 1_772_357_400.123, 1_772_357_400.124].map(Date.init(timeIntervalSince1970:))
        for date in times { XCTAssertEqual(Store.millis(date), Timestamp.formatMillis(date)) }
        XCTAssertEqual(Store.millis(Date(timeIntervalSince1970: 1_772_357_400.124)), "2026-03-01T09:30:00.124Z")
    }

    /// The calendar arithmetic agrees with `timegm` on every day of 1970…2100 and on random days up to 9999,
    /// leap seconds included (`:60` is the next minute's first second, as `timegm` has it).
    func testParsedTimesAgreeWithTimegm() {
        func viaTimegm(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int) -> Double {
            var parts = tm()
            parts.tm_year = Int32(y - 1900); parts.tm_mon = Int32(mo - 1); parts.tm_mday = Int32(d)
            parts.tm_hour = Int32(h); parts.tm_min = Int32(mi); parts.tm_sec = Int32(s)
            return Double(timegm(&parts))
        }
        func text(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int) -> String {
            func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
            return "\(y)-\(two(mo))-\(two(d))T\(two(h)):\(two(mi)):\(two(s))Z"
        }
        var generator = SplitMix(seed: 21)
        for year in 1970...2100 {
            for month in 1...12 {
                for day in 1...Timestamp.daysIn(month: month, year: year) {
                    let (h, mi, s) = (Int(generator.next() % 24), Int(generator.next() % 60), Int(generator.next() % 61))
                    XCTAssertEqual(Timestamp.parse(text(year, month, day, h, mi, s))?.timeIntervalSince1970,
                                   viaTimegm(year, month, day, h, mi, s), text(year, month, day, h, mi, s))
                }
            }
        }
        for _ in 0..<20_000 {
            let year = 1970 + Int(generator.next() % 8030), month = 1 + Int(generator.next() % 12)
            let day = 1 + Int(generator.next() % UInt64(Timestamp.daysIn(month: month, year: year)))
            XCTAssertEqual(Timestamp.parse(text(year, month, day, 23, 59, 60))?.timeIntervalSince1970,
                           viaTimegm(year, month, day, 23, 59, 60), text(year, month, day, 23, 59, 60))
        }
        XCTAssertNil(Timestamp.parse("2023-02-29T00:00:00Z"), "not a leap year")
        XCTAssertNotNil(Timestamp.parse("2024-02-29T00:00:00Z"))
        XCTAssertNil(Timestamp.parse("2100-02-29T00:00:00Z"), "a century is not a leap year")
        XCTAssertNotNil(Timestamp.parse("2000-02-29T00:00:00Z"), "unless it divides by 400")
        XCTAssertNil(Timestamp.parse("2024-04-31T00:00:00Z"))
    }
}

