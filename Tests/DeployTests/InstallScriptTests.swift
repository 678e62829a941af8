import Foundation
import XCTest

/// deploy/install.sh run for real into a staging root (`--root`), from a scratch copy of the
/// repository that holds a fake release binary, so neither / nor the checkout's .build is touched.
final class InstallScriptTests: XCTestCase {
    private var scratch: TemporaryDirectory!
    private var repo: String { scratch.path("repo") }
    private var root: String { scratch.path("root") }

    override func setUpWithError() throws {
        scratch = try TemporaryDirectory()
        let files = FileManager.default
        for directory in ["repo/deploy", "repo/.build/release", "repo/Config"] {
            try files.createDirectory(atPath: scratch.path(directory), withIntermediateDirectories: true)
        }
        for name in ["install.sh", "ordersync.service", "ordersync.logrotate", "README.md"] {
            try files.copyItem(atPath: deployFile(name).path, toPath: "\(repo)/deploy/\(name)")
        }
        try writeFakeBinary(version: "1")
        try "{\"state_dir\": \"/var/lib/ordersync\"}\n"
            .write(toFile: "\(repo)/Config/example.json", atomically: true, encoding: .utf8)
    }

    override func tearDown() { scratch = nil }

    private func writeFakeBinary(version: String) throws {
        let path = "\(repo)/.build/release/ordersync"
        try "#!/bin/sh\necho ordersync \(version)\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    private func install(_ arguments: [String]) throws -> CommandResult {
        let bash = try XCTUnwrap(findExecutable("bash"))
        return try runCommand(bash, ["\(repo)/deploy/install.sh"] + arguments)
    }

    private func staged(_ path: String) -> String { root + path }

