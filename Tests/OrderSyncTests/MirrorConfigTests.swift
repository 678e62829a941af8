import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// `mirror`: the store as the fulfilment desk, as the contract's v2 section defines its keys.
final class MirrorConfigTests: XCTestCase {
    private func document(_ mirror: Any) -> [String: Any] { ConfigFixture.document(["mirror": mirror]) }

    func testMirrorDefaultsToEveryMarketplaceChannelProcessingAndOmittedEmail() throws {
        let config = try XCTUnwrap(ConfigFixture.parse(document(["store": "shop"])))
        XCTAssertEqual(ConfigFixture.problems(document(["store": "shop"])), [])
        let mirror = try XCTUnwrap(config.mirror)
        XCTAssertEqual(mirror.sourceChannels(in: config), ["bm-eu", "sp"])
        XCTAssertEqual(mirror.status, .processing)
        XCTAssertEqual(mirror.customerEmail, .omit)
        XCTAssertEqual(mirror.summary(in: config), "mirror: bm-eu, sp -> shop (processing, buyer e-mail omitted)")
    }

    func testMirrorKeysAreRead() throws {
        let config = try XCTUnwrap(ConfigFixture.parse(document(
            ["store": "shop", "from": ["sp"], "status": "on-hold", "customer_email": "forward"])))
        XCTAssertEqual(config.mirror, MirrorConfig(store: "shop", from: ["sp"], status: .onHold, customerEmail: .forward))
        XCTAssertEqual(config.mirror?.sourceChannels(in: config), ["sp"])
    }

    func testStoreIsRequired() {
        XCTAssertTrue(ConfigFixture.problems(document(["from": ["sp"]])).contains { $0.contains("mirror.store") })
    }

    func testStoreThatIsNotAWooCommerceChannelIsRefused() {
        let problems = ConfigFixture.problems(document(["store": "bm-eu"]))
        XCTAssertEqual(problems.count, 1, "\(problems)")
        XCTAssertTrue(problems[0].contains("mirror.store") && problems[0].contains("woocommerce"), problems[0])
    }

    func testUnknownStoreIsRefusedWithTheChannelIds() {
        let problems = ConfigFixture.problems(document(["store": "shp"]))
        XCTAssertEqual(problems.count, 1, "\(problems)")
        XCTAssertTrue(problems[0].contains("mirror.store") && problems[0].contains("did you mean \"shop\""), problems[0])
    }

    func testFromNamingTheStoreTypeIsRefused() {
        let problems = ConfigFixture.problems(document(["store": "shop", "from": ["bm-eu", "shop"]]))
        XCTAssertEqual(problems.count, 1, "\(problems)")
        XCTAssertTrue(problems[0].hasPrefix("config: mirror.from[1]") && problems[0].contains("woocommerce"), problems[0])
    }

    func testUnknownAndRepeatedFromEntriesAreRefused() {
        let problems = ConfigFixture.problems(document(["store": "shop", "from": ["bm-eu", "bm-eu", "nope"]]))
        XCTAssertEqual(problems.count, 2, "\(problems)")
        XCTAssertTrue(problems[0].hasPrefix("config: mirror.from[1]"), problems[0])
        XCTAssertTrue(problems[1].hasPrefix("config: mirror.from[2]"), problems[1])
    }

    func testBadStatusAndCustomerEmailAndUnknownKeysAreRefused() {
        let problems = ConfigFixture.problems(document(
            ["store": "shop", "status": "completed", "customer_email": "send", "stor": "x"]))
        XCTAssertTrue(problems.contains { $0.contains("mirror.status") && $0.contains("processing, on-hold") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.contains("mirror.customer_email") && $0.contains("omit, forward") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.contains("mirror.stor") }, "\(problems)")
    }
}
