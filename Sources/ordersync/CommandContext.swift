import Foundation
import OrderSync

/// What every command gets: the config path, the environment and its parsed arguments; opens the
/// config and the database on demand.
struct CommandContext {
    let configPath: String
    let environment: [String: String]
    let args: ParsedArguments

    /// The config, validated. Secrets are not read: commands other than `run` and `check-config` need none
    /// (and the ops user may not be allowed to read them).
    func config() throws -> Config {
        let (config, problems) = ConfigLoader.parse(path: configPath)
        if let config, problems.isEmpty { return config }
        throw UserError(.config, problems.map(\.description).joined(separator: "\n"))
    }

    func store(_ config: Config) throws -> Store {
        let path = Store.path(inStateDir: config.stateDir)
        guard FileManager.default.fileExists(atPath: path) else {
            throw UserError(.tempFailure, "no database at \(path) yet: start `ordersync run` once (state_dir \(config.stateDir))")
        }
        return try Store(path: path)
    }

    func operations() throws -> Operations {
        let config = try config()
        return Operations(config: config, store: try store(config))
    }

    func out(_ text: String) { Console.out(text) }

    static func jsonLine<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Prints rows as left-aligned columns.
    func table(_ header: [String], _ rows: [[String]]) {
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i == cells.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        out(line(header))
        rows.forEach { out(line($0)) }
    }
}
