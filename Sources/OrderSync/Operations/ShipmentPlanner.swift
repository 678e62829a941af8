import Foundation

/// What the person asked to ship (the `ship` options or one CSV row).
public struct ShipmentInput: Sendable {
    public var trackingNumber: String
    public var carrierKey: String?
    public var trackingURL: String?
    public var imei: String?
    public var serial: String?
    /// `--line LINE_ID[=IMEI_OR_SERIAL]`.
    public var lines: [(id: String, value: String?)]
    public var shippedAt: Date?

    public init(trackingNumber: String, carrierKey: String? = nil, trackingURL: String? = nil, imei: String? = nil,
                serial: String? = nil, lines: [(id: String, value: String?)] = [], shippedAt: Date? = nil) {
        self.trackingNumber = trackingNumber; self.carrierKey = carrierKey; self.trackingURL = trackingURL
        self.imei = imei; self.serial = serial; self.lines = lines; self.shippedAt = shippedAt
    }
}

/// Validates a shipment against the order, the channel and the config before anything is queued,
/// and resolves it into a `ShipmentRequest` (carrier spelling, tracking URL, per-line IMEI/serial).
/// Every refusal is a `UserError` with exit 65 naming the order and the reason.
public struct ShipmentPlanner: Sendable {
    public let channelType: ChannelType
    public let capabilities: ChannelCapabilities
    public let carriers: [String: CarrierConfig]
    /// Refuse lines flagged `requires_imei` that get no IMEI (the channel's `enforce_imei`).
    public let enforceIMEI: Bool

    public init(channelType: ChannelType, capabilities: ChannelCapabilities, carriers: [String: CarrierConfig], enforceIMEI: Bool) {
        self.channelType = channelType; self.capabilities = capabilities; self.carriers = carriers; self.enforceIMEI = enforceIMEI
    }

    /// Dedupe key of a shipment: the tracking number without spaces, upper-cased.
    public static func dedupeKey(_ tracking: String) -> String {
        tracking.filter { !$0.isWhitespace }.uppercased()
    }

    public func plan(_ input: ShipmentInput, order: Order, acceptQueued: Bool, now: Date = Date()) throws -> ShipmentRequest {
        let ref = order.ref
        func refuse(_ reason: String) -> UserError { UserError(.dataError, "\(ref): \(reason)") }

        let tracking = input.trackingNumber.trimmingWhitespace()
        guard !tracking.isEmpty else { throw refuse("tracking number is empty") }
        guard tracking.count <= 64, tracking.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            throw refuse("tracking number \"\(tracking.prefix(70))\" is not valid (at most 64 printable characters)")
        }
        switch order.status {
        case .awaitingShipment: break
        case .awaitingAcceptance where acceptQueued: break
        case .awaitingAcceptance:
            throw refuse("order is awaiting acceptance: run `ordersync accept \(ref)` first")
        case .shipped where capabilities.shipsPerLine, .completed where capabilities.shipsPerLine: break
        default:
            throw refuse("order is \(order.status.rawValue); it cannot be shipped")
        }

        // Carrier: given, or the order's mapped default.
        let carrierKey = input.carrierKey ?? order.carrier
        var carrierName: String?
        var carrier: CarrierConfig?
        if let carrierKey {
            guard let found = carriers[carrierKey] else {
                let known = carriers.keys.sorted().joined(separator: ", ")
                throw refuse("unknown carrier \"\(carrierKey)\" (configured: \(known.isEmpty ? "none" : known))")
            }
            carrier = found
            carrierName = found.names[channelType.rawValue]
            if capabilities.needsCarrierName, carrierName == nil {
                throw refuse("carrier \"\(carrierKey)\" has no name for \(channelType.rawValue): add carriers.\(carrierKey).names.\(channelType.rawValue)")
            }
            if let accepted = capabilities.acceptedCarrierNames, let name = carrierName, !accepted.contains(name) {
                throw refuse("\(channelType.rawValue) does not accept the carrier name \"\(name)\"; accepted: \(accepted.joined(separator: ", "))")
            }
        } else if capabilities.needsCarrierName {
            throw refuse("no carrier: pass --carrier KEY or add a shipping_rules entry for this order's shipping method")
        }

