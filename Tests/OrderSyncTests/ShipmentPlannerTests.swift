import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// `ShipmentPlanner`: every refusal is exit 65 naming the order and the reason; accepted input resolves
/// into a `ShipmentRequest` (carrier spelling, tracking URL, per-line identifiers).
final class ShipmentPlannerTests: XCTestCase {
    let ref = "bm-eu:40012345"
    let now = Fixture.t0
    let validIMEI = "490154203237518"
    let badLuhn = "490154203237517"

    func planner(enforceIMEI: Bool = true) -> ShipmentPlanner {
        let config = Fixture.config(enforceIMEI: enforceIMEI)
        return ChannelFactory.planner(for: config.channels[0], config: config)
    }

    func plan(_ input: ShipmentInput, order: Order = Fixture.order(carrier: "colissimo"), acceptQueued: Bool = false,
              enforceIMEI: Bool = true) throws -> ShipmentRequest {
        try planner(enforceIMEI: enforceIMEI).plan(input, order: order, acceptQueued: acceptQueued, now: now)
    }

    static let twoLines = [
        Fixture.line("L1", sku: "CASE-01", name: "Leather case"),
        Fixture.line("L2", sku: "SKU-IP12-64", name: "iPhone 12"),
    ]

    // MARK: Accepted shipments

    func testResolvesCarrierNameTrackingURLAndTime() throws {
        let shippedAt = Date(timeIntervalSince1970: 1_773_200_000)
        let request = try plan(ShipmentInput(trackingNumber: "  6A12345678901 ", carrierKey: "colissimo", shippedAt: shippedAt))
        XCTAssertEqual(request, ShipmentRequest(
            carrierKey: "colissimo", carrierName: "Colissimo", trackingNumber: "6A12345678901",
            trackingURL: "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901",
            shippedAt: shippedAt, lines: [], wholeOrder: true))
    }

    func testDefaultCarrierComesFromTheOrder() throws {
        let request = try plan(ShipmentInput(trackingNumber: "JD0001"), order: Fixture.order(carrier: "dhl-express"))
        XCTAssertEqual(request.carrierKey, "dhl-express")
        XCTAssertEqual(request.carrierName, "DHL Express")
        XCTAssertEqual(request.trackingURL, "https://www.dhl.com/fr-fr/home/tracking.html?tracking-id=JD0001&pc=75003")
        XCTAssertEqual(request.shippedAt, now, "shipped now when --shipped-at is not given")
    }

    func testGivenCarrierOverridesTheOrdersDefault() throws {
        let request = try plan(ShipmentInput(trackingNumber: "JD0001", carrierKey: "dhl-express"),
                               order: Fixture.order(carrier: "colissimo"))
        XCTAssertEqual(request.carrierKey, "dhl-express")
        XCTAssertEqual(request.carrierName, "DHL Express")
    }

    func testTrackingURLTemplateIsURLEncoded() throws {
        let request = try plan(ShipmentInput(trackingNumber: "6A 12/3&x=é", carrierKey: "dhl-express"),
                               order: Fixture.order(postcode: "SW1A 1AA"))
        XCTAssertEqual(request.trackingURL,
                       "https://www.dhl.com/fr-fr/home/tracking.html?tracking-id=6A%2012%2F3%26x%3D%C3%A9&pc=SW1A%201AA")
        XCTAssertEqual(request.trackingNumber, "6A 12/3&x=é")
    }

    func testGivenTrackingURLIsUsedVerbatim() throws {
        let request = try plan(ShipmentInput(trackingNumber: "6A1", trackingURL: "https://track.example/6A1?x=1"))
        XCTAssertEqual(request.trackingURL, "https://track.example/6A1?x=1")
    }

