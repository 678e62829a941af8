import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// `aftersale_days` on a spartoo channel: default, range, type, and only on spartoo.
final class SpartooAftersaleConfigTests: XCTestCase {
    private typealias F = ConfigFixture

    private func spartoo(_ document: Any) throws -> SpartooSettings {
        let config = try XCTUnwrap(F.parse(document))
        guard let settings = config.channels.first?.settings.as(SpartooSettings.self) else {
            XCTFail("no spartoo channel")
            return SpartooSettings(partnerID: .inline(Secret("x")))
        }
        return settings
    }

    func testDefaultIsSixtyAndAValueIsRead() throws {
        XCTAssertEqual(try spartoo(F.oneChannel(F.spartoo, [:])).aftersaleDays, 60)
        XCTAssertEqual(try spartoo(F.oneChannel(F.spartoo, ["aftersale_days": 0])).aftersaleDays, 0)
        XCTAssertEqual(try spartoo(F.oneChannel(F.spartoo, ["aftersale_days": 365])).aftersaleDays, 365)
    }

    func testOutOfRangeOrNotAnIntegerIsAnErrorWithItsPath() {
        XCTAssertEqual(F.problems(F.oneChannel(F.spartoo, ["aftersale_days": 366])),
                       ["config: channels[0].aftersale_days: must be between 0 and 365 days (got 366)"])
        XCTAssertEqual(F.problems(F.oneChannel(F.spartoo, ["aftersale_days": -1])),
                       ["config: channels[0].aftersale_days: must be between 0 and 365 days (got -1)"])
        XCTAssertEqual(F.problems(F.oneChannel(F.spartoo, ["aftersale_days": "60"])),
                       ["config: channels[0].aftersale_days: expected integer, got string"])
        XCTAssertEqual(F.problems(F.oneChannel(F.spartoo, ["aftersale_days": 1.5])).count, 1)
    }

    func testOnlyOnSpartooChannels() {
        XCTAssertEqual(F.problems(F.oneChannel(F.wooCommerce, ["aftersale_days": 60])).first?.contains("channels[0].aftersale_days"), true)
    }
}
