import Foundation
import OrderSync

extension WooCommerceSettings {
    public func validate(channel: ChannelConfig, at path: String, into problems: inout ConfigProblemList) {
        let statusesPath = ConfigPath.member(path, "statuses")
        if statuses.isEmpty { problems.add(statusesPath, "must list at least one status") }
        var seen: Set<String> = []
        for (index, status) in statuses.enumerated() {
            let statusPath = ConfigPath.index(statusesPath, index)
            if status.trimmingWhitespace().isEmpty {
                problems.add(statusPath, "must not be empty")
            } else if Self.forbiddenStatuses.contains(status) {
                problems.add(statusPath, "\(ConfigText.quoted(status)) is never imported (drafts and trash are skipped)")
            } else if status.hasPrefix("wc-") {
                problems.add(statusPath, "write \(ConfigText.quoted(String(status.dropFirst(3)))) without the \"wc-\" prefix")
            } else if !seen.insert(status).inserted {
                problems.add(statusPath, "duplicate status \(ConfigText.quoted(status))")
            }
        }
    }
}
