import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// The after-sale parsers, fed mutated replies: Spartoo's returns export and WooCommerce's refunds (the
/// read-back that decides whether a refund is made again). Each either reads the reply or throws; it
/// never crashes, never hangs, and never yields an empty id or a negative amount.
final class AftersaleParserFuzzTests: XCTestCase {
    /// Spartoo: `SpartooXML.parse` → `SpartooReturns.items`, as `Spartoo+Returns` reads an export.
    func testSpartooReturnsSurviveMutatedXML() throws {
        let seeds = FuzzSeeds.files(in: "Tests/Fixtures/aftersale", ext: "xml")
        try XCTSkipIf(seeds.isEmpty, "no returns fixtures in Tests/Fixtures/aftersale")
        FuzzRunner.check(FuzzTarget(name: "spartoo-returns", format: .xml, extraSeeds: seeds) { bytes in
            for item in try SpartooReturns.items(try SpartooXML.parse(Data(bytes))) {
                guard !item.returnID.isEmpty, !item.orderID.isEmpty else { throw FuzzViolation("a return without its ids was read") }
                _ = SpartooReturns.status(item.status)
            }
        })
    }

    /// WooCommerce: `JSONValue.parse` → `WooCommerceRefunds.reads` and the order's `refunds`.
    func testWooCommerceRefundsSurviveMutatedJSON() throws {
        let seeds = FuzzSeeds.files(in: "Tests/Fixtures/aftersale", ext: "json")
        try XCTSkipIf(seeds.isEmpty, "no refunds fixtures in Tests/Fixtures/aftersale")
        FuzzRunner.check(FuzzTarget(name: "woocommerce-refunds", format: .json, extraSeeds: seeds) { bytes in
            let json = try JSONValue.parse(Data(bytes))
            // The same bytes as an order's `refunds` (`total` instead of `amount`): read or refused, never negative.
            for refund in (try? WooCommerceRefunds.orderRefunds(json)) ?? [] where refund.amount.minorUnits < 0 {
                throw FuzzViolation("order refund with a negative amount \(refund.amount)")
            }
            for read in try WooCommerceRefunds.reads(json) {
                guard !read.id.isEmpty, read.amount.minorUnits >= 0 else { throw FuzzViolation("refund \(read.id) read with a negative amount") }
                guard read.lines.values.allSatisfy({ $0 > 0 }) else { throw FuzzViolation("refund \(read.id) with a line quantity ≤ 0") }
            }
        })
    }
}
