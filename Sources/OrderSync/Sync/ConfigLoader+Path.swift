import Foundation

extension ConfigLoader {
    /// Reads and validates the file at `path` without reading any secret (for commands that need none).
    public static func parse(path: String) -> (Config?, [ConfigProblem]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            return (nil, [ConfigProblem(path: "$", reason: "cannot read config file \(path)")])
        }
        return parse(data: data, sourcePath: path)
    }
}
