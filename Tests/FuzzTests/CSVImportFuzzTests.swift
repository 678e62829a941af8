import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// `CSVReader.parse` and `ShipmentImport`'s header and row handling over mutated shipment files, against a
/// real store holding the seed orders: the file is read or refused as a whole with `FILE:LINE: reason`,
/// and every data row is accounted for (queued, already queued or rejected with its line).
final class CSVImportFuzzTests: XCTestCase {
    struct RollBack: Error {}

    static let config = """
        {"state_dir":"/tmp/ordersync-fuzz","channels":[{"id":"bm-eu","type":"backmarket","region":"eu","token":"t",
          "user_agent":"BM-Acme-ordersync;ops@acme.example"}],
         "carriers":{"colissimo":{"tracking_url":"https://www.laposte.fr/suivi?code={tracking}","names":{"backmarket":"Colissimo"}},
                     "dhl-express":{"tracking_url":"https://www.dhl.com/track?id={tracking}","names":{"backmarket":"DHL Express"}}},
         "shipping_rules":[{"channel":"*","shipping_method":"*","carrier":"colissimo"}]}
        """

    func testCSVImportSurvivesMutatedFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ordersync-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let (parsedConfig, problems) = ConfigLoader.parse(data: Data(Self.config.utf8))
        let config = try XCTUnwrap(parsedConfig, "\(problems)")
        let store = try Store(path: dir.appendingPathComponent("ordersync.sqlite3").path)
        let mapper = BackMarketMapper(channelID: "bm-eu", imeiPatterns: BackMarketSettings.defaultIMEIRequiredFor,
                                      acceptWithinHours: 24)
        for seed in FuzzSeeds.seeds(of: "backmarket-order") {
            let json = try JSONValue.parse(Data(seed))
            for item in json["results"]?.array ?? [json] { _ = try store.upsert(try mapper.order(from: item), raw: item.data) }
        }
        let importer = ShipmentImport(operations: Operations(config: config, store: store))

        FuzzRunner.check(FuzzTarget(name: "csv-import", format: .csv) { bytes in
            let data = Data(bytes)
            let records = try CSVReader.parse(data).records
            var previous = 0
            for record in records {
                guard record.line > previous else { throw FuzzViolation("record lines do not increase: \(records.map(\.line))") }
                previous = record.line
            }
            do {
                // Each file is imported in a transaction that is rolled back, so every input meets the same
                // store (jobs piling up over 100,000 files would make later inputs slower and slower).
                var outcome: Result<ShipmentImport.Result, Error>?
                _ = try? store.db.inTransaction { () throws -> Void in
                    outcome = Result { try importer.run(data: data, name: "in.csv") }
                    throw RollBack()
                }
                guard let outcome else { throw FuzzViolation("the import transaction did not run") }
                let result = try outcome.get()
                guard result.rows == records.count - 1 else {
                    throw FuzzViolation("\(records.count - 1) data rows but \(result.rows) accounted for")
                }
                let lines = Set(records.map(\.line))
                for rejected in result.rejected {
                    let parts = rejected.split(separator: ":", maxSplits: 2)
                    guard parts.count == 3, parts[0] == "in.csv", let line = Int(parts[1]), lines.contains(line) else {
                        throw FuzzViolation("a rejected row does not start with in.csv:LINE: \(rejected.debugDescription)")
                    }
                }
            } catch let error as UserError {
                guard error.code == .dataError, error.message.hasPrefix("in.csv:") else {
                    throw FuzzViolation("refusal with exit \(error.code.rawValue) or without FILE:LINE: \(error.message.debugDescription)")
                }
                throw error
            } catch let violation as FuzzViolation {
                throw violation
            } catch {
                throw FuzzViolation("unexpected \(type(of: error)): \(error)")
            }
        })
    }
}
