import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// Builders for config documents in tests: a valid base, edited key by key.
enum ConfigFixture {
    static var backMarket: [String: Any] { [
        "id": "bm-eu", "type": "backmarket", "region": "eu", "token": "bm-token",
        "user_agent": "BM-Acme-ordersync;ops@acme.example",
    ] }
    static var spartoo: [String: Any] { ["id": "sp", "type": "spartoo", "partner_id": "0A1B2C3D4E5F6789"] }
    static var wooCommerce: [String: Any] { [
        "id": "shop", "type": "woocommerce", "base_url": "https://shop.example.com",
        "consumer_key": "ck_1", "consumer_secret": "cs_1",
    ] }
    static var carriers: [String: Any] { [
        "colissimo": ["tracking_url": "https://t.example/?c={tracking}", "names": ["backmarket": "Colissimo"]]
    ] }

    /// A valid document: the three channels above, one carrier, no rules.
    static func document(channels: [Any] = [backMarket, spartoo, wooCommerce], _ changes: [String: Any?] = [:]) -> [String: Any] {
        edit(["state_dir": "/var/lib/ordersync", "channels": channels, "carriers": carriers], changes)
    }

    /// `base` with each key set to its value, or removed when the value is nil.
    static func edit(_ base: [String: Any], _ changes: [String: Any?]) -> [String: Any] {
        var result = base
        for (key, value) in changes {
            if let value { result[key] = value } else { result.removeValue(forKey: key) }
        }
        return result
    }

    /// A document with one channel built from `channel` edited by `changes`.
    static func oneChannel(_ channel: [String: Any], _ changes: [String: Any?]) -> [String: Any] {
        document(channels: [edit(channel, changes)])
    }

    static func data(_ object: Any) -> Data {
        try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    /// The `config: path: reason` lines for a document given as a JSON object or as JSON text.
    static func problems(_ document: Any) -> [String] {
        let data = (document as? String).map { Data($0.utf8) } ?? data(document)
        return ConfigLoader.parse(data: data).1.map(\.description)
    }

    static func parse(_ document: Any) -> Config? {
        let data = (document as? String).map { Data($0.utf8) } ?? data(document)
        return ConfigLoader.parse(data: data).0
    }
}

/// A private temporary directory removed at the end of the test.
final class ConfigTempDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "ordersync-config-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `contents` to `name` with `permissions`; returns the full path.
    @discardableResult
    func write(_ name: String, _ contents: String, permissions: Int = 0o600) throws -> String {
        let file = path + "/" + name
        try Data(contents.utf8).write(to: URL(fileURLWithPath: file))
        try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: file)
        return file
    }
}