    func testCarrierWithoutTemplateHasNoTrackingURL() throws {
        let config = Config(stateDir: "/tmp", channels: [Fixture.backMarketChannel()],
                            carriers: [CarrierConfig(key: "ups", names: ["backmarket": "UPS"])])
        let request = try ChannelFactory.planner(for: config.channels[0], config: config)
            .plan(ShipmentInput(trackingNumber: "1Z999", carrierKey: "ups"), order: Fixture.order(), acceptQueued: false, now: now)
        XCTAssertNil(request.trackingURL)
        XCTAssertEqual(request.carrierName, "UPS")
    }

    func testAwaitingAcceptanceShipsWhenAnAcceptIsQueued() throws {
        let order = Fixture.order(status: .awaitingAcceptance, channelStatus: "1", carrier: "colissimo")
        XCTAssertEqual(try plan(ShipmentInput(trackingNumber: "6A1"), order: order, acceptQueued: true).trackingNumber, "6A1")
    }

    func testExactly64CharactersIsAccepted() throws {
        let tracking = String(repeating: "A", count: 64)
        XCTAssertEqual(try plan(ShipmentInput(trackingNumber: tracking)).trackingNumber, tracking)
    }

    func testSingleLineIMEIGoesToThatLine() throws {
        let order = Fixture.order(carrier: "colissimo", lines: [Fixture.line(requiresIMEI: true)])
        let request = try plan(ShipmentInput(trackingNumber: "6A1", imei: validIMEI), order: order)
        XCTAssertEqual(request.lines, [ShipLine(lineID: "51234567", imei: validIMEI)])
        XCTAssertTrue(request.wholeOrder)
    }

    func testSerialIsRecordedAsSerial() throws {
        let request = try plan(ShipmentInput(trackingNumber: "6A1", serial: "C02XK0ABJGH5"))
        XCTAssertEqual(request.lines, [ShipLine(lineID: "51234567", serial: "C02XK0ABJGH5")])
    }

    func testMultiLineIMEIGoesToTheOnlyLineThatRequiresOne() throws {
        let lines = [Fixture.line("L1", sku: "CASE-01", name: "Leather case"),
                     Fixture.line("L2", name: "iPhone 12", requiresIMEI: true)]
        let request = try plan(ShipmentInput(trackingNumber: "6A1", imei: validIMEI),
                               order: Fixture.order(carrier: "colissimo", lines: lines))
        XCTAssertEqual(request.lines, [ShipLine(lineID: "L2", imei: validIMEI)])
    }

    func testLineValuesAreClassifiedAsIMEIOrSerial() throws {
        let request = try plan(ShipmentInput(trackingNumber: "6A1", lines: [("L1", "SN-0001"), ("L2", validIMEI)]),
                               order: Fixture.order(carrier: "colissimo", lines: Self.twoLines))
        XCTAssertEqual(request.lines, [ShipLine(lineID: "L1", serial: "SN-0001"), ShipLine(lineID: "L2", imei: validIMEI)])
        XCTAssertTrue(request.wholeOrder, "Back Market ships the whole order")
        // 14 digits is not an IMEI: it is a serial number.
        let serial = try plan(ShipmentInput(trackingNumber: "6A1", lines: [("L1", "49015420323751")]),
                              order: Fixture.order(carrier: "colissimo", lines: Self.twoLines))
        XCTAssertEqual(serial.lines, [ShipLine(lineID: "L1", serial: "49015420323751")])
    }

    // MARK: Tracking number

    func testEmptyTrackingIsRefused() {
        XCTAssertUserError(try plan(ShipmentInput(trackingNumber: "")), "\(ref): tracking number is empty")
        XCTAssertUserError(try plan(ShipmentInput(trackingNumber: "   ")), "\(ref): tracking number is empty")
    }

    func testTooLongTrackingIsRefused() {
        let tracking = String(repeating: "A", count: 65)
        XCTAssertUserError(try plan(ShipmentInput(trackingNumber: tracking)),
                           "\(ref): tracking number \"\(tracking)\" is not valid (at most 64 printable characters)")
    }

