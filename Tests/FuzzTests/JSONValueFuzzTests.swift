import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// `JSONValue.parse`, the reader of every channel payload: any bytes parse or throw, and what parses
/// serializes back to the same value (the raw payload kept with each order is that serialization).
final class JSONValueFuzzTests: XCTestCase {
    func testJSONValueParseSurvivesMutatedInputs() {
        let extra = FuzzSeeds.seeds(of: "backmarket-order") + FuzzSeeds.seeds(of: "config") + FuzzSeeds.exampleConfigs
            + FuzzSeeds.files(in: "Tests/Fixtures/woocommerce", ext: "json")
        FuzzRunner.check(FuzzTarget(name: "json-value", format: .json, extraSeeds: extra) { bytes in
            let value = try JSONValue.parse(Data(bytes))
            let again: JSONValue
            do {
                again = try JSONValue.parse(value.data)
            } catch {
                throw FuzzViolation("the serialized value does not parse again: \(error)")
            }
            guard again == value else { throw FuzzViolation("parse → serialize → parse changed the value") }
        })
    }
}
