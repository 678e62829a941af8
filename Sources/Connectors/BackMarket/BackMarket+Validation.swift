import Foundation
import OrderSync

extension BackMarketSettings {
    public func validate(channel: ChannelConfig, at path: String, into problems: inout ConfigProblemList) {
        let key = { (name: String) in ConfigPath.member(path, name) }
        // Back Market: `User-Agent: BM-{Company}-{Integration};{contact email}` on every call, else 403.
        problems.checkHeaderValue(userAgent, at: key("user_agent"),
                                  emptyHint: " (Back Market requires BM-{Company}-{Integration};{email})")
        if !userAgent.trimmingWhitespace().isEmpty && !userAgent.contains(";") {
            problems.add(key("user_agent"), "must look like BM-{Company}-{Integration};{email} (no \";\" before the contact e-mail)")
        }
        let languageOK = acceptLanguage.split(separator: "-", omittingEmptySubsequences: false).enumerated().allSatisfy {
            index, part in
            let range = index == 0 ? 2...3 : 2...8
            return range.contains(part.count) && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
        }
        if !languageOK {
            problems.add(key("accept_language"), "must be a language tag such as fr-fr, en-gb or ja-jp (got \(ConfigText.quoted(acceptLanguage)))")
        }
        for (index, pattern) in imeiRequiredFor.enumerated() where pattern.isEmpty {
            problems.add(ConfigPath.index(key("imei_required_for"), index), "must not be empty")
        }
    }
}
