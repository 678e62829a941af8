import Foundation
import XCTest

/// The core target names no marketplace: channel types come from the connectors' definitions.
final class CoreBoundaryTests: XCTestCase {
    func testTheCoreSourcesNameNoMarketplace() throws {
        let core = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/OrderSync")
        let files = try XCTUnwrap(FileManager.default.enumerator(at: core, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        XCTAssertFalse(files.isEmpty, "no core sources found at \(core.path)")
        let names = ["backmarket", "back market", "spartoo", "woocommerce"]
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8).lowercased()
            for name in names where text.contains(name) {
                XCTFail("\(file.lastPathComponent) names \(name); channel specifics belong in Sources/Connectors")
            }
        }
    }
}
