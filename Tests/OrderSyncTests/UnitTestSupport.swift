import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// A fresh temporary directory holding one SQLite file per test; removed in `tearDown`.
final class TempDatabase {
    let directory: URL
    var path: String { directory.appendingPathComponent("ordersync.sqlite3").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ordersync-unit-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Opens (or reopens) a `Store` on the file: a new connection each call.
    func open() throws -> Store { try Store(path: path) }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

/// A test case with a fresh store per test.
class StoreTestCase: XCTestCase {
    var temp: TempDatabase!
    var store: Store!

    override func setUpWithError() throws {
        temp = try TempDatabase()
        store = try temp.open()
    }

    override func tearDown() {
        store = nil
        temp?.remove()
        temp = nil
        super.tearDown()
    }
}

/// Orders, lines and configs built in code.
enum Fixture {
    static let t0 = Date(timeIntervalSince1970: 1_773_131_400)  // 2026-03-10T08:30:00Z

    static func ref(_ id: String = "40012345", channel: String = "bm-eu") -> OrderRef {
        OrderRef(channel: channel, externalID: id)
    }

    static func line(_ id: String = "51234567", sku: String? = "SKU-IP12-64", name: String = "iPhone 12 64 GB - Black",
                     quantity: Int = 1, requiresIMEI: Bool = false, imei: String? = nil, channelState: String? = "2") -> OrderLine {
        OrderLine(lineID: id, sku: sku, name: name, brand: "Apple", quantity: quantity, unitPrice: Money("299.00"),
                  options: ["condition": "11"], requiresIMEI: requiresIMEI, imei: imei, channelState: channelState)
    }

    static func order(_ id: String = "40012345", channel: String = "bm-eu", status: OrderStatus = .awaitingShipment,
                      channelStatus: String = "3", shippingMethod: String? = "Colissimo", carrier: String? = nil,
                      postcode: String = "75003", lines: [OrderLine] = [line()]) -> Order {
        Order(ref: ref(id, channel: channel), channelType: "backmarket", status: status, channelStatus: channelStatus,
              createdAt: t0, updatedAt: t0, currency: "EUR", total: Money("299.00"), shippingTotal: Money("0.00"),
              customer: Customer(name: "Jean Dupont", email: nil, phone: nil),
              shippingAddress: Address(name: "Jean Dupont", line1: "10 rue X", postcode: postcode, city: "Paris", country: "FR"),
              shippingMethod: shippingMethod, carrier: carrier, lines: lines)
    }

    static let colissimo = CarrierConfig(
        key: "colissimo", trackingURL: "https://www.laposte.fr/outils/suivre-vos-envois?code={tracking}",
        names: ["backmarket": "Colissimo", "woocommerce": "Colissimo"])
    static let dhl = CarrierConfig(
        key: "dhl-express", trackingURL: "https://www.dhl.com/fr-fr/home/tracking.html?tracking-id={tracking}&pc={postcode}",
        names: ["backmarket": "DHL Express"])
    /// Configured, but with no Back Market spelling.
    static let localCourier = CarrierConfig(key: "local-courier", trackingURL: nil, names: ["woocommerce": "Courier"])

    static func backMarketChannel(id: String = "bm-eu", autoAccept: Bool = false, enforceIMEI: Bool = true) -> ChannelConfig {
        ChannelConfig(id: id, autoAccept: autoAccept, settings: .backmarket(BackMarketSettings(
            token: .inline(Secret("bm-token")), region: .eu, userAgent: "BM-Acme-ordersync;ops@acme.example",
            enforceIMEI: enforceIMEI)))
    }

    static func config(stateDir: String = "/tmp/unused", enforceIMEI: Bool = true) -> Config {
        Config(stateDir: stateDir, channels: [backMarketChannel(enforceIMEI: enforceIMEI)],
               carriers: [colissimo, dhl, localCourier],
               shippingRules: [ShippingRule(channel: "bm-eu", shippingMethod: "DHL*", carrier: "dhl-express"),
                               ShippingRule(carrier: "colissimo")])
    }

    static func shipmentPayload(_ tracking: String, carrier: String? = "colissimo") -> JobPayload {
        JobPayload(shipment: ShipmentRequest(carrierKey: carrier, carrierName: "Colissimo", trackingNumber: tracking,
                                             trackingURL: "https://t.example/\(tracking)", shippedAt: t0,
                                             lines: [], wholeOrder: true))
    }
}

/// Asserts that `body` throws a `UserError` with `code` and exactly `message`.
func XCTAssertUserError<T>(_ body: @autoclosure () throws -> T, code: ExitCode = .dataError, _ message: String,
                           file: StaticString = #filePath, line: UInt = #line) {
    do {
        let value = try body()
        XCTFail("expected UserError \"\(message)\", got \(value)", file: file, line: line)
    } catch let error as UserError {
        XCTAssertEqual(error.code, code, file: file, line: line)
        XCTAssertEqual(error.message, message, file: file, line: line)
    } catch {
        XCTFail("expected UserError, got \(error)", file: file, line: line)
    }
}
