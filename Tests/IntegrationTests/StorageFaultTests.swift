import ChannelSimulator
import Foundation
import OrderSync
@testable import Connectors
import XCTest

/// The database and its disk failing under the built binary: a lock held by another process, a read-only
/// state directory, a full disk. The CLI exits 75 with a message naming the database; the daemon logs an
/// error, keeps running and catches up once the fault clears; `PRAGMA integrity_check` stays `ok` and no
/// order is lost.
///
/// Tests run as root here, where `chmod 0555` does not stop writes: the read-only and full-disk cases use
/// a read-only bind mount and a small tmpfs instead, and skip (saying why) where `mount` is not allowed.
final class StorageFaultTests: XCTestCase {
    // MARK: Locked

    func testLockedDatabaseGivesExit75ThenTheDaemonRecovers() throws {
        let h = try Harness(autoAccept: false)
        let a = h.simulator.addOrder(BackMarketSimulator.Order(lines: [.init(listing: "L-A", product: "iPad Air")]))
        let b = h.simulator.addOrder(BackMarketSimulator.Order(lines: [.init(listing: "L-B", product: "iPad Mini")]))
        let refA = "bm-eu:\(a.orderID)", refB = "bm-eu:\(b.orderID)"
        try h.start()
        h.wait("both orders imported") { ((try? h.orders())?.count ?? 0) == 2 }
        XCTAssertEqual(try h.cli(["accept", refA]).code, 0)
        h.wait("A accepted") { (try? h.order(refA))?["status"] as? String == "awaiting_shipment" }

        let lock = try DatabaseLock(path: h.databasePath)
        defer { lock.release() }
        for args in [["accept", refB], ["ship", refA, "--tracking", "LOCK-1"]] {
            let started = Date()
            let result = try h.cli(args)
            let seconds = Date().timeIntervalSince(started)
            XCTAssertEqual(result.code, 75, "\(args[0]) on a locked database: \(result.err)")
            XCTAssertTrue(result.err.contains("ordersync.sqlite3") && result.err.contains("locked"),
                          "the message names the database and the lock: \(result.err)")
            XCTAssertLessThan(seconds, 5 + 5, "\(args[0]) gives up after the 5 s busy timeout, not later")
            print("locked database: `\(args[0])` exited 75 after \(String(format: "%.1f", seconds)) s: \(result.err)")
        }
        h.wait("the daemon logged the locked database", timeout: 40) {
            h.log.split(separator: "\n").contains { $0.contains("\"level\":\"error\"") && $0.contains("locked") }
        }
        XCTAssertTrue(h.daemon?.isRunning ?? false, "the daemon keeps running while the database is locked")

        lock.release()
        XCTAssertEqual(try h.cli(["accept", refB]).code, 0)
        XCTAssertEqual(try h.cli(["ship", refA, "--tracking", "LOCK-1"]).code, 0)
        h.wait("both pushed once the lock is gone", timeout: 30) {
            h.simulator.appliedEffects(orderID: b.orderID, kind: .accept).count == 1 && h.shipEffects(a.orderID) == 1
        }
        h.wait("polling succeeds again", timeout: 30) { h.consecutiveErrors() == 0 }
        XCTAssertEqual(h.stop()?.status, 0)
        XCTAssertEqual(try Self.integrityCheck(h.databasePath), "ok")
        XCTAssertEqual(try h.orders().count, 2, "no order lost")
    }

    // MARK: Read-only

