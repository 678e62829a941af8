import Foundation
import OrderSync

extension WooCommerceChannel {
    /// Whether the Shipment Tracking extension knows the provider `name`, compared as the extension
    /// compares it (`sanitize_title` forms). The store's public `…/shipment-trackings/providers` list is
    /// read once per run and kept; a failed read is thrown (the job is retried) and not cached.
    func trackingProviderKnown(_ name: String, orderID: String, operation: String) async throws -> Bool {
        let slugs: Set<String>
        if let cached = providers.slugs {
            slugs = cached
        } else {
            let readOperation = operation + " (read tracking providers)"
            let (response, json) = try await send(request("GET", "orders/\(orderID)/shipment-trackings/providers",
                                                          namespace: .shipmentTracking), operation: readOperation)
            guard let json else { throw failure(response, operation: readOperation) }
            slugs = Self.providerSlugs(json)
            providers.store(slugs)
        }
        return slugs.contains(WooCommerceTracking.providerSlug(name))
    }

    /// The slugs of every provider name in the extension's reply: `{"<country>": {"<name>": "<link format>"}}`.
    static func providerSlugs(_ reply: JSONValue) -> Set<String> {
        var slugs: Set<String> = []
        guard case .object(let groups) = reply else { return slugs }
        for case (_, .object(let providers)) in groups {
            for (name, _) in providers { slugs.insert(WooCommerceTracking.providerSlug(name)) }
        }
        return slugs
    }
}

/// The Shipment Tracking providers of one store, read once per run. Thread-safe.
final class TrackingProviderCache: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Set<String>?

    var slugs: Set<String>? { lock.withLock { stored } }

    func store(_ slugs: Set<String>) { lock.withLock { stored = slugs } }
}
