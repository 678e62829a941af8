import Foundation
import OrderSync

extension BackMarketChannel {
    /// Back Market's validation errors name the offending fields under `data.fields`
    /// (`{"error":{"code":"E009"},"data":{"fields":{…}}}`, API notes §4): appended to the error's text as
    /// compact JSON with sorted keys, so the same body always reads the same.
    static let errorDetail: ChannelHTTP.ErrorDetail = { body in
        guard let fields = body["data"]?["fields"] else { return nil }
        switch fields {
        case .object, .array: return sortingKeys(fields).serialized
        default: return nil
        }
    }

    private static func sortingKeys(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members): .object(members.sorted { $0.0 < $1.0 }.map { ($0.0, sortingKeys($0.1)) })
        case .array(let items): .array(items.map(sortingKeys))
        default: value
        }
    }
}
