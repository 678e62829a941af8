import Foundation

/// The order meta key a mirror carries: the marketplace ORDER_REF it copies (the contract's `ordersync_ref`).
public let mirrorRefMetaKey = "ordersync_ref"

/// What to create in the store for one marketplace order.
public struct MirrorRequest: Sendable {
    /// The marketplace order, as stored.
    public var order: Order
    /// The marketplace's display name, for the payment method title (its `ChannelDefinition.displayName`).
    public var marketplaceName: String
    /// `mirror.status`.
    public var status: MirrorConfig.Status
    /// `mirror.customer_email`.
    public var customerEmail: MirrorConfig.CustomerEmail

    public init(order: Order, marketplaceName: String, status: MirrorConfig.Status, customerEmail: MirrorConfig.CustomerEmail) {
        self.order = order; self.marketplaceName = marketplaceName; self.status = status; self.customerEmail = customerEmail
    }
}

/// A mirror as the store shows it after creation.
public struct CreatedMirror: Sendable, Equatable {
    /// The store's order id.
    public var externalID: String
    /// The store's total (nil when it sent none).
    public var total: Money?
    /// Things the merchant should know (unmatched SKUs, a total that differs), already written as a private
    /// note where the store has notes.
    public var warnings: [String]

    public init(externalID: String, total: Money?, warnings: [String] = []) {
        self.externalID = externalID; self.total = total; self.warnings = warnings
    }
}

/// A tracking entry the merchant typed in the store.
public struct MirrorTracking: Sendable, Equatable {
    /// The provider as the store shows it ("Colissimo", "DHL Express"); may be empty.
    public var provider: String
    public var number: String
    public var link: String?

    public init(provider: String, number: String, link: String? = nil) {
        self.provider = provider; self.number = number; self.link = link
    }
}

/// A mirror as the store shows it now.
public struct MirrorSnapshot: Sendable, Equatable {
    public var externalID: String
    /// Normalized like any order of the store's channel (`completed`, `cancelled`, …).
    public var status: OrderStatus
    /// Tracking entries (the Shipment Tracking extension's items, oldest first).
    public var trackings: [MirrorTracking]

    public init(externalID: String, status: OrderStatus, trackings: [MirrorTracking]) {
        self.externalID = externalID; self.status = status; self.trackings = trackings
    }
}

/// A store that can hold mirrors of marketplace orders (a connector whose type has
/// ``ChannelCapabilities/holdsMirrors``).
public protocol MirrorStore: ChannelConnector {
    /// The store order carrying `ordersync_ref` = `ref` among orders created at or after `createdSince`, if
    /// any. Read-only; the listing is bounded by the date.
    func findMirror(of ref: OrderRef, createdSince: Date) async throws -> String?

    /// Creates the mirror (one `POST`, no retry inside: the caller looks for it first on any retry), then
    /// checks its total against the marketplace's.
    func createMirror(_ request: MirrorRequest) async throws -> CreatedMirror

    /// Writes a private note (never e-mailed) on a store order.
    func addPrivateNote(_ text: String, toMirror externalID: String) async throws

    /// The mirrors with these store ids as the store shows them now (missing ones are left out). Read-only;
    /// a bounded number of requests (one per hundred ids).
    func readMirrors(_ externalIDs: [String]) async throws -> [MirrorSnapshot]

    /// A mirror's private notes, oldest first. Read-only (notes do not change an order's modification date,
    /// so they are read each time they matter).
    func privateNotes(ofMirror externalID: String) async throws -> [String]

    /// Sets a mirror's status (`cancelled`, `completed`) after writing `note` privately; nothing when it
    /// already has that status.
    func setMirrorStatus(_ externalID: String, to status: OrderStatus, note: String) async throws
}
