import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// The other channels' parsers, fed the same way as Back Market's.
///
/// Extension point: a new connector adds one test here with its entry point (how its channel turns a
/// reply body into orders), its fixtures as seeds (`Tests/Fixtures/<channel>/`) and its fixture directory
/// for crashers (`Tests/Fixtures/fuzz/<target>/`). Each target skips, saying why, while its channel has
/// no fixtures.
final class ChannelParserFuzzTests: XCTestCase {
    /// Spartoo: `SpartooChannel.parseReply` (lone code or XML, any declared encoding) → `orderElements` →
    /// `SpartooMapper.order(from:site:)`, as `Spartoo+Poll` reads an export page.
    func testSpartooReplyAndMapperSurviveMutatedXML() throws {
        let seeds = FuzzSeeds.files(in: "Tests/Fixtures/spartoo", ext: "xml")
        try XCTSkipIf(seeds.isEmpty, "no Spartoo fixtures in Tests/Fixtures/spartoo")
        let mapper = SpartooMapper(channelID: "spartoo-fr")
        FuzzRunner.check(FuzzTarget(name: "spartoo-xml", format: .xml, extraSeeds: seeds) { bytes in
            let reply = try SpartooChannel.parseReply(Data(bytes))
            var firstError: Error?
            for (index, element) in SpartooChannel.orderElements(reply).enumerated() {
                do {
                    let mapped = try mapper.order(from: element, site: "fr")
                    guard SpartooMapper.validID(mapped.order.ref.externalID) else {
                        throw FuzzViolation("orders_id \(mapped.order.ref.externalID.debugDescription) made it into a ref")
                    }
                    if index < FuzzChecks.storedPerInput { try FuzzChecks.storable(mapped.order, rawJSON: nil) }
                } catch let violation as FuzzViolation {
                    throw violation
                } catch {
                    firstError = firstError ?? error
                }
            }
            if let firstError { throw firstError }
        })
    }

    /// WooCommerce: `JSONValue.parse` → `WooCommerceMapper.order(from:)` on each order of a list page.
    func testWooCommerceMapperSurvivesMutatedOrders() throws {
        let seeds = FuzzSeeds.files(in: "Tests/Fixtures/woocommerce", ext: "json")
        try XCTSkipIf(seeds.isEmpty, "no WooCommerce fixtures in Tests/Fixtures/woocommerce")
        let mapper = WooCommerceMapper(channelID: "shop")
        FuzzRunner.check(FuzzTarget(name: "woocommerce-order", format: .json, extraSeeds: seeds) { bytes in
            let json = try JSONValue.parse(Data(bytes))
            var firstError: Error?
            for (index, item) in (json.array ?? [json]).enumerated() {
                do {
                    let order = try mapper.order(from: item)
                    guard order.ref.externalID.utf8.allSatisfy({ (48...57).contains($0) }) else {
                        throw FuzzViolation("order id \(order.ref.externalID.debugDescription) is not ASCII digits")
                    }
                    if index < FuzzChecks.storedPerInput { try FuzzChecks.storable(order, rawJSON: item.data) }
                } catch let violation as FuzzViolation {
                    throw violation
                } catch {
                    firstError = firstError ?? error
                }
            }
            if let firstError { throw firstError }
        })
    }
}
