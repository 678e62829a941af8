import Foundation
import OrderSync

extension SpartooSettings {
    /// The type's own keys from `channels[N]` (`path`); problems go to `decoder`.
    static func decode(_ object: ConfigJSON.Object, at path: String, _ decoder: inout ConfigDecoder) -> SpartooSettings {
        let partnerID = decoder.secret(object, "partner_id", at: path) ?? .inline(Secret(""))
        var hosts: [String: URL] = [:]
        let hostsPath = ConfigPath.member(path, "hosts")
        if let value = decoder.present(object, "hosts"), let map = decoder.object(value, at: hostsPath) {
            decoder.checkKeys(map, at: hostsPath, allowed: map.members.map(\.key))
            for member in map.members where hosts[member.key] == nil {
                let memberPath = ConfigPath.member(hostsPath, member.key)
                guard case .string(let text) = member.value else {
                    decoder.typeMismatch(memberPath, expected: "string", got: member.value)
                    continue
                }
                if let url = decoder.url(text, at: memberPath) { hosts[member.key] = url }
            }
        }
        return SpartooSettings(
            partnerID: partnerID, sites: decoder.stringArray(object, "sites", at: path) ?? SpartooSettings.defaultSites,
            hosts: hosts, fetchSlips: decoder.bool(object, "fetch_slips", at: path) ?? false,
            aftersaleDays: decoder.int(object, "aftersale_days", at: path) ?? SpartooSettings.defaultAftersaleDays)
    }
}
