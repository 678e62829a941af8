import Foundation
import XCTest

@testable import OrderSync

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
        }
    }

    private func assertValidatesLikeTheStandardLibrary(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(bytes.withUnsafeBytes(ByteLanes.isValidUTF8), String(validating: bytes, as: UTF8.self) != nil,
                       "\(bytes.map { String($0, radix: 16) })", file: file, line: line)
    }

    func testUTF8ValidationAnswersLikeTheStandardLibrary() {
        // Every one- and two-byte sequence, alone and after an ASCII run that fills a word.
        for a in 0...255 {
            assertValidatesLikeTheStandardLibrary([UInt8(a)])
            for b in 0...255 {
                assertValidatesLikeTheStandardLibrary([UInt8(a), UInt8(b)])
                if a >= 0xC0 { assertValidatesLikeTheStandardLibrary(Array("abcdefgh".utf8) + [UInt8(a), UInt8(b)]) }
            }
        }
        // Every lead and second byte of three- and four-byte forms, with boundary continuation bytes.
        let edges: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xE0, 0xED, 0xF4, 0xFF]
        for lead in 0xE0...0xFF {
            for second in 0...255 {
                for third in edges {
                    assertValidatesLikeTheStandardLibrary([UInt8(lead), UInt8(second), third])
                    for fourth in [0x41, 0x80, 0xBF, 0xC0] as [UInt8] {
                        assertValidatesLikeTheStandardLibrary([UInt8(lead), UInt8(second), third, fourth, 0x61])
                    }
                }
            }
        }
        // Random text: mostly ASCII with accented, three- and four-byte scalars, then one byte changed.
        var generator = SplitMix(seed: 9)
        let pieces = ["a", "hello world ", "é", "€", "😀", "\u{10FFFF}", "\u{FFFD}", "\u{D7FF}", "\u{E000}"].map { Array($0.utf8) }
        for _ in 0..<20_000 {
            var bytes = (0..<Int(generator.next() % 12)).flatMap { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }
            assertValidatesLikeTheStandardLibrary(bytes)
            if !bytes.isEmpty {
                bytes[Int(generator.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: generator.next())
                assertValidatesLikeTheStandardLibrary(bytes)
                assertValidatesLikeTheStandardLibrary(Array(bytes.dropLast()))
            }
        }
    }
}