    func testReadOnlyStateDirectoryGivesExit75AndNoCorruption() throws {
        let h = try Harness(autoAccept: false)
        let a = h.simulator.addOrder(BackMarketSimulator.Order(lines: [.init(listing: "L-A", product: "iPad Air")]))
        let ref = "bm-eu:\(a.orderID)"
        try h.start()
        h.wait("order imported") { ((try? h.orders())?.count ?? 0) == 1 }
        XCTAssertEqual(h.stop()?.status, 0)

        let mount = try Self.readOnly(h.stateDir)
        defer { mount.undo() }
        XCTAssertFalse(FileManager.default.createFile(atPath: h.stateDir + "/probe", contents: Data()),
                       "the state directory is read-only")
        for args in [["accept", ref], ["retry", "--all-failed"]] {
            let result = try h.cli(args)
            XCTAssertEqual(result.code, 75, "\(args[0]) on a read-only state directory: \(result.err)")
            XCTAssertTrue(result.err.contains("ordersync.sqlite3"), "the message names the database: \(result.err)")
            print("read-only state_dir: `\(args[0])` exited 75: \(result.err)")
        }
        // The daemon waits for the database instead of exiting, and logs why.
        try h.start()
        h.wait("the daemon logged the unusable database", timeout: 20) { h.log.contains("cannot open the database") }
        Thread.sleep(forTimeInterval: 1)
        XCTAssertTrue(h.daemon?.isRunning ?? false, "the daemon waits for the database")

        mount.undo()
        h.wait("the daemon opened the database once writable", timeout: 20) {
            h.log.components(separatedBy: "\"msg\":\"daemon started\"").count - 1 == 2
        }
        XCTAssertEqual(try h.cli(["accept", ref]).code, 0)
        h.wait("accept pushed") { h.simulator.appliedEffects(orderID: a.orderID, kind: .accept).count == 1 }
        XCTAssertEqual(h.stop()?.status, 0)
        XCTAssertEqual(try Self.integrityCheck(h.databasePath), "ok")
        XCTAssertEqual(try h.orders().count, 1, "no order lost")
    }

    // MARK: Full disk

    func testFullDiskGivesExit75ThenTheDaemonCatchesUp() throws {
        let h = try Harness(autoAccept: false)
        let mount = try Self.tmpfs(h.stateDir, size: "4m")
        defer { mount.undo() }
        let first = h.simulator.addOrder(BackMarketSimulator.Order(lines: [.init(listing: "L-A", product: "iPad Air")]))
        try h.start()
        h.wait("first order imported") { ((try? h.orders())?.count ?? 0) == 1 }

        let filled = try Self.fill(h.stateDir)
        let later = (0..<3).map { i in
            h.simulator.addOrder(BackMarketSimulator.Order(lines: [.init(listing: "L-\(i)", product: "iPad \(i)")]))
        }
        let accept = try h.cli(["accept", "bm-eu:\(first.orderID)"])
        XCTAssertEqual(accept.code, 75, "accept on a full disk: \(accept.err)")
        XCTAssertTrue(accept.err.contains("ordersync.sqlite3"), "the message names the database: \(accept.err)")
        print("full disk (\(filled / 1024) KiB of filler): `accept` exited 75: \(accept.err)")
        h.wait("the daemon logged the failing writes", timeout: 40) {
            h.log.split(separator: "\n").contains { $0.contains("\"msg\":\"poll failed\"") }
        }
        XCTAssertTrue(h.daemon?.isRunning ?? false, "the daemon keeps running on a full disk")

        for name in try FileManager.default.contentsOfDirectory(atPath: h.stateDir) where name.hasPrefix("filler-") {
            try FileManager.default.removeItem(atPath: h.stateDir + "/" + name)
        }
        h.wait("orders added while the disk was full are imported", timeout: 40) {
            ((try? h.orders())?.count ?? 0) == 1 + later.count
        }
        XCTAssertEqual(try h.cli(["accept", "bm-eu:\(first.orderID)"]).code, 0)
        h.wait("accept pushed") { h.simulator.appliedEffects(orderID: first.orderID, kind: .accept).count == 1 }
        XCTAssertEqual(h.stop()?.status, 0)
        XCTAssertEqual(try Self.integrityCheck(h.databasePath), "ok")
        let refs = Set(try h.orders().compactMap { $0["ref"] as? String })
        XCTAssertEqual(refs, Set(([first] + later).map { "bm-eu:\($0.orderID)" }), "every order is there, once")
    }

    // MARK: Helpers

    /// `PRAGMA integrity_check`, in this process.
    static func integrityCheck(_ path: String) throws -> String {
        let db = try Database(path: path)
        return try db.query("PRAGMA integrity_check").map { $0.string("integrity_check") ?? "?" }.joined(separator: "; ")
    }

