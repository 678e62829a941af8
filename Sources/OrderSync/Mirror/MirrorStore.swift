import Foundation

/// The order meta key a mirror carries: the marketplace ORDER_REF it copies (the contract's `ordersync_ref`).
public let mirrorRefMetaKey = "ordersync_ref"

/// What to create in the store for one marketplace order.
public struct MirrorRequest: Sendable {
    /// The marketplace order, as stored.
    public var order: Order
    /// The marketplace's display name, for the payment method title ("Back Market").
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
}
