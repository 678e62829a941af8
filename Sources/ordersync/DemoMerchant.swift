import ChannelSimulator
import Foundation
import OrderSync

/// The demo's merchant at the store's admin: once a Back Market order has its mirror in the store, they
/// complete it there with a tracking note and the phones' IMEIs as private notes, and ordersync takes it
/// to Back Market.
struct DemoMerchant {
    private(set) var fulfilled: (ref: OrderRef, storeID: Int, tracking: String)?

    /// Completes one mirrored Back Market order in the store (from the fifth second); `reserved` keeps the
    /// demo's own `ship` commands off it.
    mutating func act(store: Store, woo: WooCommerceSimulator, elapsed: TimeInterval, reserved: inout Set<OrderRef>) {
        guard fulfilled == nil, elapsed >= 5 else { return }
        let candidates = ((try? store.mirrors(states: [.created])) ?? []).filter { $0.ref.channel == "bm-demo" && !reserved.contains($0.ref) }
        guard let mirror = candidates.first, let id = mirror.storeOrderID.flatMap(Int.init),
              let order = try? store.order(mirror.ref)?.order else { return }
        reserved.insert(mirror.ref)
        let tracking = "6A" + String(43_000_000_000 + id)
        _ = woo.addNote(orderID: id, "Tracking: Colissimo \(tracking)")
        let phones = order.lines.filter(\.requiresIMEI)
        let imeis = phones.enumerated().map { IMEI.withCheckDigit(String(format: "35693804%06d", id * 10 + $0.offset)) }
        if phones.count == 1 {
            _ = woo.addNote(orderID: id, "IMEI \(imeis[0])")
        } else if phones.count > 1 {
            _ = woo.addNote(orderID: id, zip(phones, imeis).map { "\($0.sku ?? $0.lineID)=\($1)" }.joined(separator: ", "))
        }
        woo.setStatus(id, "completed")
        fulfilled = (mirror.ref, id, tracking)
        Demo.say("the merchant completes store order \(id) (the mirror of \(mirror.ref)) with a tracking note Colissimo \(tracking)"
            + (imeis.isEmpty ? "" : " and \(imeis.count) IMEI note(s)"))
    }

    /// What became of it: the mirrors, and whether the store's fulfilment reached Back Market.
    func report(woo: WooCommerceSimulator, backMarket: BackMarketSimulator) {
        let mirrors = woo.allOrders().filter { $0.metaData.contains { $0.key == mirrorRefMetaKey } }
        Demo.say("the store holds \(mirrors.count) mirror(s) of marketplace orders; "
            + "\(woo.emails().filter { $0.recipient != "admin" && mirrors.map(\.id).contains($0.orderID) }.count) e-mail(s) went to marketplace buyers")
        guard let fulfilled, let id = Int(fulfilled.ref.externalID) else { return }
        let reached = backMarket.order(id)?.trackingNumber == fulfilled.tracking
        Demo.say("store order \(fulfilled.storeID) → \(fulfilled.ref): " + (reached
            ? "Back Market has tracking \(fulfilled.tracking)" : "not on Back Market yet (run the demo longer: --seconds 40)"))
        for note in woo.notes(orderID: fulfilled.storeID) where note.note.hasPrefix("ordersync: ") {
            Demo.say("  note on store order \(fulfilled.storeID): \(note.note)")
        }
    }
}
