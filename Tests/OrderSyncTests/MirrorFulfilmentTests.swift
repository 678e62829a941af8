import Foundation
import XCTest

@testable import OrderSync

/// What a merchant types on a completed mirror, read as a marketplace shipment or the reason it waits.
final class MirrorFulfilmentTests: XCTestCase {
    let carriers = [
        CarrierConfig(key: "colissimo", names: ["backmarket": "Colissimo", "woocommerce": "Colissimo"]),
        CarrierConfig(key: "dhl-express", names: ["backmarket": "DHL Express", "woocommerce": "DHL Parcel Pro"]),
        CarrierConfig(key: "ups", names: ["backmarket": "UPS Standard"]),
    ]
    let store = ChannelType(rawValue: "woocommerce")

    func order(phones: [String?] = ["P1"]) -> Order {
        Order(ref: OrderRef(channel: "bm-eu", externalID: "1"), channelType: "backmarket", status: .awaitingShipment, channelStatus: "3",
              carrier: "colissimo",
              lines: phones.enumerated().map { OrderLine(lineID: "\($0.offset + 1)", sku: $0.element, name: "Phone", quantity: 1,
                                                         unitPrice: nil, requiresIMEI: true) })
    }

    func plan(_ order: Order, trackings: [MirrorTracking] = [], notes: [String]) -> MirrorFulfilment.Plan {
        MirrorFulfilment.plan(order: order, trackings: trackings, notes: notes, carriers: carriers, storeType: store)
    }

    func testATrackingNoteAndAnIMEINoteMakeAShipment() {
        guard case .ship(let shipment) = plan(order(), notes: ["Tracking: Colissimo 6A123", "IMEI 356938035643809"]) else {
            return XCTFail("not planned")
        }
        XCTAssertEqual(shipment.trackingNumber, "6A123")
        XCTAssertEqual(shipment.carrierKey, "colissimo")
        XCTAssertEqual(shipment.identifiers, ["1": "356938035643809"])
        XCTAssertEqual(shipment.description, "Colissimo 6A123, IMEI set on 1 line")
    }

    func testProvidersResolveByKeyStoreNameOrAnotherNameOfTheCarrier() {
        XCTAssertEqual(MirrorFulfilment.carrierKey(for: "DHL Parcel Pro", carriers: carriers, storeType: store), "dhl-express")
        XCTAssertEqual(MirrorFulfilment.carrierKey(for: "dhl-express", carriers: carriers, storeType: store), "dhl-express")
        XCTAssertEqual(MirrorFulfilment.carrierKey(for: "UPS standard", carriers: carriers, storeType: store), "ups")
        XCTAssertNil(MirrorFulfilment.carrierKey(for: "Pigeon Post", carriers: carriers, storeType: store))
        guard case .blocked(let reason) = plan(order(), trackings: [MirrorTracking(provider: "Pigeon Post", number: "1")],
                                               notes: ["IMEI 356938035643809"]) else { return XCTFail("planned") }
        XCTAssertTrue(reason.contains("Pigeon Post"), reason)
    }

    func testWhatIsMissingIsTheReason() {
        guard case .blocked(let noTracking) = plan(order(), notes: ["IMEI 356938035643809"]) else { return XCTFail("planned") }
        XCTAssertTrue(noTracking.contains("without a tracking number"), noTracking)
        guard case .blocked(let noIMEI) = plan(order(), notes: ["Tracking: Colissimo 6A1"]) else { return XCTFail("planned") }
        XCTAssertTrue(noIMEI.contains("IMEI missing"), noIMEI)
        guard case .blocked(let badIMEI) = plan(order(), notes: ["Tracking: Colissimo 6A1", "IMEI 356938035643808"]) else {
            return XCTFail("planned")
        }
        XCTAssertTrue(badIMEI.contains("check digit"), badIMEI)
    }

    func testSeveralPhonesTakeSkuPairsAndOwnNotesAreNotInput() {
        let notes = ["Tracking: 6A9", "P1=356938035643809; P2=490154203237518"]
        guard case .ship(let shipment) = plan(order(phones: ["P1", "P2"]), notes: notes) else { return XCTFail("not planned") }
        XCTAssertEqual(shipment.identifiers, ["1": "356938035643809", "2": "490154203237518"])
        XCTAssertEqual(shipment.carrierKey, "colissimo", "no provider: the order's mapped carrier")
        guard case .blocked = plan(order(phones: ["P1", "P2"]), notes: ["Tracking: 6A9", "IMEI 356938035643809"]) else {
            return XCTFail("one IMEI for two phones must not be guessed")
        }
    }
}
