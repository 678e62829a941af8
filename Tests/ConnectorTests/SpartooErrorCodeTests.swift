import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// Each documented code's handling, over a scripted transport (for replies the simulator cannot be made
/// to give at a precise moment: −7 after a race, −9 after a read, a reply without a code).
final class SpartooErrorCodeTests: XCTestCase {
    private let ref = OrderRef(channel: "spartoo-fr", externalID: "3FF75E96C3434E92")

    private func job(_ kind: JobKind, tracking: String? = nil) -> Job {
        let payload = tracking.map {
            JobPayload(shipment: ShipmentRequest(carrierKey: nil, carrierName: nil, trackingNumber: $0, trackingURL: nil,
                                                 shippedAt: Date(), lines: [], wholeOrder: true))
        } ?? JobPayload()
        return Job(id: 1, ref: ref, kind: kind, dedupeKey: kind.rawValue, payload: payload, state: .running, attempts: 0,
                   nextAttemptAt: Date(), lastError: nil, result: nil, createdAt: Date(), updatedAt: Date())
    }

    private var order: Order { Order(ref: ref, channelType: "spartoo", site: "fr", status: .awaitingAcceptance, channelStatus: "11") }

    private func pushError(_ transport: ScriptedTransport, _ kind: JobKind = .accept, tracking: String? = nil,
                           logger: Logger = .discarding) async -> ChannelError? {
        do {
            _ = try await transport.channel(logger: logger).push(job(kind, tracking: tracking), order: order)
            return nil
        } catch {
            return error as? ChannelError
        }
    }

    func testMinus9SameStatusCountsAsDone() async throws {
        let t = ScriptedTransport([ScriptedTransport.order(status: 11), ScriptedTransport.code(-9), ScriptedTransport.order(status: 2)])
        let result = try await t.channel().push(job(.accept), order: order)
        guard case .alreadyDone = result.outcome else { return XCTFail("\(result.outcome)") }
        XCTAssertEqual(result.refreshed?.order.status, .awaitingShipment)
        XCTAssertEqual(t.requests.map(\.fields["statut"]), [nil, "2", nil])
    }

    func testMinus7IsSuccessWhenTheOrderIsAlreadyPastTheTarget() async throws {
        let t = ScriptedTransport([ScriptedTransport.order(status: 2), ScriptedTransport.code(-7), ScriptedTransport.order(status: 3),
                                   ScriptedTransport.order(status: 3)])
        let result = try await t.channel().push(job(.ship, tracking: "T1"), order: order)
        guard case .alreadyDone = result.outcome else { return XCTFail("\(result.outcome)") }
    }

    func testMinus7IsPermanentAndLoggedWithTheOrderRef() async throws {
        let logs = InMemoryLogHandler()
        let t = ScriptedTransport([ScriptedTransport.order(status: 11), ScriptedTransport.code(-7), ScriptedTransport.order(status: 41)])
        let error = await pushError(t, logger: Logger(level: .debug, handler: logs))
        XCTAssertEqual(error?.kind, .permanent)
        XCTAssertTrue(error?.message.contains("code -7") == true && error?.message.contains(ref.description) == true, "\(String(describing: error))")
        XCTAssertTrue(error?.message.contains("status 41") == true)
        let entry = try XCTUnwrap(logs.entries.first { $0.message == "spartoo refused status change" })
        XCTAssertTrue(entry.fields.contains { $0.0 == "order.ref" && $0.1.description == ref.description })
    }

    func testMinus6IsReadTwiceThenPermanent() async {
        let t = ScriptedTransport([ScriptedTransport.code(-6), ScriptedTransport.code(-6)])
        let error = await pushError(t)
        XCTAssertEqual(error?.kind, .permanent)
        XCTAssertTrue(error?.message.contains("not found") == true)
        XCTAssertEqual(t.requests.count, 2)
    }

    func testPartnerAndAccountCodesAreUnauthorized() async {
        for code in [-1, -2, -428] {
            let t = ScriptedTransport([ScriptedTransport.code(code)])
            do {
                _ = try await t.channel().poll(cursor: nil, now: Date()) { _ in }
                XCTFail("\(code)")
            } catch let error as ChannelError {
                XCTAssertEqual(error.kind, .unauthorized, "\(code)")
                XCTAssertEqual(t.requests.count, 1, "no in-call retry for \(code)")
            } catch {
                XCTFail("\(error)")
            }
        }
    }

