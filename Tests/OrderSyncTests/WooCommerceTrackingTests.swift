import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// The pure parts of WooCommerce pushes and polling: note text, the duplicate-note guard, the Shipment
/// Tracking link template, "every line shipped", and the cursor with its known-id set.
final class WooCommerceTrackingTests: XCTestCase {
    func line(_ id: String, _ name: String, quantity: Int = 1) -> OrderLine {
        OrderLine(lineID: id, sku: nil, name: name, quantity: quantity, unitPrice: nil)
    }

    func testNoteNamesCarrierTrackingAndURL() {
        XCTAssertEqual(WooCommerceTracking.noteText(carrier: "Colissimo", tracking: "6A 123", url: "https://t.example/6A123", lines: []),
                       "Shipped with Colissimo, tracking 6A123: https://t.example/6A123")
        XCTAssertEqual(WooCommerceTracking.noteText(carrier: nil, tracking: "X1", url: nil, lines: []), "Shipped, tracking X1.")
        XCTAssertEqual(WooCommerceTracking.noteText(carrier: "DHL", tracking: "X1", url: nil,
                                                    lines: [line("1", "T-shirt M"), line("2", "Mug", quantity: 2)]),
                       "Shipped with DHL (1 × T-shirt M, 2 × Mug), tracking X1.")
    }

    func testMentionsMatchesWholeTokensOnly() {
        let note = "Shipped with Colissimo, tracking 6A123: <a href=\"https://x/?code=6A123\">link</a>"
        XCTAssertTrue(WooCommerceTracking.mentions(note, tracking: "6A123"))
        XCTAssertTrue(WooCommerceTracking.mentions(note, tracking: "6a 123"), "compact and case-insensitive")
        XCTAssertFalse(WooCommerceTracking.mentions(note, tracking: "6A12"), "a prefix is another number")
        XCTAssertFalse(WooCommerceTracking.mentions("order 16A1234 shipped", tracking: "6A123"))
        XCTAssertTrue(WooCommerceTracking.mentions("Tracking: 6A 1234 5678 (La Poste)", tracking: "6A 1234 5678"),
                      "a note written by hand with spaces counts")
        XCTAssertFalse(WooCommerceTracking.mentions("", tracking: "6A123"))
        XCTAssertTrue(WooCommerceTracking.mentions("Your parcel: 6A 1234 5678 901 (Colissimo)", tracking: "6A12345678901"),
                      "a number typed in groups matches its compact form")
        XCTAssertFalse(WooCommerceTracking.mentions("6A 1234, 5678 901", tracking: "6A12345678901"), "groups split by punctuation do not")
        XCTAssertFalse(WooCommerceTracking.mentions("6A 1234 5678 9012", tracking: "6A12345678901"))
    }

    func testCustomTrackingLinkIsTheRenderedURL() {
        let template = "https://www.laposte.fr/suivi?code={tracking}&cp={postcode}"
        let rendered = CarrierConfig(key: "colissimo", trackingURL: template).trackingURL(number: "6A123", postcode: "75003")
        XCTAssertEqual(WooCommerceTracking.customLink(shipmentURL: nil, rendered: rendered),
                       "https://www.laposte.fr/suivi?code=6A123&cp=75003", "the extension shows a custom link word for word")
        XCTAssertEqual(WooCommerceTracking.customLink(shipmentURL: "https://mine/x%20y", rendered: rendered), "https://mine/x%20y",
                       "a typed link is sent as typed: no % doubled")
        XCTAssertNil(WooCommerceTracking.customLink(shipmentURL: nil, rendered: nil))
        XCTAssertEqual(WooCommerceTracking.dateShipped(Timestamp.parse("2026-03-11T23:30:00Z")!), "2026-03-11")
    }

    func testProviderNamesCompareAsTheExtensionsSanitizeTitle() {
        XCTAssertEqual(WooCommerceTracking.providerSlug("Colissimo"), "colissimo")
        XCTAssertEqual(WooCommerceTracking.providerSlug("DHL Intraship (DE)"), "dhl-intraship-de")
        XCTAssertEqual(WooCommerceTracking.providerSlug("DPD.de"), "dpd-de")
        XCTAssertEqual(WooCommerceTracking.providerSlug("Česká pošta"), "ceska-posta")
        XCTAssertEqual(WooCommerceTracking.providerSlug(" TNT Express (consignment) "), "tnt-express-consignment")
        XCTAssertEqual(WooCommerceTracking.providerSlug("EVRi / Hermes"), "evri-hermes")
    }

    func testAllLinesShippedCountsPushedShipments() {
        let lines = [line("1", "A"), line("2", "B"), line("3", "C")]
        func request(_ tracking: String, _ ids: [String]) -> ShipmentRequest {
            ShipmentRequest(carrierKey: nil, carrierName: nil, trackingNumber: tracking, trackingURL: nil, shippedAt: Date(),
                            lines: ids.map { ShipLine(lineID: $0) }, wholeOrder: ids.isEmpty)
        }
        func shipment(_ tracking: String, _ ids: [String], _ state: ShipmentState) -> Shipment {
            Shipment(carrier: nil, trackingNumber: tracking, trackingURL: nil, shippedAt: nil, state: state, lineIDs: ids)
        }
        XCTAssertTrue(WooCommerceTracking.allLinesShipped(lines: lines, shipments: [], current: request("T", [])))
        XCTAssertFalse(WooCommerceTracking.allLinesShipped(lines: lines, shipments: [], current: request("T1", ["1"])))
        XCTAssertFalse(WooCommerceTracking.allLinesShipped(
            lines: lines, shipments: [shipment("T1", ["1"], .pushed), shipment("T2", ["2"], .failed)], current: request("T3", ["3"])),
            "a failed shipment did not ship its line")
        XCTAssertTrue(WooCommerceTracking.allLinesShipped(
            lines: lines, shipments: [shipment("T1", ["1"], .pushed), shipment("T2", ["2"], .pushed), shipment("T3", ["3"], .queued)],
            current: request("T3", ["3"])))
    }

    func testCursorRoundTripsAndToleratesGarbage() {
        let cursor = WooCommerceCursor(modified: Timestamp.parse("2026-03-10T08:41:00Z"),
                                       lastResweep: Timestamp.parse("2026-03-10T08:00:00Z"))
        XCTAssertEqual(cursor.encoded, #"{"modified":"2026-03-10T08:41:00Z","last_resweep":"2026-03-10T08:00:00Z"}"#)
        XCTAssertEqual(WooCommerceCursor(decoding: cursor.encoded), cursor)
        XCTAssertEqual(WooCommerceCursor(decoding: #"{"modified":"2026-03-10T08:41:00Z","last_resweep":"2026-03-10T08:00:00Z","known":"1-9"}"#),
                       cursor, "an earlier version's id set is ignored")
        XCTAssertEqual(WooCommerceCursor(decoding: "not json"), WooCommerceCursor())
        XCTAssertEqual(WooCommerceCursor(decoding: nil), WooCommerceCursor())
        XCTAssertEqual(WooCommerceCursor.naiveUTC(Timestamp.parse("2026-03-10T08:00:00Z")!), "2026-03-10T08:00:00")
    }
}
