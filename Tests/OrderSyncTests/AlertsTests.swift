import Foundation
import XCTest

@testable import OrderSync

/// Keeps the alerts `Alerts` decided to send.
final class RecordingAlertSink: AlertSink, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Alert] = []
    func send(_ alert: Alert) { lock.withLock { stored.append(alert) } }
    var alerts: [Alert] { lock.withLock { stored } }
    var events: [String] { alerts.map(\.event.name) }
}

/// When an alert is sent: once per condition, again at most every repeat_hours, a recovery once, across restarts.
final class AlertsTests: StoreTestCase {
    func alerts(_ sink: RecordingAlertSink, store: Store? = nil, repeatHours: Int = 6) -> Alerts {
        Alerts(store: store ?? self.store, delivery: sink, repeatHours: repeatHours, logger: .discarding, now: Fixture.t0)
    }

    func testAnOngoingConditionAlertsOnceThenAtMostEveryRepeatHours() {
        let sink = RecordingAlertSink()
        let alerts = alerts(sink)
        for minutes in stride(from: 0, to: 360, by: 5) {
            alerts.raise(.channelFailing, channel: "bm-eu", message: "down", now: Fixture.t0.addingTimeInterval(Double(minutes) * 60))
        }
        XCTAssertEqual(sink.events, ["channel_failing"], "six hours of failures: one alert")
        alerts.raise(.channelFailing, channel: "bm-eu", message: "down", now: Fixture.t0.addingTimeInterval(6 * 3600))
        XCTAssertEqual(sink.events, ["channel_failing", "channel_failing"], "again once repeat_hours have passed")
        alerts.raise(.channelFailing, channel: "spartoo", message: "down", now: Fixture.t0.addingTimeInterval(6 * 3600))
        XCTAssertEqual(sink.alerts.last?.channel, "spartoo", "another channel is another condition")
    }

    func testAlertStateSurvivesARestartSoACrashLoopSendsNoStorm() throws {
        let sink = RecordingAlertSink()
        XCTAssertTrue(alerts(sink).raise(.channelUnauthorized, channel: "bm-eu", message: "401", now: Fixture.t0))
        for restart in 1...5 {
            let again = alerts(sink, store: try temp.open())
            XCTAssertFalse(again.raise(.channelUnauthorized, channel: "bm-eu", message: "401",
                                       now: Fixture.t0.addingTimeInterval(Double(restart) * 60)))
        }
        XCTAssertEqual(sink.events, ["channel_unauthorized"])
        // And the recovery is known after a restart too.
        XCTAssertTrue(alerts(sink, store: try temp.open()).recover(channel: "bm-eu", now: Fixture.t0.addingTimeInterval(600)))
        XCTAssertEqual(sink.events, ["channel_unauthorized", "channel_recovered"])
    }

    func testARecoveryAlertsOnceAndOnlyAfterAFailingOrUnauthorizedChannel() {
        let sink = RecordingAlertSink()
        let alerts = alerts(sink)
        XCTAssertFalse(alerts.recover(channel: "bm-eu", now: Fixture.t0), "a healthy channel does not recover")
        alerts.raise(.channelFailing, channel: "bm-eu", message: "down", now: Fixture.t0)
        alerts.raise(.channelUnauthorized, channel: "bm-eu", message: "401", now: Fixture.t0)
        XCTAssertTrue(alerts.recover(channel: "bm-eu", now: Fixture.t0.addingTimeInterval(60)))
        XCTAssertFalse(alerts.recover(channel: "bm-eu", now: Fixture.t0.addingTimeInterval(120)))
        XCTAssertEqual(sink.events, ["channel_failing", "channel_unauthorized", "channel_recovered"])
        alerts.raise(.channelFailing, channel: "bm-eu", message: "down", now: Fixture.t0.addingTimeInterval(180))
        XCTAssertEqual(sink.events.last, "channel_failing", "a new failure after a recovery alerts at once")
    }

    func testDeadLettersOfOneOrderAreToldApartByJob() {
        let sink = RecordingAlertSink()
        let alerts = alerts(sink)
        alerts.raise(.jobFailed, orderRef: Fixture.ref(), subject: "job 1", message: "accept failed", now: Fixture.t0)
        alerts.raise(.jobFailed, orderRef: Fixture.ref(), subject: "job 2", message: "ship failed", now: Fixture.t0)
        XCTAssertEqual(sink.alerts.map(\.message), ["accept failed", "ship failed"])
        XCTAssertEqual(sink.alerts.first?.channel, "bm-eu", "the channel comes from the order ref")
    }

    func testDisabledAlertsSendNothingAndStoreNothing() throws {
        XCTAssertFalse(Alerts.disabled.raise(.jobFailed, orderRef: Fixture.ref(), message: "x"))
        XCTAssertTrue(try store.alertConditions().isEmpty)
    }

    func testAlertJSONHasTheContractsKeysInOrderAndOmitsAbsentOnes() throws {
        let full = Alert(time: Fixture.t0, event: .acceptanceOverdue, channel: "bm-eu", orderRef: Fixture.ref(),
                         message: "not accepted \"now\"")
        XCTAssertEqual(full.json, #"{"ts":"2026-03-10T08:30:00Z","event":"acceptance_overdue","level":"error","#
            + #""channel":"bm-eu","order_ref":"bm-eu:40012345","message":"not accepted \"now\""}"#)
        let bare = Alert(time: Fixture.t0, event: .channelRecovered, channel: nil, orderRef: nil, message: "ok")
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bare.json.utf8)) as? [String: String])
        XCTAssertEqual(Set(object.keys), ["ts", "event", "level", "message"])
    }

    func testDeadlineWatchAlertsDueAtSeventyFivePercentAndOverdueWhileItWaits() throws {
        var order = Fixture.order("1", status: .awaitingAcceptance, channelStatus: "1")
        order.acceptBy = Fixture.t0.addingTimeInterval(24 * 3600)
        _ = try store.upsert(order, raw: nil)
        let sink = RecordingAlertSink()
        var watch = DeadlineWatch(store: store, windows: ["bm-eu": 24], logger: .discarding)
        watch.alerts = alerts(sink)
        try watch.check(now: Fixture.t0.addingTimeInterval(18 * 3600))
        try watch.check(now: Fixture.t0.addingTimeInterval(19 * 3600))
        try watch.check(now: Fixture.t0.addingTimeInterval(24 * 3600))
        try watch.check(now: Fixture.t0.addingTimeInterval(25 * 3600))
        try watch.check(now: Fixture.t0.addingTimeInterval(30 * 3600))
        XCTAssertEqual(sink.events, ["acceptance_due", "acceptance_overdue", "acceptance_overdue"],
                       "overdue again after repeat_hours while it still waits")
        XCTAssertEqual(sink.alerts.first?.orderRef, order.ref)
    }
}