    func testRequestCodesAndUnknownCodesArePermanent() async {
        for code in [-3, -5, -11, -15, -99] {
            let t = ScriptedTransport([ScriptedTransport.order(status: 11), ScriptedTransport.code(code)])
            let error = await pushError(t)
            XCTAssertEqual(error?.kind, .permanent, "\(code)")
            XCTAssertTrue(error?.message.contains("code \(code)") == true, "\(String(describing: error))")
        }
    }

    func testAnUpdateReplyWithoutACodeIsRetryable() async {
        let t = ScriptedTransport([ScriptedTransport.order(status: 11), (200, "<root><result>ok</result></root>"),
                                   ScriptedTransport.order(status: 11)])
        let error = await pushError(t)
        XCTAssertEqual(error?.kind, .retryable(retryAfter: nil))
        XCTAssertEqual(t.requests.map(\.script), ["xml_export_orders.php", "xml_maj_orders.php", "xml_export_orders.php"],
                       "read back, not resent in-call")
    }

    func testMinus429PausesUntilTheNextHourWithoutFurtherCalls() async throws {
        let t = ScriptedTransport([ScriptedTransport.order(status: 11), ScriptedTransport.code(-429)])
        let channel = t.channel()
        do {
            _ = try await channel.push(job(.accept), order: order)
            XCTFail("−429")
        } catch let error as ChannelError {
            guard case .retryable(let after?) = error.kind else { return XCTFail("\(error.kind)") }
            XCTAssertGreaterThan(after, SpartooTime.nextFullHour(after: Date()).timeIntervalSinceNow)
        }
        do {
            _ = try await channel.fetchOrder(externalID: ref.externalID)
            XCTFail("paused")
        } catch let error as ChannelError {
            XCTAssertTrue(error.isRetryable)
        }
        XCTAssertEqual(t.requests.count, 2, "the paused host got no call")
    }

    func testTransportProblemsAreRetryableAndReadsRetriedInCall() async {
        let html = (200, "<!DOCTYPE html><html><body>Maintenance</body></html>")
        for script in [[(404, "Not Found"), (404, "Not Found")], [html, html], [(200, "<root><orders><order>"), (200, "")],
                       [(200, "<root><nothing/></root>"), (200, "<root/>")]] {
            let t = ScriptedTransport(script)
            do {
                _ = try await t.channel().fetchOrder(externalID: ref.externalID)
                XCTFail("\(script)")
            } catch let error as ChannelError {
                XCTAssertEqual(error.kind, .retryable(retryAfter: nil), "\(script): \(error)")
                XCTAssertEqual(t.remaining, 0, "read twice")
            } catch {
                XCTFail("\(error)")
            }
        }
    }

    func testMinus6OnADateExportIsAnEmptyList() async throws {
        let t = ScriptedTransport([(200, "<root><statut><id>-6</id><description>Aucune commande</description></statut></root>")])
        let pages = PageBox()
        let cursor = try await t.channel().poll(cursor: nil, now: Date()) { pages.add($0) }
        XCTAssertEqual(pages.count, 0, "no orders: nothing to store")
        XCTAssertTrue(cursor.contains("\"fr\""), "a success: the site's cursor is saved")
    }

    func testSlipErrors() async {
        let notPDF = Data("hello".utf8).base64EncodedString()
        let cases: [((Int, String), ChannelError.Kind)] = [
            (ScriptedTransport.code(-6), .permanent),
            (ScriptedTransport.code(-15), .permanent),
            ((200, "<root><bl><order_id>\(ref.externalID)</order_id><pdf>\(notPDF)</pdf></bl><errors>1</errors></root>"), .permanent),
        ]
        for (reply, kind) in cases {
            let t = ScriptedTransport([reply])
            do {
                _ = try await t.channel().deliverySlip(for: order)
                XCTFail("\(reply)")
            } catch let error as ChannelError {
                XCTAssertEqual(error.kind, kind, "\(reply.1)")
            } catch {
                XCTFail("\(error)")
            }
        }
        let empty = ScriptedTransport([(200, "<root><errors>1</errors></root>"), (200, "<root><errors>1</errors></root>")])
        do {
            _ = try await empty.channel().deliverySlip(for: order)
            XCTFail("no pdf")
        } catch let error as ChannelError {
            XCTAssertTrue(error.isRetryable)
        } catch {
            XCTFail("\(error)")
        }
    }
}

/// Collects pages delivered by a poll.
final class PageBox: @unchecked Sendable {
    private let lock = NSLock()
    private var pages: [OrderPage] = []
    func add(_ page: OrderPage) { lock.withLock { pages.append(page) } }
    var count: Int { lock.withLock { pages.count } }
}