    func testTrackingWithAControlCharacterIsRefused() {
        XCTAssertUserError(try plan(ShipmentInput(trackingNumber: "6A1\n2")),
                           "\(ref): tracking number \"6A1\n2\" is not valid (at most 64 printable characters)")
    }

    // MARK: Order status

    func testOrdersThatAreNotShippableAreRefused() {
        for status in [OrderStatus.pendingPayment, .shipped, .completed, .cancelled, .refunded, .onHold] {
            XCTAssertUserError(try plan(ShipmentInput(trackingNumber: "6A1"), order: Fixture.order(status: status)),
                               "\(ref): order is \(status.rawValue); it cannot be shipped")
        }
    }

    func testAwaitingAcceptanceWithoutAnAcceptIsRefused() {
        XCTAssertUserError(try plan(ShipmentInput(trackingNumber: "6A1"), order: Fixture.order(status: .awaitingAcceptance)),
                           "\(ref): order is awaiting acceptance: run `ordersync accept \(ref)` first")
    }

    // MARK: Carrier

    func testUnknownCarrierListsConfiguredKeys() {
        XCTAssertUserError(try plan(ShipmentInput(trackingNumber: "6A1", carrierKey: "ups")),
                           "\(ref): unknown carrier \"ups\" (configured: colissimo, dhl-express, local-courier)")
    }

    func testUnknownDefaultCarrierIsRefusedToo() {
        XCTAssertUserError(try plan(ShipmentInput(trackingNumber: "6A1"), order: Fixture.order(carrier: "gone")),
                           "\(ref): unknown carrier \"gone\" (configured: colissimo, dhl-express, local-courier)")
    }

    func testUnknownCarrierWithNoneConfigured() {
        let config = Config(stateDir: "/tmp", channels: [Fixture.backMarketChannel()])
        let planner = ChannelFactory.planner(for: config.channels[0], config: config)
        XCTAssertUserError(try planner.plan(ShipmentInput(trackingNumber: "6A1", carrierKey: "ups"), order: Fixture.order(),
                                            acceptQueued: false, now: now),
                           "\(ref): unknown carrier \"ups\" (configured: none)")
    }

    func testCarrierWithoutABackMarketNameIsRefused() {
        XCTAssertUserError(try plan(ShipmentInput(trackingNumber: "6A1", carrierKey: "local-courier")),
                           "\(ref): carrier \"local-courier\" has no name for backmarket: add carriers.local-courier.names.backmarket")
    }

    func testNoCarrierAtAllIsRefusedOnBackMarket() {
        XCTAssertUserError(try plan(ShipmentInput(trackingNumber: "6A1"), order: Fixture.order(carrier: nil)),
                           "\(ref): no carrier: pass --carrier KEY or add a shipping_rules entry for this order's shipping method")
    }

    // MARK: IMEI and lines

    func testInvalidIMEIIsRefused() {
        XCTAssertUserError(try plan(ShipmentInput(trackingNumber: "6A1", imei: badLuhn)),
                           "\(ref): invalid IMEI \(badLuhn): must be 15 digits with a valid Luhn check digit")
        XCTAssertUserError(try plan(ShipmentInput(trackingNumber: "6A1", imei: "12345")),
                           "\(ref): invalid IMEI 12345: must be 15 digits with a valid Luhn check digit")
    }

    func testFifteenDigitNonLuhnLineValueIsRefused() {
        XCTAssertUserError(try plan(ShipmentInput(trackingNumber: "6A1", lines: [("L2", badLuhn)]),
                                    order: Fixture.order(carrier: "colissimo", lines: Self.twoLines)),
                           "\(ref): invalid IMEI \(badLuhn): the Luhn check digit does not match")
    }

