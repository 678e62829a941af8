import ChannelSimulator
import Foundation
import XCTest

/// The Spartoo channel end to end through the built binary: two sites, auto-accept, slips, `ship` pushed
/// exactly once, `ship --line` refused, `slip` writing a PDF, kill -9 during a push.
final class SpartooDaemonTests: XCTestCase {
    func testTwoSitesAutoAcceptShipOnceAndSlips() throws {
        let h = try SpartooHarness()
        let french = h.simulator.addOrder(.init(site: "fr", products: [.init(), .init(reference: "REF-9", sizeReference: "REF-9-38",
                                                                                spartooID: "555", quantity: 2)]))
        let spanish = h.simulator.addOrder(.init(site: "es", customer: .init(firstName: "Núria", lastName: "Puig & Vilà"),
                                                 relay: .init(name: "Librería Cervantes & Hijos"), shippingName: "Mondial Relay"))
        let frRef = "spartoo-eu:\(french.id)", esRef = "spartoo-eu:\(spanish.id)"
        try h.start()
        h.wait("both orders imported and auto-accepted") { h.status(frRef) == "awaiting_shipment" && h.status(esRef) == "awaiting_shipment" }
        XCTAssertEqual(h.effects(french, .accept), 1)
        XCTAssertEqual(h.effects(spanish, .accept), 1)
        XCTAssertEqual(h.simulator.requests(script: "xml_maj_orders.php", site: "es").count, 1, "each order updated on its own host")

        // fetch_slips: the accepted orders' slips are in state_dir/slips.
        h.wait("slips saved") {
            [frRef, esRef].allSatisfy { FileManager.default.fileExists(atPath: "\(h.slipsDir)/\($0).pdf") }
        }
        let saved = try Data(contentsOf: URL(fileURLWithPath: "\(h.slipsDir)/\(esRef).pdf"))
        XCTAssertTrue(saved.starts(with: Array("%PDF".utf8)))

        let shown = try XCTUnwrap(try h.order(esRef))
        XCTAssertEqual(shown["site"] as? String, "es")
        XCTAssertEqual(shown["carrier"] as? String, "mondial-relay")
        XCTAssertEqual((shown["pickup_point"] as? [String: Any])?["name"] as? String, "Librería Cervantes & Hijos")
        XCTAssertEqual((shown["customer"] as? [String: Any])?["name"] as? String, "Núria Puig & Vilà")

        // Whole orders only: --line is refused with 65 and says why.
        let lineID = try XCTUnwrap(((try h.order(frRef))?["lines"] as? [[String: Any]])?.first?["line_id"] as? String)
        let partial = try h.cli(["ship", frRef, "--tracking", "TRK-LINE", "--line", lineID])
        XCTAssertEqual(partial.code, 65, partial.err)
        XCTAssertTrue(partial.err.contains("whole orders"), partial.err)

        let first = try h.cli(["ship", frRef, "--tracking", "6A 12&34é"])
        XCTAssertEqual(first.code, 0, first.err)
        XCTAssertTrue(first.out.contains("queued"), first.out)
        let second = try h.cli(["ship", frRef, "--tracking", "6A 12&34é"])
        XCTAssertEqual(second.code, 0)
        XCTAssertTrue(second.out.contains("nothing queued"), second.out)
        h.wait("shipment pushed") { h.effects(french, .ship) == 1 && h.status(frRef) == "shipped" }
        XCTAssertEqual(h.simulator.appliedEffects(orderID: french.id, kind: .ship).first?.details["tracking_number"], "6A12&34é")
        Thread.sleep(forTimeInterval: 1.5)
        XCTAssertEqual(h.effects(french, .ship), 1, "never pushed twice")

        // `slip` writes the PDF Spartoo wants in the parcel.
        let out = h.dir + "/slip-es.pdf"
        let slip = try h.cli(["slip", esRef, "--out", out])
        XCTAssertEqual(slip.code, 0, slip.err)
        XCTAssertTrue(try Data(contentsOf: URL(fileURLWithPath: out)).starts(with: Array("%PDF".utf8)))
        let unknown = try h.cli(["slip", "spartoo-eu:0000000000000000"])
        XCTAssertEqual(unknown.code, 65, unknown.err)

        XCTAssertEqual(h.stop(), 0)
        let status = try h.cli(["status", "--json"]).out
        for text in [h.log, status, h.runOutput(1), first.out, slip.out, slip.err, try h.cli(["jobs", "--json"]).out] {
            XCTAssertFalse(text.contains(h.partnerID), "the partner id leaked")
        }
    }

    func testAReplyFileLeftByAKilledRunIsRemovedAtStartUp() throws {
        let h = try SpartooHarness(fetchSlips: false)
        let order = h.simulator.addOrder(.init(site: "fr"))
        let replies = h.stateDir + "/replies"
        func files() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: replies)) ?? [] }
        // The export's reply is held back: the daemon is killed while its reply file is open.
        h.simulator.injectFault(.slow(seconds: 4), count: 2, script: "xml_export_orders.php")
        let first = try h.start()
        h.wait("a reply file is being written") { files().contains { $0.hasPrefix("reply-\(first.processIdentifier)-") } }
        XCTAssertEqual(h.stop(signal: SIGKILL), SIGKILL)
        let left = files().filter { $0.hasPrefix("reply-\(first.processIdentifier)-") }
        XCTAssertFalse(left.isEmpty, "kill -9 leaves the file behind")
        h.simulator.faultsOff()
        try h.start()
        h.wait("order imported after restart") { h.status("spartoo-eu:\(order.id)") != nil }
        for name in left { XCTAssertFalse(FileManager.default.fileExists(atPath: replies + "/" + name), "\(name) removed at start-up") }
        h.wait("every reply file removed once read") { files().isEmpty }
        XCTAssertEqual(h.stop(), 0)
    }

    func testKillDuringPushThenRestartShipsExactlyOnce() throws {
        let h = try SpartooHarness(fetchSlips: false)
        let order = h.simulator.addOrder(.init(site: "es"))
        let ref = "spartoo-eu:\(order.id)"
        try h.start()
        h.wait("accepted") { h.status(ref) == "awaiting_shipment" }
        // The update takes effect at once but its reply is held: the daemon dies before it hears back.
        h.simulator.injectFault(.slow(seconds: 4), count: 1, script: "xml_maj_orders.php")
        XCTAssertEqual(try h.cli(["ship", ref, "--tracking", "KILL-1"]).code, 0)
        h.wait("ship applied on Spartoo") { h.effects(order, .ship) == 1 }
        XCTAssertEqual(h.stop(signal: SIGKILL), SIGKILL)
        XCTAssertEqual(h.job("ship")?["state"] as? String, "running", "the job was in flight when the daemon died")
        h.simulator.faultsOff()
        try h.start()
        h.wait("job done after restart") { h.job("ship")?["state"] as? String == "done" }
        XCTAssertEqual(h.effects(order, .ship), 1, "the shipment reached Spartoo exactly once")
        XCTAssertTrue((h.job("ship")?["result"] as? String ?? "").contains("already"), "\(String(describing: h.job("ship")))")
        XCTAssertEqual(h.simulator.requests(script: "xml_maj_orders.php").count, 2, "one accept, one ship: nothing re-sent")
        XCTAssertEqual(h.stop(), 0)
    }
}
