import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// `BackMarketMapper.order(from:)` over mutated order pages, the way `BackMarketChannel.walk` reads them:
/// each element of `results` is mapped (or quarantined); a bare order object is mapped as it is.
final class BackMarketMapperFuzzTests: XCTestCase {
    func testBackMarketMapperSurvivesMutatedPages() {
        let mapper = BackMarketMapper(channelID: "bm-eu", imeiPatterns: BackMarketSettings.defaultIMEIRequiredFor,
                                      acceptWithinHours: 24)
        FuzzRunner.check(FuzzTarget(name: "backmarket-order", format: .json) { bytes in
            let json = try JSONValue.parse(Data(bytes))
            var firstError: Error?
            for (index, item) in (json["results"]?.array ?? [json]).enumerated() {
                do {
                    let order = try mapper.order(from: item)
                    // Order ids are Back Market's integers: the ref and the URL of every push are built from it.
                    guard order.ref.externalID.utf8.allSatisfy({ (48...57).contains($0) }) else {
                        throw FuzzViolation("order id \(order.ref.externalID.debugDescription) is not ASCII digits")
                    }
                    if index < FuzzChecks.storedPerInput { try FuzzChecks.storable(order, rawJSON: item.data) }
                } catch let violation as FuzzViolation {
                    throw violation
                } catch {
                    firstError = firstError ?? error  // quarantined; the rest of the page goes on
                }
            }
            if let firstError { throw firstError }
        })
    }
}
