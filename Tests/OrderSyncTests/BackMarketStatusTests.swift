import XCTest

@testable import OrderSync
@testable import Connectors

/// Back Market order/line states → normalized status (backmarket.md §3), first matching row wins.
final class BackMarketStatusTests: XCTestCase {
    func status(_ order: Int, _ lines: [Int]) -> OrderStatus {
        BackMarketStates.status(orderState: order, lineStates: lines)
    }

    func assertRows(_ rows: [(Int, [Int], OrderStatus)], file: StaticString = #filePath, line: UInt = #line) {
        for (order, lines, expected) in rows {
            XCTAssertEqual(status(order, lines), expected, "order \(order), lines \(lines)", file: file, line: line)
        }
    }

    // Row 1: no live line (all in 4/5/6/7), some line 6 → refunded.
    func testNoLiveLineAndSomeLineRefundedAfterShippingIsRefunded() {
        assertRows([
            (9, [6], .refunded),
            (9, [6, 6], .refunded),
            (3, [4, 6], .refunded),
            (9, [5, 6, 7], .refunded),
            (8, [6], .refunded),  // row 1 comes before "order 8"
        ])
    }

    // Row 2: order 8, or no live line → cancelled.
    func testOrderEightOrNoLiveLineIsCancelled() {
        assertRows([
            (8, [1], .cancelled),
            (8, [2, 3], .cancelled),
            (8, [8], .cancelled),
            (1, [4], .cancelled),
            (3, [5], .cancelled),
            (1, [7], .cancelled),
            (3, [4, 5, 7], .cancelled),
            (1, [], .cancelled),
        ])
    }

    // Row 3: any live line 9 → on_hold.
    func testAnyLiveLineNineIsOnHold() {
        assertRows([
            (1, [9], .onHold),
            (0, [9], .onHold),
            (3, [2, 9], .onHold),
            (1, [9, 4], .onHold),
            (9, [3, 9], .onHold),  // the line row comes before "order 9"
        ])
    }

    // Row 4: order 0/10, or live lines 0/8 → pending_payment.
    func testCheckPendingOrPayingIsPendingPayment() {
        assertRows([
            (0, [1], .pendingPayment),
            (10, [1], .pendingPayment),
            (10, [0], .pendingPayment),
            (1, [0], .pendingPayment),
            (1, [8], .pendingPayment),
            (3, [2, 8], .pendingPayment),
            (1, [1, 0, 4], .pendingPayment),
        ])
    }

    // Row 5: order 1 → awaiting_acceptance.
    func testOrderOneIsAwaitingAcceptance() {
        assertRows([
            (1, [1], .awaitingAcceptance),
            (1, [1, 2], .awaitingAcceptance),
            (1, [1, 4], .awaitingAcceptance),
        ])
    }

    // Row 6: order 3 → awaiting_shipment.
    func testOrderThreeIsAwaitingShipment() {
        assertRows([
            (3, [2], .awaitingShipment),
            (3, [2, 2], .awaitingShipment),
            (3, [2, 3], .awaitingShipment),
            (3, [2, 5], .awaitingShipment),
        ])
    }

    // Row 7: order 9, or live lines 3 → shipped (`completed` is unused).
    func testOrderNineOrLiveLinesShippedIsShipped() {
        assertRows([
            (9, [3], .shipped),
            (9, [3, 3], .shipped),
            (9, [3, 4], .shipped),
            (9, [3, 6], .shipped),
            (2, [3], .shipped),
            (4, [3, 5], .shipped),
        ])
        for order in [0, 1, 3, 8, 9, 10] {
            for lines in [[1], [2], [3], [6], [9]] {
                XCTAssertNotEqual(status(order, lines), .completed)
                XCTAssertNotEqual(status(order, lines), .lost)
                XCTAssertNotEqual(status(order, lines), .undelivered)
            }
        }
    }

    /// Order state 9 = shipped, but line state 9 = on hold (partner validation).
    func testTrapOrderNineIsShippedButLineNineIsOnHold() {
        XCTAssertEqual(status(9, [3]), .shipped)
        XCTAssertEqual(status(1, [9]), .onHold)
        XCTAssertEqual(status(3, [9]), .onHold)
        XCTAssertNotEqual(status(1, [9]), .shipped)
    }

    /// Order state 8 = payment failed (final), but line state 8 = pending payment.
    func testTrapOrderEightIsCancelledButLineEightIsPendingPayment() {
        XCTAssertEqual(status(8, [1]), .cancelled)
        XCTAssertEqual(status(1, [8]), .pendingPayment)
        XCTAssertEqual(status(0, [8]), .pendingPayment)
        XCTAssertNotEqual(status(1, [8]), .cancelled)
    }

    func testLegalLineMoves() {
        for (from, to) in [(1, 2), (1, 4), (2, 3), (2, 5), (3, 6)] {
            XCTAssertTrue(BackMarketStates.canMove(line: from, to: to), "\(from)→\(to)")
        }
    }

    func testEveryOtherLineMoveIsIllegal() {
        let legal: Set<[Int]> = [[1, 2], [1, 4], [2, 3], [2, 5], [3, 6]]
        for from in 0...10 {
            for to in 0...10 where !legal.contains([from, to]) {
                XCTAssertFalse(BackMarketStates.canMove(line: from, to: to), "\(from)→\(to)")
            }
        }
        // The usual mistakes: shipping before accepting, refunding before shipping with 6, writing 9.
        XCTAssertFalse(BackMarketStates.canMove(line: 1, to: 3))
        XCTAssertFalse(BackMarketStates.canMove(line: 2, to: 6))
        XCTAssertFalse(BackMarketStates.canMove(line: 3, to: 9))
        XCTAssertFalse(BackMarketStates.canMove(line: 2, to: 2))
    }
}
