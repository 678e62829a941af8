import Foundation
import OrderSync

extension SpartooSettings {
    public func validate(channel: ChannelConfig, at path: String, into problems: inout ConfigProblemList) {
        let sitesPath = ConfigPath.member(path, "sites")
        if sites.isEmpty { problems.add(sitesPath, "must list at least one site") }
        var seen: Set<String> = []
        for (index, site) in sites.enumerated() {
            let sitePath = ConfigPath.index(sitesPath, index)
            if site.count != 2 || !site.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) }) {
                problems.add(sitePath, "must be a 2-letter lowercase site code such as fr or es (got \(ConfigText.quoted(site)))")
            } else if !seen.insert(site).inserted {
                problems.add(sitePath, "duplicate site \(ConfigText.quoted(site))")
            }
        }
        let hostsPath = ConfigPath.member(path, "hosts")
        for (site, url) in hosts.sorted(by: { $0.key < $1.key }) {
            let hostPath = ConfigPath.member(hostsPath, site)
            if !sites.contains(site) {
                problems.add(hostPath, "site \(ConfigText.quoted(site)) is not in sites (\(sites.map(ConfigText.printable).joined(separator: ", ")))")
            }
            problems.checkAPIURL(url, at: hostPath)
        }
        if !Self.aftersaleDaysRange.contains(aftersaleDays) {
            problems.add(ConfigPath.member(path, "aftersale_days"), "must be between \(Self.aftersaleDaysRange.lowerBound) "
                + "and \(Self.aftersaleDaysRange.upperBound) days (got \(aftersaleDays))")
        }
    }
}
