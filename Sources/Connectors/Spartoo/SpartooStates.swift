import Foundation
import OrderSync

/// Spartoo's order statuses, their normalized meaning and the transitions ordersync asks for
/// (API notes §3): 11 new → 2 accepted → 3 shipped → 45 lost / 47 returned undelivered; 41 cancelled
/// from anything but 3/41. Pure values, tested without a network.
enum SpartooStates {
    static let new = 11
    static let accepted = 2
    static let shipped = 3
    static let cancelled = 41
    static let lost = 45
    static let undelivered = 47

    /// The normalized status; nil for a code the notes do not list (the caller maps it to on_hold and warns).
    static func status(_ code: Int) -> OrderStatus? {
        switch code {
        case new: .awaitingAcceptance
        case accepted: .awaitingShipment
        case shipped: .shipped
        case cancelled: .cancelled
        case lost: .lost
        case undelivered: .undelivered
        default: nil
        }
    }

    /// Whether an order at `code` already shows the effect of moving it to `target` (the answer to −7
    /// and to "is there anything left to send?"): accept (2) is reached by 2/3/45/47, ship (3) by 3/45/47,
    /// cancel (41) only by 41.
    static func reached(_ target: Int, from code: Int) -> Bool {
        switch target {
        case accepted: [accepted, shipped, lost, undelivered].contains(code)
        case shipped: [shipped, lost, undelivered].contains(code)
        case cancelled: code == cancelled
        default: code == target
        }
    }

    /// What a push should do given the order's status as just read on Spartoo.
    enum Plan: Equatable, Sendable {
        /// Send these `statut` values in order (ship on an order still at 11 accepts it first [G: our policy]).
        case send([Int])
        /// The channel already shows the effect: nothing to send.
        case alreadyDone(String)
        /// The job no longer applies (the order was cancelled): drop it.
        case obsolete(String)
        /// The transition is impossible (e.g. cancel after shipping): a failed job with this reason.
        case refuse(String)
    }

    /// The plan for `kind` on an order at `code` (API notes §1.3–1.5, §3 transitions).
    static func plan(_ kind: JobKind, at code: Int) -> Plan {
        let known = status(code) != nil
        switch kind {
        case .accept:
            if code == new { return .send([accepted]) }
            if reached(accepted, from: code) { return .alreadyDone("order already accepted (status \(code))") }
            if code == cancelled { return .obsolete("order was cancelled on Spartoo (status 41)") }
        case .cancel:
            if code == cancelled { return .alreadyDone("order already cancelled (status 41)") }
            if code == new || code == accepted { return .send([cancelled]) }
            if reached(shipped, from: code) {
                return .refuse("order is already shipped (status \(code)); Spartoo cancels only before shipping")
            }
        case .ship:
            if code == new { return .send([accepted, shipped]) }
            if code == accepted { return .send([shipped]) }
            if reached(shipped, from: code) { return .alreadyDone("order already shipped (status \(code))") }
            if code == cancelled { return .obsolete("order was cancelled on Spartoo (status 41)") }
        case .mirror:
            return .refuse("mirror jobs are run by the mirror service")
        case .refund:
            return .refuse(SpartooStates.refundAdvice)
        case .returnDecision:
            return .refuse("return decisions are not order status changes")
        case .parcelLost, .parcelUndelivered:
            let target = kind == .parcelLost ? lost : undelivered
            if code == target { return .alreadyDone("order already at status \(code)") }
            if code == shipped { return .send([target]) }
            return .refuse("status \(target) is only possible from shipped (3); the order is at \(code)")
        }
        return .refuse(known ? "not possible at status \(code)" : "order is at status \(code), which ordersync does not know")
    }

    /// Where a Spartoo refund is made: the API has no refund call (Spartoo pays the buyer back itself).
    static let refundAdvice = "Spartoo's API has no refund call: refunds follow returns, decided in the Spartoo seller "
        + "back office, page Returns (Retours), or ask Spartoo support; a cancel (statut 41) before shipping refunds the buyer"

    /// The statuses ordersync sends (`xml_maj_orders.php`); 45/47 only for `ordersync lost|undelivered`,
    /// which Spartoo may refuse (its page contradicts itself on them).
    static let sendable: Set<Int> = [accepted, shipped, cancelled, lost, undelivered]
    /// Lost (45) and undelivered (47), from shipped (3) only.
    static let parcelOutcomes: Set<Int> = [lost, undelivered]
}