    func testLineWithoutValueIsRefusedOnBackMarket() {
        XCTAssertUserError(try plan(ShipmentInput(trackingNumber: "6A1", lines: [("L1", nil)]),
                                    order: Fixture.order(carrier: "colissimo", lines: Self.twoLines)),
                           "\(ref): backmarket ships whole orders; --line is only for LINE_ID=IMEI_OR_SERIAL here")
    }

    func testUnknownLineIsRefused() {
        XCTAssertUserError(try plan(ShipmentInput(trackingNumber: "6A1", lines: [("L9", validIMEI)]),
                                    order: Fixture.order(carrier: "colissimo", lines: Self.twoLines)),
                           "\(ref): line L9 is not in this order (lines: L1, L2)")
    }

    func testMultiLineIMEINeedsLine() {
        XCTAssertUserError(try plan(ShipmentInput(trackingNumber: "6A1", imei: validIMEI),
                                    order: Fixture.order(carrier: "colissimo", lines: Self.twoLines)),
                           "\(ref): the order has 2 lines: give identifiers per line with --line LINE_ID=IMEI_OR_SERIAL")
        let bothPhones = [Fixture.line("L1", requiresIMEI: true), Fixture.line("L2", requiresIMEI: true)]
        XCTAssertUserError(try plan(ShipmentInput(trackingNumber: "6A1", imei: validIMEI),
                                    order: Fixture.order(carrier: "colissimo", lines: bothPhones)),
                           "\(ref): the order has 2 lines: give identifiers per line with --line LINE_ID=IMEI_OR_SERIAL")
        XCTAssertUserError(try plan(ShipmentInput(trackingNumber: "6A1", serial: "SN1"),
                                    order: Fixture.order(carrier: "colissimo", lines: Self.twoLines)),
                           "\(ref): the order has 2 lines: give identifiers per line with --line LINE_ID=IMEI_OR_SERIAL")
    }

    func testIdentifierOnALineOfQuantityTwoIsRefused() {
        let order = Fixture.order(carrier: "colissimo", lines: [Fixture.line("L1", quantity: 2)])
        XCTAssertUserError(try plan(ShipmentInput(trackingNumber: "6A1", imei: validIMEI), order: order),
                           "\(ref): line L1 has quantity 2; Back Market records one IMEI or serial per line of quantity 1")
    }

    func testSerialLengthIsChecked() {
        let long = String(repeating: "S", count: 51)
        XCTAssertUserError(try plan(ShipmentInput(trackingNumber: "6A1", serial: long)),
                           "\(ref): serial number must be 1 to 50 characters")
        XCTAssertUserError(try plan(ShipmentInput(trackingNumber: "6A1", lines: [("51234567", long)])),
                           "\(ref): serial number must be 1 to 50 characters")
        XCTAssertEqual(try plan(ShipmentInput(trackingNumber: "6A1", serial: String(repeating: "S", count: 50))).lines.first?.serial?.count, 50)
    }

    func testRequiresIMEILineWithoutOneIsRefused() {
        let order = Fixture.order(carrier: "colissimo", lines: [Fixture.line(requiresIMEI: true)])
        XCTAssertUserError(try plan(ShipmentInput(trackingNumber: "6A1"), order: order),
                           "\(ref): line 51234567 (iPhone 12 64 GB - Black) needs an IMEI: pass --imei IMEI or --line 51234567=IMEI (or set enforce_imei to false)")
        let lines = [Fixture.line("L1", name: "iPhone 12", requiresIMEI: true), Fixture.line("L2", name: "Galaxy S21", requiresIMEI: true)]
        XCTAssertUserError(try plan(ShipmentInput(trackingNumber: "6A1", lines: [("L1", validIMEI)]),
                                    order: Fixture.order(carrier: "colissimo", lines: lines)),
                           "\(ref): line L2 (Galaxy S21) needs an IMEI: pass --imei IMEI or --line L2=IMEI (or set enforce_imei to false)")
    }

