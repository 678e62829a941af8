import Foundation
import OrderSync

/// The keys of a `woocommerce` channel (`base_url` is on ``ChannelConfig``; it is required for this type).
public struct WooCommerceSettings: Sendable, Equatable {
    /// `tracking`: how a shipment is told to the shop.
    public enum Tracking: String, Sendable, Hashable, CaseIterable, Codable {
        /// An order note to the customer, then status `completed`.
        case note
        /// The Shipment Tracking extension's endpoint.
        case shipmentTracking = "shipment-tracking"
    }

    /// `auth`: how the key and secret reach WooCommerce.
    public enum Auth: String, Sendable, Hashable, CaseIterable, Codable {
        /// HTTP Basic (HTTPS, or http to loopback for tests).
        case basic
        /// `consumer_key` / `consumer_secret` query parameters, for hosts that strip `Authorization`.
        case query
    }

    /// `consumer_key` / `consumer_key_file` / `consumer_key_env`.
    public var consumerKey: SecretSource
    /// `consumer_secret` / `consumer_secret_file` / `consumer_secret_env`.
    public var consumerSecret: SecretSource
    /// `statuses` (default `["processing"]`): statuses whose new orders are imported.
    public var statuses: [String]
    /// `tracking` (default `note`).
    public var tracking: Tracking
    /// `complete_on_ship` (default true): set the order `completed` once every line has shipped.
    public var completeOnShip: Bool
    /// `auth` (default `basic`).
    public var auth: Auth

    /// `statuses` when absent.
    public static let defaultStatuses = ["processing"]
    /// Statuses that are never imported (`checkout-draft`, `auto-draft`) or not listable (`trash`).
    public static let forbiddenStatuses = ["checkout-draft", "auto-draft", "trash"]

    public init(
        consumerKey: SecretSource, consumerSecret: SecretSource,
        statuses: [String] = WooCommerceSettings.defaultStatuses, tracking: Tracking = .note,
        completeOnShip: Bool = true, auth: Auth = .basic
    ) {
        self.consumerKey = consumerKey
        self.consumerSecret = consumerSecret
        self.statuses = statuses
        self.tracking = tracking
        self.completeOnShip = completeOnShip
        self.auth = auth
    }
}
