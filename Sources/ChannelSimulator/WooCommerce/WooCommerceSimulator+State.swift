import Foundation

extension WooCommerceSimulator {
    /// Everything mutable, guarded by the simulator's lock.
    struct State {
        var keys: [APIKey]
        var configuration: Configuration { didSet { listing.invalidate() } }
        var port: UInt16 = 0
        var orders: [Int: Order] = [:] { didSet { listing.invalidate() } }
        /// The last listing, valid until `orders` or `configuration` change.
        var listing = ListingCache()
        var nextOrderID = 1042
        var nextItemID = 311
        var nextNoteID = 501
        var products: [Int: Product] = [:]
        var nextProductID = 7001
        /// Orders whose stock was reduced (`_order_stock_reduced`).
        var stockReduced: Set<Int> = []
        var journal: [JournalEntry] = []
        var effects: [AppliedEffect] = []
        var emails: [Email] = []
        /// Orders whose payment gateway refunds differently from ``RefundGateway/succeeds``.
        var refundGateways: [Int: RefundGateway] = [:]
        var nextRefundID = 901
        var faultRules: [FaultRule] = []
        var randomFaults: RandomFaults?
        var drifts: [PaginationDrift] = []
        var requestCounter = 0
        var generator = SeededGenerator(seed: 0x574F_4F43_4F4D_4D45)

        init(keys: [APIKey], configuration: Configuration) {
            self.keys = keys
            self.configuration = configuration
        }

        var baseURL: String { "http://127.0.0.1:\(port)" }

        /// Core statuses a PUT may set, then the plugins' (WooCommerce's `wc_get_order_statuses()`).
        var settableStatuses: [String] {
            ["pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed", "checkout-draft"]
                + configuration.pluginStatuses
        }

        /// What `status` accepts in a listing.
        var listableStatuses: [String] { ["any", "trash", "auto-draft"] + settableStatuses }

        /// Statuses `status=any` lists.
        var anyStatuses: Set<String> {
            var set = Set(settableStatuses)
            if !configuration.draftsInAny { set.remove("checkout-draft") } else { set.insert("auto-draft") }
            return set
        }

        // MARK: Orders

        /// Stores `template`, assigning the order id, line/meta ids and unset dates.
        mutating func insert(_ template: Order, now: Date) -> Order {
            var order = template
            if order.id == 0 {
                while orders[nextOrderID] != nil { nextOrderID += 1 }
                order.id = nextOrderID
                nextOrderID += 1
            } else {
                nextOrderID = max(nextOrderID, order.id + 1)
            }
            assignIDs(&order)
            if order.dateCreated == Order.unsetDate { order.dateCreated = now }
            if order.dateModified == Order.unsetDate { order.dateModified = max(now, order.dateCreated) }
            if order.datePaid == Order.unsetDate {
                order.datePaid = ["processing", "completed", "on-hold", "refunded", "awaiting-pickup"].contains(order.status)
                    ? order.dateCreated : nil
            }
            orders[order.id] = order
            return order
        }

        /// Gives every line, shipping line, fee, coupon, refund and meta entry with id 0 a fresh id.
        mutating func assignIDs(_ order: inout Order) {
            func next() -> Int {
                defer { nextItemID += 1 }
                return nextItemID
            }
            for i in order.lineItems.indices {
                if order.lineItems[i].id == 0 { order.lineItems[i].id = next() }
                for m in order.lineItems[i].meta.indices where order.lineItems[i].meta[m].id == 0 { order.lineItems[i].meta[m].id = next() }
            }
            for i in order.shippingLines.indices where order.shippingLines[i].id == 0 { order.shippingLines[i].id = next() }
            for i in order.feeLines.indices where order.feeLines[i].id == 0 { order.feeLines[i].id = next() }
            for i in order.couponLines.indices where order.couponLines[i].id == 0 { order.couponLines[i].id = next() }
            for i in order.refunds.indices where order.refunds[i].id == 0 { order.refunds[i].id = next() }
            for i in order.metaData.indices where order.metaData[i].id == 0 { order.metaData[i].id = next() }
        }

