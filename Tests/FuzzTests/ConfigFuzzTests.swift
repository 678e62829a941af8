import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// `ConfigLoader.parse(data:)`: any bytes give a config or problems, never both and never neither; every
/// problem is one `config: <path>: <reason>` line (check-config prints one per line); a config handed out
/// passes its own validation and can be summarised.
final class ConfigFuzzTests: XCTestCase {
    struct Rejected: Error { let problems: Int }

    func testConfigLoaderSurvivesMutatedConfigs() {
        FuzzRunner.check(FuzzTarget(name: "config", format: .json, extraSeeds: FuzzSeeds.exampleConfigs) { bytes in
            let (config, problems) = ConfigLoader.parse(data: Data(bytes), sourcePath: "/etc/ordersync/config.json")
            for problem in problems {
                guard !problem.path.isEmpty, !problem.reason.isEmpty else { throw FuzzViolation("empty path or reason: \(problem)") }
                guard FuzzChecks.isOneLine(problem.description) else {
                    throw FuzzViolation("a problem spans lines or holds control characters: \(problem.description.debugDescription)")
                }
            }
            guard let config else {
                if problems.isEmpty { throw FuzzViolation("neither a config nor a problem") }
                throw Rejected(problems: problems.count)
            }
            guard problems.isEmpty else { throw FuzzViolation("a config was handed out with \(problems.count) problem(s)") }
            guard config.validate().isEmpty else { throw FuzzViolation("a config handed out fails validate()") }
            for warning in config.warnings() where !FuzzChecks.isOneLine(warning.description) {
                throw FuzzViolation("a warning spans lines: \(warning.description.debugDescription)")
            }
            _ = config.inlineSecretPaths
            for channel in config.channels {
                _ = channel.summary
                _ = channel.effectiveBaseURL()
            }
        })
    }
}