    /// A fault on the file system that `undo()` takes away again (idempotent; also run by `defer`).
    final class Mount {
        private var undoing: (() -> Void)?
        init(undo: @escaping () -> Void) { undoing = undo }
        /// Lazily unmounts (`umount -l`): a daemon still holding files there must not keep the fault in place.
        convenience init(path: String) {
            self.init { _ = StorageFaultTests.command("/bin/umount", ["-l", path]) }
        }
        func undo() {
            undoing?()
            undoing = nil
        }
    }

    static func command(_ tool: String, _ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        guard (try? process.run()) != nil else { return (-1, "\(tool) cannot be run") }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// `path` made read-only: by permissions when not root; as root (which `chmod 0555` does not stop) by
    /// binding it onto itself read-only.
    static func readOnly(_ path: String) throws -> Mount {
        guard geteuid() == 0 else {
            chmod(path, 0o555)
            return Mount { chmod(path, 0o755) }
        }
        let bind = command("/bin/mount", ["--bind", path, path])
        try XCTSkipIf(bind.status != 0,
                      "running as root, where chmod does not block writes, and `mount --bind` is not allowed here: \(bind.output)")
        let mount = Mount(path: path)
        let remount = command("/bin/mount", ["-o", "remount,bind,ro", path])
        if remount.status != 0 {
            mount.undo()
            throw XCTSkip("running as root, where chmod does not block writes, and a read-only remount is not allowed here: \(remount.output)")
        }
        return mount
    }

    /// A tmpfs of `size` on `path` (root only).
    static func tmpfs(_ path: String, size: String) throws -> Mount {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try XCTSkipIf(geteuid() != 0, "a full disk needs a small tmpfs, and mounting one needs root")
        let result = command("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path])
        try XCTSkipIf(result.status != 0, "`mount -t tmpfs` is not allowed here: \(result.output)")
        return Mount(path: path)
    }

    /// Fills the file system holding `directory` to the last block; returns the bytes written.
    static func fill(_ directory: String) throws -> Int {
        var total = 0
        for (index, chunk) in [65_536, 4096, 512].enumerated() {
            let path = directory + "/filler-\(index)"
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            let zeros = [UInt8](repeating: 0, count: chunk)
            while true {
                let written = zeros.withUnsafeBytes { write(fd, $0.baseAddress, chunk) }
                if written <= 0 { break }
                total += written
            }
        }
        return total
    }
}

/// `BEGIN IMMEDIATE` held by another process: `/usr/bin/sqlite3` reading its commands from a pipe (or, where
/// that tool is missing, a connection of this process, which the binary sees the same way).
final class DatabaseLock {
    private var process: Process?
    private var input: Pipe?
    private var connection: Database?

    init(path: String) throws {
        let tool = "/usr/bin/sqlite3"
        guard FileManager.default.isExecutableFile(atPath: tool) else {
            let db = try Database(path: path, busyTimeoutMillis: 10_000)
            try db.execute("BEGIN IMMEDIATE")
            connection = db
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = [path]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(".timeout 10000\nBEGIN IMMEDIATE;\nSELECT 'locked';\n".utf8))
        var seen = ""
        let deadline = Date().addingTimeInterval(15)
        while !seen.contains("locked") && Date() < deadline {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        guard seen.contains("locked") else {
            process.terminate()
            throw XCTSkip("sqlite3 could not take the write lock: \(seen)")
        }
        self.process = process
        self.input = input
    }

    /// Commits and lets go (idempotent).
    func release() {
        if let connection {
            _ = try? connection.execute("COMMIT")
            self.connection = nil
        }
        if let process, let input {
            input.fileHandleForWriting.write(Data("COMMIT;\n.quit\n".utf8))
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
            self.process = nil
            self.input = nil
        }
    }

    deinit { release() }
}

extension Harness {
    var databasePath: String { stateDir + "/ordersync.sqlite3" }

    /// The channel's `consecutive_errors` in `status --json` (-1 when it cannot be read).
    func consecutiveErrors() -> Int {
        guard let out = try? cli(["status", "--json"]).out,
            let json = try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any],
            let channel = (json["channels"] as? [[String: Any]])?.first
        else { return -1 }
        return channel["consecutive_errors"] as? Int ?? -1
    }
}
