import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// The spread of follow-up reads of shipped orders over the day (`aftersale_days`).
final class AftersaleScheduleTests: XCTestCase {
    private let ids = (0..<480).map { String(format: "%016llX", UInt64($0) &* 0x9E37_79B9_7F4A_7C15) }
    private let start = Date(timeIntervalSince1970: 1_733_400_000)

    /// Runs cycles every `interval` for `hours`, starting with `progress`; returns the reads per id and per hour.
    private func simulate(_ schedule: AftersaleSchedule, interval: TimeInterval, hours: Int, progress: AftersaleSchedule.Progress?)
        -> (perID: [String: Int], perHour: [Int: Int], first: Int, reads: [(id: String, at: Date)]) {
        var progress = progress
        var perID: [String: Int] = [:], perHour: [Int: Int] = [:]
        var first = 0
        var reads: [(id: String, at: Date)] = []
        var now = start
        var cycle = 0
        while now < start.addingTimeInterval(Double(hours) * 3600) {
            let plan = schedule.plan(ids, progress: progress, now: now)
            for item in plan.due {
                perID[item.id, default: 0] += 1
                reads.append((item.id, now))
            }
            perHour[AftersaleSchedule.hour(now), default: 0] += plan.due.count
            if cycle == 0 { first = plan.due.count }
            progress = plan.progress
            now = now.addingTimeInterval(interval)
            cycle += 1
        }
        return (perID, perHour, first, reads)
    }

    func testEachFollowedOrderIsReadAboutOnceADaySpreadOverTheDay() {
        let schedule = AftersaleSchedule(perHour: 120, interval: 300)
        XCTAssertEqual(schedule.perCycle, 10)
        // Steady state (progress saved a cycle ago): 480 orders over a day, 20 an hour on average.
        let steady = simulate(schedule, interval: 300, hours: 24,
                              progress: .init(through: start.addingTimeInterval(-300), hour: 0, reads: 0))
        XCTAssertEqual(Set(steady.perID.values), [1], "every order once in 24 h")
        XCTAssertEqual(steady.perID.count, ids.count)
        XCTAssertLessThanOrEqual(steady.perHour.values.max() ?? 0, 40, "spread over the day, not in one burst")
    }

    func testFirstCycleAfterStartReadsAndTheHourlyBoundHolds() {
        let schedule = AftersaleSchedule(perHour: 120, interval: 300)
        // No saved progress (first start): every order is due at once, but only the bounded share is read.
        let run = simulate(schedule, interval: 60, hours: 30, progress: nil)
        XCTAssertEqual(run.first, 10, "the first cycle after start reads, within its share")
        XCTAssertLessThanOrEqual(run.perHour.values.max() ?? 0, 120, "never more than the hourly bound")
        XCTAssertEqual(Set(run.perID.keys), Set(ids), "the backlog is worked off")
        // Once the backlog is read (4 h at 120 an hour), each order is read once in any 24 h.
        let settled = run.reads.filter { $0.at >= start.addingTimeInterval(5 * 3600) && $0.at < start.addingTimeInterval(29 * 3600) }
        XCTAssertEqual(settled.count, ids.count)
        XCTAssertEqual(Set(settled.map(\.id)).count, ids.count, "each once a day")
    }

    func testPhaseIsStableAndWithinTheDay() {
        XCTAssertEqual(AftersaleSchedule.phase("3FF75E96C3434E92"), AftersaleSchedule.phase("3FF75E96C3434E92"))
        XCTAssertTrue(ids.allSatisfy { (0..<86_400).contains(AftersaleSchedule.phase($0)) })
        let due = AftersaleSchedule.nextDue("A", after: start)
        XCTAssertGreaterThan(due, start)
        XCTAssertLessThanOrEqual(due.timeIntervalSince(start), 86_400)
    }

    func testProgressRoundTrips() {
        let progress = AftersaleSchedule.Progress(through: start, hour: 42, reads: 7)
        XCTAssertEqual(AftersaleSchedule.Progress.decode(progress.encoded()), progress)
        XCTAssertNil(AftersaleSchedule.Progress.decode("not json"))
    }
}