        let trackingURL = input.trackingURL
            ?? carrier?.trackingURL(number: tracking, postcode: order.shippingAddress?.postcode ?? "")

        // Lines and identifiers.
        var shipLines: [String: ShipLine] = [:]
        var order_ = [String]()
        func line(_ id: String) throws -> OrderLine {
            guard let l = order.lines.first(where: { $0.lineID == id }) else {
                throw refuse("line \(id) is not in this order (lines: \(order.lines.map(\.lineID).joined(separator: ", ")))")
            }
            return l
        }
        func assign(_ id: String, imei: String?, serial: String?) {
            if shipLines[id] == nil { order_.append(id); shipLines[id] = ShipLine(lineID: id) }
            if let imei { shipLines[id]!.imei = imei }
            if let serial { shipLines[id]!.serial = serial }
        }
        func classify(_ value: String) throws -> (imei: String?, serial: String?) {
            if value.count == 15, value.allSatisfy({ $0.isASCII && $0.isNumber }) {
                guard IMEI.isValid(value) else { throw refuse("invalid IMEI \(value): the Luhn check digit does not match") }
                return (value, nil)
            }
            guard !value.isEmpty, value.count <= 50 else { throw refuse("serial number must be 1 to 50 characters") }
            return (nil, value)
        }
        var partial = false
        for (id, value) in input.lines {
            _ = try line(id)
            if let value {
                guard capabilities.recordsIMEI else { throw refuse("\(channelType.rawValue) does not take IMEI or serial numbers") }
                let (imei, serial) = try classify(value)
                assign(id, imei: imei, serial: serial)
            } else {
                guard capabilities.shipsPerLine else {
                    throw refuse("\(channelType.rawValue) ships whole orders; --line is only for LINE_ID=IMEI_OR_SERIAL here")
                }
                assign(id, imei: nil, serial: nil)
                partial = true
            }
        }
        if input.imei != nil || input.serial != nil {
            guard capabilities.recordsIMEI else { throw refuse("\(channelType.rawValue) does not take IMEI or serial numbers") }
            if let imei = input.imei, !IMEI.isValid(imei) {
                throw refuse("invalid IMEI \(imei): must be 15 digits with a valid Luhn check digit")
            }
            if let serial = input.serial, serial.isEmpty || serial.count > 50 {
                throw refuse("serial number must be 1 to 50 characters")
            }
            let target: OrderLine
            if order.lines.count == 1 {
                target = order.lines[0]
            } else if input.imei != nil, order.lines.filter(\.requiresIMEI).count == 1 {
                target = order.lines.first(where: \.requiresIMEI)!
            } else {
                throw refuse("the order has \(order.lines.count) lines: give identifiers per line with --line LINE_ID=IMEI_OR_SERIAL")
            }
            assign(target.lineID, imei: input.imei, serial: input.serial)
        }
        for (id, item) in shipLines where item.imei != nil || item.serial != nil {
            let l = try line(id)
            if item.imei != nil || item.serial != nil, l.quantity != 1, capabilities.recordsIMEI,
               capabilities.identifiersOnSingleUnitLinesOnly {
                throw refuse("line \(id) has quantity \(l.quantity); \(channelType.definition.displayName) records one IMEI or serial per line of quantity 1")
            }
        }

        let covered = partial ? Set(shipLines.keys) : Set(order.lines.map(\.lineID))
        if enforceIMEI {
            for l in order.lines where covered.contains(l.lineID) && l.requiresIMEI && l.quantity == 1 && l.imei == nil {
                if shipLines[l.lineID]?.imei == nil && shipLines[l.lineID]?.serial == nil {
                    throw refuse("line \(l.lineID) (\(l.name)) needs an IMEI: pass --imei IMEI or --line \(l.lineID)=IMEI (or set enforce_imei to false)")
                }
            }
        }
        return ShipmentRequest(carrierKey: carrierKey, carrierName: carrierName, trackingNumber: tracking,
                               trackingURL: trackingURL, shippedAt: input.shippedAt ?? now,
                               lines: order_.compactMap { shipLines[$0] }, wholeOrder: !partial)
    }
}
