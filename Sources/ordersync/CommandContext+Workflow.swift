import Foundation
import OrderSync

extension CommandContext {
    /// `import-shipments FILE.csv`: good rows queued, bad rows as `FILE:LINE: reason` on stderr, exit 65 if any.
    func importShipments() throws -> ExitCode {
        let path = args.positionals[0]
        let result = try ShipmentImport(operations: try operations()).run(path: path)
        for line in result.rejected { Console.err(line) }
        out("\(path): \(result.queued) shipment(s) queued, \(result.alreadyQueued) already queued, \(result.rejected.count) row(s) rejected")
        return result.rejected.isEmpty ? .ok : .dataError
    }

    /// `report [--days N] [--channel ID] [--json]`.
    func report() throws -> ExitCode {
        let config = try config()
        var days = 30
        if let text = args.option("days") {
            guard let value = Int(text), value >= 1, value <= 3650 else {
                throw UserError(.usage, "report: --days must be a whole number from 1 to 3650, got \"\(text)\"")
            }
            days = value
        }
        var channels = config.channels.map(\.id)
        if let only = args.option("channel") {
            guard channels.contains(only) else { throw UserError(.usage, "report: no channel \"\(only)\" in the config") }
            channels = [only]
        }
        let report = try SellerReport.build(store: try store(config), channels: channels, days: days)
        if args.flag("json") {
            out(try CommandContext.jsonLine(report))
            return .ok
        }
        func percent(_ v: Double?) -> String { v.map { String(format: "%.1f %%", $0 * 100) } ?? "-" }
        func duration(_ v: Double?) -> String {
            guard let v else { return "-" }
            return v >= 3600 ? String(format: "%.1f h", v / 3600) : String(format: "%.0f min", v / 60)
        }
        out("seller KPIs from \(report.from) to \(report.to) (\(days) days)")
        table(["CHANNEL", "ORDERS", "CANCELLED", "SHIPPED NO TRACKING", "ACCEPT p50/p90", "SHIP p50/p90", "LATE ACCEPT",
               "ACCEPTED TO SHIP p50/p90", "LATE SHIP", "DEAD LETTERS"],
              report.channels.map { f in
                  [f.channel, String(f.orders), "\(f.cancelled) (\(percent(f.cancellationRate)))",
                   "\(f.shippedWithoutTracking) (\(percent(f.shippedWithoutTrackingRate)))",
                   "\(duration(f.acceptMedianSeconds)) / \(duration(f.acceptP90Seconds))",
                   "\(duration(f.shipMedianSeconds)) / \(duration(f.shipP90Seconds))", String(f.lateAcceptances),
                   "\(duration(f.acceptToShipMedianSeconds)) / \(duration(f.acceptToShipP90Seconds))", String(f.lateShipments),
                   String(f.deadLetters)]
              })
        out("")
        out("after-sale")
        table(["CHANNEL", "RETURN RATE", "REFUNDED", "LOST", "UNDELIVERED", "OPEN RETURNS > 7 d"], report.channels.map { f in
            [f.channel, "\(f.aftersale.returnedOrders) (\(percent(f.aftersale.returnRate)))", f.aftersale.refundedAmount,
             String(f.aftersale.lost), String(f.aftersale.undelivered), String(f.aftersale.openReturnsOver7Days)]
        })
        return .ok
    }
}
