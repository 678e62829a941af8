import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// `ChannelHTTP.classify` and `summary` (backmarket.md §4): which responses are retried, and the error text kept.
final class ChannelHTTPClassificationTests: XCTestCase {
    func response(_ status: Int, _ body: String = "", headers: [String: String] = [:]) -> ChannelResponse {
        ChannelResponse(status: status, headers: headers, body: Data(body.utf8))
    }

    func classify(_ r: ChannelResponse, pause: TimeInterval = 10, detail: ChannelHTTP.ErrorDetail? = nil) -> ChannelError? {
        ChannelHTTP.classify(r, operation: "list orders", rateLimitPause: pause, detail: detail)
    }

    // MARK: 429

    func testRateLimitWithoutRetryAfterWaitsTheConfiguredPause() throws {
        let error = try XCTUnwrap(classify(response(429, "Too Many Requests")))
        XCTAssertEqual(error.kind, .retryable(retryAfter: 10))
        XCTAssertEqual(error.httpStatus, 429)
        XCTAssertEqual(error.description, "list orders: HTTP 429: rate limited")
        XCTAssertEqual(classify(response(429), pause: 12.5)?.kind, .retryable(retryAfter: 12.5))
    }

    func testRateLimitHonoursRetryAfterSeconds() {
        XCTAssertEqual(classify(response(429, headers: ["retry-after": "30"]))?.kind, .retryable(retryAfter: 30))
        XCTAssertEqual(classify(response(429, headers: ["retry-after": " 2 "]))?.kind, .retryable(retryAfter: 2))
        XCTAssertEqual(classify(response(429, headers: ["retry-after": "1.5"]))?.kind, .retryable(retryAfter: 1.5))
    }

    func testUnparseableRetryAfterFallsBackToThePause() {
        XCTAssertEqual(classify(response(429, headers: ["retry-after": "Wed, 21 Oct 2026 07:28:00 GMT"]))?.kind,
                       .retryable(retryAfter: 10))
    }

    func testHeaderLookupIgnoresCase() {
        XCTAssertEqual(response(200, headers: ["retry-after": "5"]).header("Retry-After"), "5")
    }

    // MARK: 5xx

