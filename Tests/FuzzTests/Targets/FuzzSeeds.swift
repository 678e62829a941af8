import Foundation

/// Seeds that live outside `Tests/Fixtures/fuzz/<target>/`: the example configs, the channels' own
/// fixtures and the other targets' seeds (a JSON parser should see every JSON we have).
enum FuzzSeeds {
    /// The package root, found from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Every file in `relativeDirectory` whose name ends with `.ext`, sorted; none when the directory is absent.
    static func files(in relativeDirectory: String, ext: String) -> [[UInt8]] {
        let dir = root.appendingPathComponent(relativeDirectory, isDirectory: true)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
        return names.filter { $0.hasSuffix("." + ext) }.compactMap {
            FileManager.default.contents(atPath: dir.appendingPathComponent($0).path).map { Array($0) }
        }
    }

    /// `Config/*.json`: the configs users copy.
    static var exampleConfigs: [[UInt8]] { files(in: "Config", ext: "json") }

    /// The `seed-*` files of another fuzz target.
    static func seeds(of target: String) -> [[UInt8]] {
        FuzzRunner.files(target, prefixes: ["seed-"]).map(\.bytes)
    }
}
