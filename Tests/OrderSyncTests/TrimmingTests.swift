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


/// ``ByteLanes``' word tests against the byte-by-byte answer.
final class ByteLanesTests: XCTestCase {
    func testEachTestAnswersLikeAByteLoop() {
        var generator = SplitMix(seed: 5)
        let interesting: [UInt8] = [0, 0x1F, 0x20, 0x21, 0x22, 0x26, 0x5C, 0x7F, 0x80, 0x81, 0xC3, 0xFF]
        for _ in 0..<50_000 {
            let bytes = (0..<8).map { _ in generator.next() % 3 == 0 ? UInt8(truncatingIfNeeded: generator.next()) : interesting[Int(generator.next() % UInt64(interesting.count))] }
            let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
            for byte in interesting {
                XCTAssertEqual(ByteLanes.contains(word, byte), bytes.contains(byte), "\(bytes) \(byte)")
            }
            for bound: UInt8 in [0x20, 0x21, 0x80] {
                XCTAssertEqual(ByteLanes.containsBelow(word, bound), bytes.contains { $0 < bound }, "\(bytes) < \(bound)")
            }
            for count in 0...8 {
                XCTAssertEqual(bytes.prefix(count).withUnsafeBytes(ByteLanes.isASCII), bytes.prefix(count).allSatisfy { $0 < 0x80 })
            }
        }
        // Longer runs: a high byte at every position of 0…40.
        for length in 0...40 {
            for position in 0..<max(length, 1) {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                if length > 0 { bytes[position] = 0xC3 }
                XCTAssertEqual(bytes.withUnsafeBytes(ByteLanes.isASCII), length == 0, "\(length) \(position)")
            }
        }
    }
}
