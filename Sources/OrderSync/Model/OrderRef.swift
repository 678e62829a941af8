/// A reference to one order: `CHANNEL_ID:EXTERNAL_ID` (e.g. `bm-eu:40012345`).
/// The external id may itself contain `:` or `/`; only the first `:` separates.
public struct OrderRef: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public let channel: String
    public let externalID: String

    public init(channel: String, externalID: String) {
        self.channel = channel
        self.externalID = externalID
    }

    /// Parses `CHANNEL:EXTERNAL`; nil when either part is empty.
    public init?(parsing text: String) {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let channel = String(text[..<colon])
        let external = String(text[text.index(after: colon)...])
        guard !channel.isEmpty, !external.isEmpty else { return nil }
        self.init(channel: channel, externalID: external)
    }

    public var description: String { "\(channel):\(externalID)" }

    public static func < (lhs: OrderRef, rhs: OrderRef) -> Bool { lhs.description < rhs.description }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let ref = OrderRef(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "invalid order ref"))
        }
        self = ref
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
