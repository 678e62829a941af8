import Foundation
import XCTest

@testable import OrderSync

/// The trimming helpers answer exactly as Foundation's `trimmingCharacters(in:)` with `.whitespaces` and
/// `.whitespacesAndNewlines`, on text that needs no trimming (the fast answer) and on text that does.
final class TrimmingTests: XCTestCase {
    func testTheHelpersAnswerLikeFoundation() {
        let pieces = ["a", "Zé", " ", "\t", "\n", "\r\n", "\u{A0}", "\u{2003}", "\u{3000}", "\u{85}", "\u{2028}", "x y", "0.5",
                      "\u{7F}", "\u{1}", "é", "e\u{301}", "📦", "-", ""]
        var generator = SplitMix(seed: 11)
        for _ in 0..<20_000 {
            let text = (0..<Int(generator.next() % 5)).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined()
            XCTAssertEqual(text.trimmingWhitespace(), text.trimmingCharacters(in: .whitespaces), "\"\(text)\"")
            XCTAssertEqual(text.trimmingWhitespaceAndNewlines(), text.trimmingCharacters(in: .whitespacesAndNewlines), "\"\(text)\"")
            let sub = text.dropFirst(min(1, text.count))
            XCTAssertEqual(sub.trimmingWhitespace(), sub.trimmingCharacters(in: .whitespaces), "\"\(sub)\"")
            XCTAssertEqual(sub.trimmingWhitespaceAndNewlines(), sub.trimmingCharacters(in: .whitespacesAndNewlines), "\"\(sub)\"")
        }
    }

    /// Every non-ASCII scalar of the Basic Multilingual Plane (and a few beyond) at either end, alone and
    /// around text: the fast answer for names that end in an accent must never differ from Foundation's.
    /// Names that end (or start) in an accent are answered without Foundation; a non-ASCII space at
    /// either end still goes to it.
    func testAccentedEndsTakeTheFastAnswer() {
        for text in ["André", "Émile", "Zoë Łukasz", "東京", "😀"] { XCTAssertTrue(NoTrim.holds(text.utf8), text) }
        for text in ["a\u{A0}", "\u{3000}a", "a\u{2028}", "\u{85}a", " a", "a\t"] { XCTAssertFalse(NoTrim.holds(text.utf8), text) }
    }

    func testEveryNonASCIIEndAnswersLikeFoundation() {
        var scalars = (0x80...0xFFFF).compactMap(Unicode.Scalar.init)
        scalars += [0x1F4E6, 0x10000, 0xE0020, 0x10FFFF].compactMap(Unicode.Scalar.init)
        for scalar in scalars {
            let c = String(Character(scalar))
            for text in [c, "ab" + c, c + "ab", c + "a" + c, "\u{2003}a" + c] {
                XCTAssertEqual(text.trimmingWhitespace(), text.trimmingCharacters(in: .whitespaces), "U+\(String(scalar.value, radix: 16))")
                XCTAssertEqual(text.trimmingWhitespaceAndNewlines(), text.trimmingCharacters(in: .whitespacesAndNewlines),
                               "U+\(String(scalar.value, radix: 16))")
            }
        }
    }
}
