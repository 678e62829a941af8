import Foundation
import XCTest

/// What a finished child process left behind.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
    /// stdout and stderr together, for failure messages.
    var output: String { "status \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
}

/// Runs `executable` (an absolute path) to completion. Output goes through temporary files, not pipes,
/// so a chatty child cannot fill a pipe buffer and deadlock the test.
func runCommand(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                in directory: URL? = nil) throws -> CommandResult {
    let scratch = try TemporaryDirectory()
    let outURL = scratch.url.appendingPathComponent("stdout")
    let errURL = scratch.url.appendingPathComponent("stderr")
    try Data().write(to: outURL)
    try Data().write(to: errURL)
    let out = try FileHandle(forWritingTo: outURL)
    let err = try FileHandle(forWritingTo: errURL)
    defer { try? out.close(); try? err.close() }

    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    if let directory { process.currentDirectoryURL = directory }
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = out
    process.standardError = err
    try process.run()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus,
                         stdout: try String(contentsOf: outURL, encoding: .utf8),
                         stderr: try String(contentsOf: errURL, encoding: .utf8))
}

/// The absolute path of a tool found on `$PATH` or in the sbin/bin directories (logrotate lives in
/// /usr/sbin, which a non-root `$PATH` often lacks), or `nil`.
func findExecutable(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    let directories = path.split(separator: ":").map(String.init) + ["/usr/local/sbin", "/usr/local/bin",
                                                                     "/usr/sbin", "/usr/bin", "/sbin", "/bin"]
    return directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// `findExecutable(name)`, or an `XCTSkip` naming the tool when it is not installed.
func requireExecutable(_ name: String) throws -> String {
    guard let found = findExecutable(name) else {
        throw XCTSkip("\(name) is not installed (.ci/deploy-checks.sh installs it)")
    }
    return found
}

/// The repository checkout these tests belong to (…/Tests/DeployTests/Support/Command.swift → …).
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// `deploy/NAME` in the checkout.
func deployFile(_ name: String) -> URL {
    repositoryRoot.appendingPathComponent("deploy").appendingPathComponent(name)
}

/// A fresh directory under the system temp dir, removed when the value is deinitialized.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("ordersync-deploy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// `url/relative`, as a path string.
    func path(_ relative: String) -> String { url.appendingPathComponent(relative).path }
}
