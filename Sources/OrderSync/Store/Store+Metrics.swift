import Foundation

extension Store {
    /// Orders per channel and status: `[channel: [status: count]]`.
    public func orderCountsByStatus() throws -> [String: [String: Int]] {
        try grouped("SELECT channel, status AS key, COUNT(*) AS n FROM orders GROUP BY channel, status")
    }

    /// Jobs per channel and state: `[channel: [state: count]]`.
    public func jobCountsByState() throws -> [String: [String: Int]] {
        try grouped("SELECT channel, state AS key, COUNT(*) AS n FROM jobs GROUP BY channel, state")
    }

    private func grouped(_ sql: String) throws -> [String: [String: Int]] {
        var result: [String: [String: Int]] = [:]
        for row in try db.query(sql) {
            result[row.string("channel") ?? "", default: [:]][row.string("key") ?? ""] = row.int("n") ?? 0
        }
        return result
    }
}
