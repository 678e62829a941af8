import Foundation
import OrderSync

/// Following mirrors after creation: their status and the tracking the merchant typed, read in bounded
/// batches; private notes and status changes written on them.
extension WooCommerceChannel {
    /// `GET /orders?include=…` (a hundred ids per request), then for each completed mirror its Shipment
    /// Tracking items (none when the extension is absent).
    public func readMirrors(_ externalIDs: [String]) async throws -> [MirrorSnapshot] {
        var snapshots: [MirrorSnapshot] = []
        let ids = externalIDs.filter { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }
        for start in stride(from: 0, to: ids.count, by: 100) {
            let batch = ids[start..<min(start + 100, ids.count)]
            let operation = "read \(batch.count) mirror(s)"
            let query = [("include", batch.joined(separator: ",")), ("status", "any"), ("per_page", "100")]
            let (response, json) = try await send(request("GET", "orders", query: query), operation: operation)
            guard let json else { throw failure(response, operation: operation) }
            guard let items = json.array else {
                throw ChannelError(.retryable(retryAfter: nil), operation: operation, httpStatus: response.status,
                                   message: "response is not a list of orders")
            }
            for item in items {
                guard let id = item["id"]?.text else { continue }
                let status = WooCommerceStatuses.status(item["status"]?.text ?? "")
                let trackings = status == .completed ? try await mirrorTrackings(id) : []
                snapshots.append(MirrorSnapshot(externalID: id, status: status, trackings: trackings))
            }
        }
        return snapshots
    }

    /// The Shipment Tracking items of an order; empty when the extension is not installed.
    func mirrorTrackings(_ externalID: String) async throws -> [MirrorTracking] {
        let operation = "read trackings of \(externalID)"
        let (response, json) = try await send(request("GET", "orders/\(externalID)/shipment-trackings", namespace: .shipmentTracking),
                                              operation: operation)
        guard let json else {
            if response.status == 404 { return [] }
            throw failure(response, operation: operation)
        }
        return (json.array ?? []).compactMap { item in
            guard let number = item["tracking_number"]?.text, !number.isEmpty else { return nil }
            let link = item["tracking_link"]?.text
            return MirrorTracking(provider: item["tracking_provider"]?.text ?? "", number: number,
                                  link: link?.isEmpty == false ? link : nil)
        }
    }

    public func privateNotes(ofMirror externalID: String) async throws -> [String] {
        let list = try await notes(externalID, type: "internal", operation: "read notes of \(externalID)")
        // WooCommerce lists notes newest first.
        return list.compactMap { $0["note"]?.text }.reversed()
    }

    public func setMirrorStatus(_ externalID: String, to status: OrderStatus, note: String) async throws {
        let operation = "set mirror \(externalID) \(status.rawValue)"
        let wanted: String
        switch status {
        case .cancelled: wanted = "cancelled"
        case .completed, .shipped: wanted = "completed"
        default: throw ChannelError(.permanent, operation: operation, message: "a mirror is only cancelled or completed")
        }
        guard let current = try await fetchOrder(externalID: externalID) else {
            throw ChannelError(.permanent, operation: operation, httpStatus: 404, message: "mirror not found in the store")
        }
        if WooCommerceStatuses.canonical(current.order.channelStatus) == wanted { return }
        try await addNote(externalID, text: note, customer: false, operation: operation)
        _ = try await update(externalID, [("status", .string(wanted))], operation: operation)
    }
}
