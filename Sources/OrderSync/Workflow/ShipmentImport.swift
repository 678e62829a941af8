import Foundation

/// `import-shipments FILE.csv` and the inbox: every row validated like `ship`, good rows queued, bad rows
/// reported as `FILE:LINE: reason`. Re-importing the same file queues nothing twice (a shipment is keyed
/// by order and tracking number).
public struct ShipmentImport: Sendable {
    public static let columns = ["order_ref", "carrier", "tracking_number", "tracking_url", "imei", "serial", "line_id"]

    public struct Result: Sendable {
        public var queued = 0
        public var alreadyQueued = 0
        public var rejected: [String] = []
        public var rows: Int { queued + alreadyQueued + rejected.count }
    }

    public let operations: Operations

    public init(operations: Operations) { self.operations = operations }

    /// Imports the file at `path`; `displayName` is used in messages (default: the path).
    public func run(path: String, displayName: String? = nil) throws -> Result {
        let name = displayName ?? path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UserError(.dataError, "\(name): cannot read the file")
        }
        return try run(data: data, name: name)
    }

    public func run(data: Data, name: String) throws -> Result {
        let parsed: (separator: Character, records: [CSVRecord])
        do {
            parsed = try CSVReader.parse(data)
        } catch let error as CSVError {
            throw UserError(.dataError, "\(name):\(error.line): \(error.reason)")
        }
        guard let header = parsed.records.first else { throw UserError(.dataError, "\(name):1: the file is empty") }
        let names = header.fields.map { $0.lowercased() }
        var index: [String: Int] = [:]
        for (i, column) in names.enumerated() {
            guard ShipmentImport.columns.contains(column) else {
                throw UserError(.dataError, "\(name):\(header.line): unknown column \"\(column)\" (expected: \(ShipmentImport.columns.joined(separator: ",")))")
            }
            guard index[column] == nil else { throw UserError(.dataError, "\(name):\(header.line): column \"\(column)\" appears twice") }
            index[column] = i
        }
        for required in ["order_ref", "tracking_number"] where index[required] == nil {
            throw UserError(.dataError, "\(name):\(header.line): the header has no \"\(required)\" column")
        }
        var result = Result()
        for record in parsed.records.dropFirst() {
            func value(_ column: String) -> String? {
                guard let i = index[column], i < record.fields.count else { return nil }
                let v = record.fields[i]
                return v.isEmpty ? nil : v
            }
            if record.fields.count != header.fields.count {
                result.rejected.append("\(name):\(record.line): \(record.fields.count) fields, the header has \(header.fields.count)")
                continue
            }
            guard let ref = value("order_ref") else { result.rejected.append("\(name):\(record.line): order_ref is empty"); continue }
            guard let tracking = value("tracking_number") else {
                result.rejected.append("\(name):\(record.line): tracking_number is empty"); continue
            }
            var lines: [(id: String, value: String?)] = []
            if let lineID = value("line_id") { lines.append((lineID, nil)) }
            var imei = value("imei"), serial = value("serial")
            // With a line id, the identifier belongs to that line.
            if let lineID = value("line_id"), imei != nil || serial != nil {
                lines = [(lineID, imei ?? serial)]
                imei = nil; serial = nil
            }
            let input = ShipmentInput(trackingNumber: tracking, carrierKey: value("carrier"), trackingURL: value("tracking_url"),
                                      imei: imei, serial: serial, lines: lines)
            do {
                let message = try operations.ship(ref, input)
                if message.contains("nothing queued") { result.alreadyQueued += 1 } else { result.queued += 1 }
            } catch let error as UserError where error.code == .dataError || error.code == .usage {
                result.rejected.append("\(name):\(record.line): \(error.message)")
            }
        }
        return result
    }
}