    func testRequiresIMEIIsNotEnforcedWhenDisabled() throws {
        let order = Fixture.order(carrier: "colissimo", lines: [Fixture.line(requiresIMEI: true)])
        let request = try plan(ShipmentInput(trackingNumber: "6A1"), order: order, enforceIMEI: false)
        XCTAssertEqual(request.lines, [])
        XCTAssertTrue(request.wholeOrder)
    }

    func testRequiresIMEIIsSatisfiedByTheChannelsIMEIOrASerial() throws {
        let known = Fixture.order(carrier: "colissimo", lines: [Fixture.line(requiresIMEI: true, imei: validIMEI)])
        XCTAssertEqual(try plan(ShipmentInput(trackingNumber: "6A1"), order: known).lines, [])
        let phone = Fixture.order(carrier: "colissimo", lines: [Fixture.line(requiresIMEI: true)])
        XCTAssertEqual(try plan(ShipmentInput(trackingNumber: "6A1", serial: "SN1"), order: phone).lines,
                       [ShipLine(lineID: "51234567", serial: "SN1")])
        let bulk = Fixture.order(carrier: "colissimo", lines: [Fixture.line(quantity: 3, requiresIMEI: true)])
        XCTAssertEqual(try plan(ShipmentInput(trackingNumber: "6A1"), order: bulk).lines, [], "only qty-1 lines need one")
    }

    // MARK: Other channel types

    func testChannelsThatTakeNoIMEIRefuseOne() {
        let spartoo = ShipmentPlanner(channelType: .spartoo, capabilities: ChannelFactory.capabilities(of: .spartoo),
                                      carriers: Fixture.config().carriers, enforceIMEI: true)
        let order = Fixture.order(channel: "spartoo-fr", carrier: "colissimo")
        XCTAssertUserError(try spartoo.plan(ShipmentInput(trackingNumber: "6A1", imei: validIMEI), order: order, acceptQueued: false, now: now),
                           "spartoo-fr:40012345: spartoo does not take IMEI or serial numbers")
        XCTAssertUserError(try spartoo.plan(ShipmentInput(trackingNumber: "6A1", lines: [("51234567", "SN1")]), order: order,
                                            acceptQueued: false, now: now),
                           "spartoo-fr:40012345: spartoo does not take IMEI or serial numbers")
        XCTAssertUserError(try spartoo.plan(ShipmentInput(trackingNumber: "6A1", lines: [("51234567", nil)]), order: order,
                                            acceptQueued: false, now: now),
                           "spartoo-fr:40012345: spartoo ships whole orders; --line is only for LINE_ID=IMEI_OR_SERIAL here")
    }

    func testWooCommerceShipsPerLine() throws {
        let woo = ShipmentPlanner(channelType: .woocommerce, capabilities: ChannelFactory.capabilities(of: .woocommerce),
                                  carriers: Fixture.config().carriers, enforceIMEI: false)
        let order = Fixture.order(channel: "shop", carrier: "colissimo", lines: Self.twoLines)
        let request = try woo.plan(ShipmentInput(trackingNumber: "6A1", lines: [("L2", nil)]), order: order, acceptQueued: false, now: now)
        XCTAssertEqual(request.lines, [ShipLine(lineID: "L2")])
        XCTAssertFalse(request.wholeOrder)
        XCTAssertEqual(request.carrierName, "Colissimo")
        // No carrier is fine where the channel needs no carrier name.
        let none = try woo.plan(ShipmentInput(trackingNumber: "6A1"), order: Fixture.order(channel: "shop", carrier: nil),
                                acceptQueued: false, now: now)
        XCTAssertNil(none.carrierKey)
        XCTAssertNil(none.trackingURL)
    }

    func testDedupeKeyIgnoresSpacesAndCase() {
        XCTAssertEqual(ShipmentPlanner.dedupeKey(" 6a 123\t45 "), "6A12345")
        XCTAssertEqual(ShipmentPlanner.dedupeKey("6A12345"), "6A12345")
    }
}
