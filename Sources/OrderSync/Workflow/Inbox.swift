import Foundation

/// Watches `inbox_dir` for `*.csv` shipment files. A file is taken once it is complete: unchanged (size
/// and modification time) for `settleSeconds`, which also covers files renamed in whole. Each file is
/// imported like `import-shipments`, then moved to `done/`, or to `rejected/` beside a `.errors` file
/// naming each bad line. A crash mid-file loses nothing and duplicates nothing: the file stays in the
/// inbox until it is moved, and re-importing it queues no shipment twice.
public struct Inbox: Service {
    public let directory: String
    public let operations: Operations
    public let logger: Logger
    public let settleSeconds: TimeInterval
    public let scanInterval: TimeInterval

    public init(directory: String, operations: Operations, logger: Logger, settleSeconds: TimeInterval = 3,
                scanInterval: TimeInterval = 1) {
        self.directory = directory; self.operations = operations; self.logger = logger
        self.settleSeconds = settleSeconds; self.scanInterval = scanInterval
    }

    /// Scans until cancelled; cancellation is a normal stop.
    public func run() async throws {
        do {
            for sub in ["", "done", "rejected"] {
                try FileManager.default.createDirectory(atPath: (directory as NSString).appendingPathComponent(sub),
                                                        withIntermediateDirectories: true)
            }
        } catch {
            logger.error("inbox unavailable", ["dir": .string(directory), "error": .string(error.localizedDescription)])
        }
        var seen: [String: (size: UInt64, modified: Date, since: Date)] = [:]
        var throttle = ErrorThrottle(interval: 300)
        while !Task.isCancelled {
            do {
                seen = try scan(seen)
            } catch {
                if throttle.shouldLog("\(error)") { logger.error("inbox scan failed", ["error": .string("\(error)")]) }
            }
            do { try await sleep(seconds: scanInterval) } catch { return }
        }
    }

    /// One scan: processes files that have settled; returns the updated observation table.
    func scan(_ previous: [String: (size: UInt64, modified: Date, since: Date)], now: Date = Date()) throws
        -> [String: (size: UInt64, modified: Date, since: Date)] {
        var next: [String: (size: UInt64, modified: Date, since: Date)] = [:]
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.lowercased().hasSuffix(".csv") && !$0.hasPrefix(".") }.sorted()
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  (attributes[.type] as? FileAttributeType) == .typeRegular else { continue }
            let size = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
            let modified = attributes[.modificationDate] as? Date ?? now
            if let before = previous[name], before.size == size, before.modified == modified {
                if now.timeIntervalSince(before.since) >= settleSeconds, now.timeIntervalSince(modified) >= settleSeconds {
                    try process(name: name, path: path)
                    continue
                }
                next[name] = before
            } else {
                next[name] = (size, modified, now)
            }
        }
        return next
    }

    /// Imports one settled file and moves it.
    public func process(name: String, path: String) throws {
        let importer = ShipmentImport(operations: operations)
        var errors: [String]
        var result = ShipmentImport.Result()
        do {
            result = try importer.run(path: path, displayName: name)
            errors = result.rejected
        } catch let error as UserError where error.code == .dataError {
            errors = [error.message]
        }
        let stamp = Timestamp.format(Date()).replacingOccurrences(of: ":", with: "")
        let targetName = "\(stamp)-\(name)"
        if errors.isEmpty {
            try move(path, to: "done", as: targetName)
            logger.info("inbox file imported", ["file": .string(name), "queued": .int(result.queued),
                                                "already_queued": .int(result.alreadyQueued)])
        } else {
            try FileManager.default.createDirectory(atPath: (directory as NSString).appendingPathComponent("rejected"),
                                                    withIntermediateDirectories: true)
            let errorsPath = (directory as NSString).appendingPathComponent("rejected/\(targetName).errors")
            try (errors.joined(separator: "\n") + "\n").write(toFile: errorsPath, atomically: true, encoding: .utf8)
            try move(path, to: "rejected", as: targetName)
            logger.error("inbox file had rejected rows", ["file": .string(name), "queued": .int(result.queued),
                                                          "rejected": .int(errors.count),
                                                          "errors_file": .string("rejected/\(targetName).errors")])
        }
    }

    private func move(_ path: String, to sub: String, as name: String) throws {
        try FileManager.default.createDirectory(atPath: (directory as NSString).appendingPathComponent(sub),
                                                withIntermediateDirectories: true)
        let target = (directory as NSString).appendingPathComponent("\(sub)/\(name)")
        guard rename(path, target) == 0 else {
            throw UserError(.tempFailure, "cannot move \(path) to \(target): \(String(cString: strerror(errno)))")
        }
    }
}