        /// Records that order `id` changed at `now`.
        mutating func touch(_ id: Int, now: Date) {
            guard var order = orders[id] else { return }
            order.dateModified = max(now, order.dateModified)
            orders[id] = order
        }

        mutating func appendNote(_ id: Int, text: String, customer: Bool, author: String, byUser: Bool, now: Date) -> Note {
            let note = Note(id: nextNoteID, note: text, customerNote: customer, addedByUser: byUser, author: author, dateCreated: now)
            nextNoteID += 1
            orders[id]?.notes.append(note)
            return note
        }

        /// Changes the status the way `WC_Order::set_status` + save do: `date_modified` bumped, the
        /// system note "Order status changed from X to Y.", `date_paid` / `date_completed`, and the e-mails
        /// WooCommerce sends by default. Same status: nothing happens (no note, no e-mail).
        mutating func changeStatus(_ id: Int, to newStatus: String, now: Date, byUser: String?) {
            guard var order = orders[id], order.status != newStatus else { return }
            let old = order.status
            order.status = newStatus
            if ["processing", "completed"].contains(newStatus), order.datePaid == nil { order.datePaid = now }
            if newStatus == "completed" { order.dateCompleted = now }
            orders[id] = order
            touch(id, now: now)
            _ = appendNote(id, text: "Order status changed from \(Self.label(old)) to \(Self.label(newStatus)).",
                           customer: false, author: byUser ?? "WooCommerce", byUser: byUser != nil, now: now)
            effects.append(AppliedEffect(time: now, orderID: id, kind: .statusChange, details: ["from": old, "to": newStatus]))
            reduceStockIfDue(id)
            restoreStockIfDue(id)
            let customer = order.billing.email ?? ""
            switch newStatus {
            case "processing":
                sendEmail(id, "customer_processing_order", to: customer, now: now)
                if ["pending", "failed", "on-hold", "checkout-draft"].contains(old) { sendEmail(id, "new_order", to: "admin", now: now) }
            case "completed": sendEmail(id, "customer_completed_order", to: customer, now: now)
            case "on-hold": sendEmail(id, "customer_on_hold_order", to: customer, now: now)
            case "cancelled" where ["processing", "on-hold"].contains(old): sendEmail(id, "cancelled_order", to: "admin", now: now)
            case "failed": sendEmail(id, "failed_order", to: "admin", now: now)
            case "refunded": sendEmail(id, "customer_refunded_order", to: customer, now: now)
            default: break
            }
        }

        /// Moves an order to the bin (`trash`); no note, no e-mail.
        mutating func trash(_ id: Int, now: Date) {
            guard var order = orders[id], order.status != "trash" else { return }
            effects.append(AppliedEffect(time: now, orderID: id, kind: .trashed, details: ["from": order.status]))
            order.status = "trash"
            orders[id] = order
            touch(id, now: now)
        }

        /// Records an e-mail; none without a recipient (`WC_Email::trigger` sends only when `get_recipient()`
        /// is not empty: an order without a billing e-mail gets no customer e-mail).
        mutating func sendEmail(_ id: Int, _ template: String, to recipient: String, now: Date) {
            guard !recipient.isEmpty else { return }
            emails.append(Email(time: now, orderID: id, template: template, recipient: recipient))
        }

        /// The admin label of a status (`on-hold` → `On hold`).
        static func label(_ status: String) -> String {
            switch status {
            case "pending": "Pending payment"
            case "on-hold": "On hold"
            case "checkout-draft": "Draft"
            default: status.split(separator: "-").enumerated()
                .map { $0.offset == 0 ? $0.element.prefix(1).uppercased() + $0.element.dropFirst() : String($0.element) }
                .joined(separator: " ")
            }
        }

        /// A 32-hex-digit id, like the extension's md5-based `tracking_id`.
        mutating func hexID() -> String {
            String(format: "%016llx%016llx", generator.next(), generator.next())
        }
    }
}
