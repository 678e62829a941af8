import ChannelSimulator
import Foundation
import OrderSync
@testable import Connectors
import XCTest

/// The simulator's `GET /ws/sav` replies against the OAS (`careFolder`, `getCareFolderListResponse`;
/// Tests/Fixtures/specs/backmarket/CareFolder*.json).
final class BackMarketCareSpecTests: BackMarketTestCase, @unchecked Sendable {
    func testCareFolderPagesValidateAgainstTheSpecSchemas() async throws {
        let h = try makeHarness()
        let order = try await h.seed(.init(lines: [.phone(state: 3), .laptop(state: 3)]))
        let folders = (0..<12).map { h.simulator.openCareFolder(orderline: order.lines[$0 % 2].id) }
        h.simulator.setCareFolder(folders[3], open: false)
        let list = try BackMarketSpecChecks.schema("CareFolderList"), folder = try BackMarketSpecChecks.schema("CareFolder")
        XCTAssertEqual(list["properties"]?["results"]?["items"], folder, "the list's items are careFolder")
        let strict = SchemaSubsetValidator(strict: true), lenient = SchemaSubsetValidator()
        let transport = URLSessionTransport()
        var seen: [Int] = [], states: Set<Int> = []
        for page in 1...2 {
            var components = URLComponents(url: h.simulator.baseURL.appendingPathComponent("ws/sav"), resolvingAgainstBaseURL: false)!
            components.percentEncodedQuery = "page=\(page)"
            let response = try await transport.send(ChannelRequest(method: "GET", url: components.url!, headers: [
                ("Authorization", "Basic \(BackMarketHarness.token)"), ("Accept", "application/json"),
                ("User-Agent", BackMarketHarness.userAgent),
            ]), timeout: 5)
            XCTAssertEqual(response.status, 200)
            let reply = try JSONValue.parse(response.body)
            // The spec types `next`/`previous` as plain strings; the list sends null at either end, as
            // Django REST framework pagination (and `GET /ws/orders`) does. Those are the only departures.
            let expected = page == 1 ? ["$.previous: null where string is expected"] : ["$.next: null where string is expected"]
            XCTAssertEqual(lenient.problems(reply, against: list), expected, "page \(page)")
            for item in reply["results"]?.array ?? [] {
                XCTAssertEqual(strict.problems(item, against: folder), [], "folder \(item["id"]?.text ?? "?")")
                seen.append(item["id"]?.int ?? -1)
                states.insert(item["state"]?.int ?? -1)
            }
        }
        XCTAssertEqual(seen, folders)
        XCTAssertEqual(states, [0, 9], "open and closed folders both checked")
    }
}
