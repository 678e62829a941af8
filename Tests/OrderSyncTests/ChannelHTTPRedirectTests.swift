import Foundation
@testable import OrderSync
@testable import Connectors
import XCTest

/// The error a redirected write becomes: permanent, naming the Location and the `base_url` to set,
/// never repeating the Location's query (it may echo credentials).
final class ChannelHTTPRedirectTests: XCTestCase {
    private func refusal(_ status: Int, location: String?, request: String, method: String = "POST") -> ChannelError? {
        let response = ChannelResponse(status: status, headers: location.map { ["location": $0] } ?? [:], body: Data())
        return ChannelHTTP.redirectRefusal(response, request: ChannelRequest(method: method, url: URL(string: request)!),
                                           operation: "ship shop:1042 (add note)")
    }

    func testAMoveToAnotherSiteNamesTheLocationAndTheBaseURL() throws {
        let error = try XCTUnwrap(refusal(301, location: "https://www.shop.com/wp-json/wc/v3/orders/1042/notes?consumer_key=ck_1&consumer_secret=cs_2",
                                          request: "https://shop.com/wp-json/wc/v3/orders/1042/notes?consumer_key=ck_1&consumer_secret=cs_2"))
        XCTAssertEqual(error.kind, .permanent)
        XCTAssertEqual(error.httpStatus, 301)
        XCTAssertTrue(error.message.contains("https://www.shop.com/wp-json/wc/v3/orders/1042/notes;"), error.message)
        XCTAssertTrue(error.message.hasSuffix("set base_url to https://www.shop.com"), error.message)
        XCTAssertFalse(error.description.contains("cs_2") || error.description.contains("consumer_key"), error.description)
    }

    func testTheBaseURLKeepsTheSitesOwnPathAndARelativeLocationResolves() throws {
        let moved = try XCTUnwrap(refusal(308, location: "https://shop.example/boutique/wp-json/wc/v3/orders/7",
                                          request: "http://shop.example/wp-json/wc/v3/orders/7", method: "PUT"))
        XCTAssertTrue(moved.message.hasSuffix("set base_url to https://shop.example/boutique"), moved.message)
        let samesite = try XCTUnwrap(refusal(302, location: "/wp-json/wc/v3/orders/7/", request: "https://shop.example/wp-json/wc/v3/orders/7"))
        XCTAssertEqual(samesite.kind, .permanent)
        XCTAssertFalse(samesite.message.contains("base_url"), "same site: nothing to reconfigure")
        XCTAssertTrue(samesite.message.contains("https://shop.example/wp-json/wc/v3/orders/7/"), samesite.message)
    }

    func testOtherStatusesAreNotRedirects() {
        XCTAssertNil(refusal(200, location: "https://elsewhere.example/", request: "https://shop.example/x"))
        XCTAssertNil(refusal(304, location: nil, request: "https://shop.example/x"))
        XCTAssertEqual(refusal(302, location: nil, request: "https://shop.example/x")?.kind, .permanent)
    }
}
