import Foundation

/// What the merchant entered on a completed mirror, turned into a marketplace shipment, or the reason it
/// cannot go out yet. Pure.
///
/// - Tracking: the first Shipment Tracking item, else the latest private note `Tracking: <carrier> <number>`.
/// - Carrier: the provider name as a carrier key, a carrier's `names.<store type>`, or any other name of a
///   carrier (compared without case, spaces or dashes); else the order's mapped carrier.
/// - IMEI/serial from private notes: `IMEI 356938035643809` (one phone), `SKU=IMEI` pairs (several),
///   `Serial ABC123`.
public enum MirrorFulfilment {
    public enum Plan: Sendable, Equatable {
        case ship(ShipmentPlan)
        case blocked(String)
    }

    /// A shipment ready to queue, as `ship` takes it.
    public struct ShipmentPlan: Sendable, Equatable {
        public var trackingNumber: String
        public var carrierKey: String?
        public var trackingURL: String?
        /// Line id → IMEI or serial.
        public var identifiers: [String: String]
        public var description: String
    }

    public static func plan(order: Order, trackings: [MirrorTracking], notes: [String], carriers: [CarrierConfig],
                            storeType: ChannelType) -> Plan {
        var tracking = trackings.first
        if tracking == nil { tracking = notes.reversed().lazy.compactMap(noteTracking).first }
        guard let tracking else {
            return .blocked("completed without a tracking number: add it with Shipment Tracking, or a private note "
                + "\"Tracking: <carrier> <number>\"")
        }
        var resolvedCarrier = order.carrier
        if !tracking.provider.isEmpty {
            guard let key = Self.carrierKey(for: tracking.provider, carriers: carriers, storeType: storeType) else {
                return .blocked("carrier \"\(tracking.provider)\" matches no configured carrier (a key, or a name under "
                    + "carriers.<key>.names): add it to the config or correct the tracking entry")
            }
            resolvedCarrier = key
        }
        var found: [String: String] = [:]
        let (single, bySKU, serial) = Self.identifiers(in: notes)
        let phones = order.lines.filter(\.requiresIMEI)
        for line in phones where line.imei == nil {
            var imei: String? = phones.count == 1 ? single : nil
            if let sku = line.sku, let pair = bySKU.first(where: { $0.key.caseInsensitiveCompare(sku) == .orderedSame }) {
                imei = pair.value
            }
            guard let imei else {
                let hint = phones.count == 1 ? "\"IMEI <15 digits>\"" : "\"\(line.sku ?? line.lineID)=<IMEI>\""
                return .blocked("IMEI missing for \(line.name) (line \(line.lineID)): add a private note \(hint)")
            }
            guard IMEI.isValid(imei) else {
                return .blocked("IMEI \(imei) for \(line.name) (line \(line.lineID)) fails its check digit: add a private note with the right one")
            }
            found[line.lineID] = imei
        }
        if let serial, found.isEmpty, order.lines.count == 1 { found[order.lines[0].lineID] = serial }
        let imeiCount = found.values.filter { IMEI.isValid($0) }.count
        let carrierText: String = tracking.provider.isEmpty ? (resolvedCarrier ?? "carrier") : tracking.provider
        var text = carrierText + " " + tracking.number
        if imeiCount > 0 { text += ", IMEI set on \(imeiCount) line" + (imeiCount == 1 ? "" : "s") }
        return .ship(ShipmentPlan(trackingNumber: tracking.number, carrierKey: resolvedCarrier, trackingURL: tracking.link,
                                  identifiers: found, description: text))
    }

    /// `Tracking: <carrier> <number>` (the carrier may have several words, or be absent).
    static func noteTracking(_ note: String) -> MirrorTracking? {
        for line in note.split(whereSeparator: \.isNewline) {
            let text = line.trimmingWhitespace()
            guard text.lowercased().hasPrefix("tracking:") else { continue }
            let words = text.dropFirst("tracking:".count).split(separator: " ").map(String.init)
            guard let number = words.last else { continue }
            return MirrorTracking(provider: words.dropLast().joined(separator: " "), number: number)
        }
        return nil
    }

    /// The single IMEI (`IMEI 3569…`), `SKU=IMEI` pairs and the serial (`Serial ABC123`) in the notes; later
    /// notes win.
    static func identifiers(in notes: [String]) -> (single: String?, bySKU: [String: String], serial: String?) {
        var single: String?
        var bySKU: [String: String] = [:]
        var serial: String?
        for note in notes {
            let words = note.split(whereSeparator: { $0.isWhitespace || $0 == "," || $0 == ";" }).map(String.init)
            for (index, word) in words.enumerated() {
                if let eq = word.firstIndex(of: "="), eq != word.startIndex {
                    let value = String(word[word.index(after: eq)...])
                    if value.count >= 14, value.allSatisfy(\.isNumber) { bySKU[String(word[..<eq])] = value }
                } else if word.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ":")) == "imei", index + 1 < words.count,
                          words[index + 1].allSatisfy(\.isNumber) {
                    single = words[index + 1]
                } else if word.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ":")) == "serial", index + 1 < words.count {
                    serial = words[index + 1]
                }
            }
        }
        return (single, bySKU, serial)
    }

    /// The carrier key a provider name means: a key, `names.<storeType>`, or any other name of a carrier.
    static func carrierKey(for provider: String, carriers: [CarrierConfig], storeType: ChannelType) -> String? {
        func folded(_ s: String) -> String { s.lowercased().filter { $0.isLetter || $0.isNumber } }
        let wanted = folded(provider)
        if let exact = carriers.first(where: { folded($0.key) == wanted }) { return exact.key }
        if let own = carriers.first(where: { $0.names[storeType.rawValue].map(folded) == wanted }) { return own.key }
        return carriers.first { $0.names.values.contains { folded($0) == wanted } }?.key
    }
}