    private func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: staged(path))
        return try XCTUnwrap(attributes[.posixPermissions] as? Int) & 0o7777
    }

    private func contents(_ path: String) throws -> String {
        try String(contentsOfFile: staged(path), encoding: .utf8)
    }

    private func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: staged(path)) }

    func testDryRunPrintsEveryActionAndChangesNothing() throws {
        let result = try install(["--dry-run", "--no-build", "--root", root])
        XCTAssertEqual(result.status, 0, result.output)
        for expected in [
            "+ install -m 0755 \(repo)/.build/release/ordersync \(root)/usr/local/bin/ordersync.new",
            "+ mv -f \(root)/usr/local/bin/ordersync.new \(root)/usr/local/bin/ordersync",
            "\(root)/etc/systemd/system/ordersync.service",
            "+ install -D -m 0644 \(repo)/deploy/ordersync.logrotate \(root)/etc/logrotate.d/ordersync",
            "+ install -m 0644 \(repo)/Config/example.json \(root)/etc/ordersync/config.json",
            "+ install -d -m 0700 \(root)/etc/ordersync/credentials",
            "+ install -m 0600 /dev/null \(root)/etc/ordersync/credentials/bm.token",
        ] {
            XCTAssertTrue(result.stdout.contains(expected), "missing \(expected)\n\(result.output)")
        }
        XCTAssertFalse(result.stdout.contains("+ systemctl"), "no systemctl under --root\n\(result.output)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: root), "a dry run created \(root)")
    }

    func testInstallReinstallAndUninstall() throws {
        // Install.
        var result = try install(["--no-build", "--root", root])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(try contents("/usr/local/bin/ordersync"), "#!/bin/sh\necho ordersync 1\n")
        XCTAssertEqual(try mode("/usr/local/bin/ordersync"), 0o755)
        XCTAssertFalse(exists("/usr/local/bin/ordersync.new"))
        XCTAssertEqual(try mode("/etc/systemd/system/ordersync.service"), 0o644)
        XCTAssertTrue(try contents("/etc/systemd/system/ordersync.service")
            .contains("\nExecStart=/usr/local/bin/ordersync --config /etc/ordersync/config.json run\n"))
        XCTAssertEqual(try contents("/etc/logrotate.d/ordersync"),
                       try String(contentsOf: deployFile("ordersync.logrotate"), encoding: .utf8))
        XCTAssertTrue(exists("/usr/local/share/doc/ordersync/README.md"))
        XCTAssertEqual(try contents("/etc/ordersync/config.json"), "{\"state_dir\": \"/var/lib/ordersync\"}\n")
        XCTAssertEqual(try mode("/etc/ordersync/config.json"), 0o644)
        XCTAssertEqual(try mode("/etc/ordersync/credentials"), 0o700)
        for name in ["bm.token", "spartoo.key", "woo.secret"] {
            XCTAssertEqual(try mode("/etc/ordersync/credentials/\(name)"), 0o600, name)
            XCTAssertEqual(try contents("/etc/ordersync/credentials/\(name)"), "", name)
        }
        XCTAssertTrue(result.stdout.contains("skipping systemctl daemon-reload"), result.output)
        try assertStagedUnitVerifies()

        // Reinstall (an upgrade): the binary is replaced, the operator's config and secrets are not.
        try "{\"edited\": true}\n".write(toFile: staged("/etc/ordersync/config.json"), atomically: true, encoding: .utf8)
        try "tok\n".write(toFile: staged("/etc/ordersync/credentials/bm.token"), atomically: true, encoding: .utf8)
        try writeFakeBinary(version: "2")
        result = try install(["--no-build", "--root", root])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(try contents("/usr/local/bin/ordersync"), "#!/bin/sh\necho ordersync 2\n")
        XCTAssertEqual(try contents("/etc/ordersync/config.json"), "{\"edited\": true}\n")
        XCTAssertEqual(try contents("/etc/ordersync/credentials/bm.token"), "tok\n")
        XCTAssertTrue(result.stdout.contains("keeping existing /etc/ordersync/config.json"), result.output)

        // Uninstall: what was installed goes, config, secrets and state stay.
        let state = staged("/var/lib/private/ordersync")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: staged("/var/lib/ordersync"),
                                                   withDestinationPath: "private/ordersync")
        result = try install(["--uninstall", "--root", root])
        XCTAssertEqual(result.status, 0, result.output)
        for path in ["/usr/local/bin/ordersync", "/etc/systemd/system/ordersync.service",
                     "/etc/logrotate.d/ordersync", "/usr/local/share/doc/ordersync"] {
            XCTAssertFalse(exists(path), "\(path) is left\n\(result.output)")
        }
        XCTAssertEqual(try contents("/etc/ordersync/config.json"), "{\"edited\": true}\n")
        XCTAssertEqual(try contents("/etc/ordersync/credentials/bm.token"), "tok\n")
        XCTAssertTrue(FileManager.default.fileExists(atPath: state))

        // Purge: the rest goes too.
        result = try install(["--uninstall", "--purge", "--root", root])
        XCTAssertEqual(result.status, 0, result.output)
        for path in ["/etc/ordersync", "/var/lib/private/ordersync"] {
            XCTAssertFalse(exists(path), "\(path) is left\n\(result.output)")
        }
        XCTAssertNil(try? FileManager.default.destinationOfSymbolicLink(atPath: staged("/var/lib/ordersync")))
    }

    /// The installed unit, with its ExecStart= path resolved inside the staging root, passes
    /// `systemd-analyze verify` (see SystemdUnitTests for why the path has to be rewritten).
    private func assertStagedUnitVerifies(file: StaticString = #filePath, line: UInt = #line) throws {
        guard let analyze = findExecutable("systemd-analyze") else { return }  // SystemdUnitTests skips
        let unit = scratch.path("verify/ordersync.service")
        try FileManager.default.createDirectory(atPath: scratch.path("verify"), withIntermediateDirectories: true)
        try contents("/etc/systemd/system/ordersync.service")
            .replacingOccurrences(of: "ExecStart=/usr/local/bin/", with: "ExecStart=\(root)/usr/local/bin/")
            .write(toFile: unit, atomically: true, encoding: .utf8)
        let result = try runCommand(analyze, ["verify", "--man=no", unit])
        XCTAssertEqual(result.status, 0, result.output, file: file, line: line)
        XCTAssertEqual(result.stderr, "", result.output, file: file, line: line)
    }

    func testPrefixIsWrittenIntoTheUnit() throws {
        let result = try install(["--no-build", "--root", root, "--prefix", "/opt/ordersync"])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(exists("/opt/ordersync/bin/ordersync"))
        let unit = try contents("/etc/systemd/system/ordersync.service")
        XCTAssertTrue(unit.contains("\nExecStart=/opt/ordersync/bin/ordersync --config /etc/ordersync/config.json run\n"))
        XCTAssertTrue(unit.contains("\nDocumentation=file:///opt/ordersync/share/doc/ordersync/README.md\n"))
        XCTAssertFalse(unit.contains("/usr/local"), unit)

        let removed = try install(["--uninstall", "--root", root, "--prefix", "/opt/ordersync"])
        XCTAssertEqual(removed.status, 0, removed.output)
        XCTAssertFalse(exists("/opt/ordersync/bin/ordersync"))
    }

    func testMissingBinaryAndBadUsageFail() throws {
        try FileManager.default.removeItem(atPath: "\(repo)/.build/release/ordersync")
        let missing = try install(["--no-build", "--root", root])
        XCTAssertEqual(missing.status, 1, missing.output)
        XCTAssertTrue(missing.stderr.contains("no executable at"), missing.output)

        for arguments in [["--bogus"], ["--purge"], ["--prefix"], ["--root", "relative/dir"], ["--prefix", "/"]] {
            let result = try install(arguments + ["--dry-run"])
            XCTAssertEqual(result.status, 64, "\(arguments): \(result.output)")
        }
    }
}