    func testServerErrorsAreRetryableWithTheirSummary() throws {
        for status in [500, 502, 503, 504, 599] {
            let error = try XCTUnwrap(classify(response(status, #"{"error":{"code":"E500","message":"Internal error"}}"#)))
            XCTAssertEqual(error.kind, .retryable(retryAfter: nil), "\(status)")
            XCTAssertEqual(error.httpStatus, status)
            XCTAssertEqual(error.message, "Internal error")
            XCTAssertTrue(error.isRetryable)
        }
        XCTAssertEqual(classify(response(502, "<html><body>Bad gateway</body></html>"))?.message,
                       "HTML page instead of an API response")
        XCTAssertEqual(classify(response(503, ""))?.message, "empty body")
    }

    // MARK: 403 from the WAF

    func testCloudflare403IsRetryable() throws {
        let html = "<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head></html>"
        for r in [response(403, html, headers: ["server": "cloudflare", "cf-ray": "8a1b2c3d4e5f-CDG"]),
                  response(403, "Forbidden", headers: ["cf-ray": "8a1b2c3d4e5f-CDG"]),
                  response(403, html),
                  response(403, "  \n<HTML><body>blocked</body></HTML>")] {
            let error = try XCTUnwrap(classify(r))
            XCTAssertEqual(error.kind, .retryable(retryAfter: nil))
            XCTAssertEqual(error.httpStatus, 403)
            XCTAssertEqual(error.message, "blocked by the channel's firewall (check user_agent)")
        }
    }

    func testBotChallengeJSONIsRetryable() throws {
        let body = #"{"errors":[{"code":"bot-need-challenge","message":"Please complete the challenge"}]}"#
        let error = try XCTUnwrap(classify(response(403, body, headers: ["content-type": "application/json"])))
        XCTAssertEqual(error.kind, .retryable(retryAfter: nil))
        XCTAssertEqual(error.message, "blocked by the channel's firewall (check user_agent)")
    }

    func testOrdinary403IsLeftToTheCaller() {
        XCTAssertNil(classify(response(403, #"{"error":{"code":"forbidden","message":"Not your order"}}"#)))
    }

    func testNonWAF403IsNotClassifiedAsAFirewallBlock() {
        // Every reply through Cloudflare carries server and cf-ray: a JSON refusal with them is still the API's.
        let json = #"{"error":{"code":"forbidden","message":"Not your order"}}"#
        XCTAssertNil(classify(response(403, json, headers: ["server": "cloudflare", "cf-ray": "8a1b2c3d4e5f-CDG"])))
        XCTAssertNil(classify(response(403, "Forbidden", headers: ["server": "cloudflare"])))
    }

    func testOtherStatusesPassThrough() {
        for status in [200, 201, 204, 301, 400, 401, 404, 409, 422] {
            XCTAssertNil(classify(response(status, "<html>page</html>")), "\(status)")
        }
    }

    // MARK: summary() of error bodies

    func testSummaryOfErrorObjectWithMessage() {
        XCTAssertEqual(ChannelHTTP.summary(response(400, #"{"error":{"code":"E001","message":"sku not found"},"requestId":"r-1"}"#)),
                       "sku not found")
    }

    func testSummaryOfErrorsArray() {
        XCTAssertEqual(ChannelHTTP.summary(response(400, #"{"errors":[{"code":"E002","message":"new_state 9 must be in 2,3,4,5,6"},{"message":"second"}]}"#)),
                       "new_state 9 must be in 2,3,4,5,6")
        XCTAssertEqual(ChannelHTTP.summary(response(400, #"{"errors":["tracking_number is required"]}"#)),
                       "tracking_number is required")
        XCTAssertEqual(ChannelHTTP.summary(response(403, #"{"errors":[{"code":"bot-need-challenge"}]}"#)),
                       "bot-need-challenge")
    }

    func testSummaryOfErrorCodeWithFieldData() {
        let body = #"{"error":{"code":"E009"},"data":{"fields":{"tracking_number":["invalid"],"carrier":"x/y"}}}"#
        XCTAssertEqual(ChannelHTTP.summary(response(400, body)), "E009", "the core reads no channel's own error fields")
        XCTAssertEqual(ChannelHTTP.summary(response(400, body), detail: BackMarketChannel.errorDetail),
                       #"E009 {"carrier":"x/y","tracking_number":["invalid"]}"#, "Back Market's fields, keys sorted")
        XCTAssertEqual(classify(response(503, body), detail: BackMarketChannel.errorDetail)?.message,
                       #"E009 {"carrier":"x/y","tracking_number":["invalid"]}"#)
        XCTAssertEqual(ChannelHTTP.summary(response(400, #"{"error":{"code":"E009"},"data":{"fields":"text"}}"#),
                                           detail: BackMarketChannel.errorDetail), "E009", "fields that are not JSON structure add nothing")
    }

    func testBackMarketConnectorReportsItsErrorFields() {
        let http = ChannelHTTP(transport: URLSessionTransport(), minimumSpacing: 0, logger: Logger(level: .error, handler: InMemoryLogHandler()))
        let channel = BackMarketChannel(id: "bm", baseURL: URL(string: "http://127.0.0.1:1")!, token: Secret("t"), userAgent: "ua",
                                        acceptLanguage: "fr-fr", imeiPatterns: [], acceptWithinHours: 48, resweepDays: 5,
                                        http: http, logger: http.logger)
        let error = channel.failure(response(400, #"{"error":{"code":"E009"},"data":{"fields":{"a":1}}}"#), operation: "ship")
        XCTAssertEqual(error.message, #"E009 {"a":1}"#)
    }

    func testErrorBodiesAreReadAsFoundationReadsJSON() {
        // Objects and arrays only; a leading zero or an unpaired surrogate makes the body text.
        XCTAssertEqual(ChannelHTTP.summary(response(400, #""quoted""#)), #""quoted""#)
        XCTAssertEqual(ChannelHTTP.summary(response(400, #"{"message":"m","n":01}"#)), #"{"message":"m","n":01}"#)
        XCTAssertEqual(ChannelHTTP.summary(response(400, #"{"message":"\ud800"}"#)), #"{"message":"\ud800"}"#)
        XCTAssertEqual(ChannelHTTP.summary(response(400, #"{"message":"a","message":"b"}"#)), "b", "the last of a repeated key")
        XCTAssertEqual(classify(response(403, "123", headers: ["cf-ray": "1"]))?.httpStatus, 403, "a bare number is not a JSON body")
    }

    func testSummaryOfOtherJSONShapes() {
        XCTAssertEqual(ChannelHTTP.summary(response(401, #"{"detail":"Invalid token."}"#)), "Invalid token.")
        XCTAssertEqual(ChannelHTTP.summary(response(400, #"{"error":"invalid_request","error_description":"bad grant"}"#)),
                       "bad grant")
        XCTAssertEqual(ChannelHTTP.summary(response(400, #"{"error":"invalid_request"}"#)), "invalid_request")
        XCTAssertEqual(ChannelHTTP.summary(response(400, #"{"message":"Bad body","code":"E1"}"#)), "Bad body")
    }

    func testSummaryOfPlainTextIsItsFirstLine() {
        XCTAssertEqual(ChannelHTTP.summary(response(400, "new_state 9 must be in 2,3,4,5,6")), "new_state 9 must be in 2,3,4,5,6")
        XCTAssertEqual(ChannelHTTP.summary(response(400, "sku not found\nTraceback: secret stuff")), "sku not found")
        XCTAssertEqual(ChannelHTTP.summary(response(400, "")), "empty body")
        XCTAssertEqual(ChannelHTTP.summary(response(400, #"{"unrelated":true}"#)), #"{"unrelated":true}"#)
    }

    func testSummaryIsShort() {
        let long = String(repeating: "x", count: 1000)
        XCTAssertEqual(ChannelHTTP.summary(response(400, long)).count, 300)
        XCTAssertEqual(ChannelHTTP.summary(response(400, #"{"message":"\#(long)"}"#)).count, 300)
    }

    func testSummaryOfHTML() {
        XCTAssertEqual(ChannelHTTP.summary(response(404, "<!doctype html><title>Not found</title>")),
                       "HTML page instead of an API response")
        XCTAssertTrue(ChannelHTTP.looksLikeHTML(Data("\n  <head></head>".utf8)))
        XCTAssertFalse(ChannelHTTP.looksLikeHTML(Data(#"{"html":"<html>"}"#.utf8)))
    }

    func testChannelErrorTextIsBounded() {
        let error = ChannelError(.permanent, operation: "ship", httpStatus: 400, message: String(repeating: "y", count: 900))
        XCTAssertEqual(error.message.count, 500)
        XCTAssertFalse(error.isRetryable)
        XCTAssertEqual(ChannelError(.permanent, operation: "ship", message: "x").description, "ship: x")
    }
}
