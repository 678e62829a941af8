import Foundation

/// `mirror`: the store as the fulfilment desk. Each accepted order of a `from` channel is copied into the
/// `store` channel once, and the fulfilment entered there is pushed back (see README "Fulfil everything in
/// your store").
public struct MirrorConfig: Sendable, Equatable {
    /// The store status a new mirror gets.
    public enum Status: String, Sendable, CaseIterable { case processing, onHold = "on-hold" }
    /// Whether the buyer's e-mail is copied into the mirror.
    public enum CustomerEmail: String, Sendable, CaseIterable { case omit, forward }

    /// `store` (required): id of a channel whose type can hold mirrors (``ChannelCapabilities/holdsMirrors``).
    public var store: String
    /// `from` as written; nil means every channel with an acceptance step (see ``sourceChannels(in:)``).
    public var from: [String]?
    /// `status` (default `processing`).
    public var status: Status
    /// `customer_email` (default `omit`): marketplaces forbid contacting their buyers directly.
    public var customerEmail: CustomerEmail

    /// The keys of the `mirror` object.
    static let keys = ["store", "from", "status", "customer_email"]

    public init(store: String, from: [String]? = nil, status: Status = .processing, customerEmail: CustomerEmail = .omit) {
        self.store = store; self.from = from; self.status = status; self.customerEmail = customerEmail
    }

    /// The ids of the channels whose orders are mirrored: `from`, else every enabled channel with an
    /// acceptance step, in config order.
    public func sourceChannels(in config: Config) -> [String] {
        if let from { return from }
        return config.channels.filter { $0.hasAcceptStep && $0.enabled && $0.id != store }.map(\.id)
    }

    /// One line for `check-config`: `mirror: bm-eu, sp -> shop (processing, buyer e-mail omitted)`.
    public func summary(in config: Config) -> String {
        let email = customerEmail == .omit ? "buyer e-mail omitted" : "buyer e-mail forwarded"
        return "mirror: \(sourceChannels(in: config).joined(separator: ", ")) -> \(store) (\(status.rawValue), \(email))"
    }

    /// Every rule `mirror` breaks, paths under `mirror`. Pure.
    func validate(channels: [ChannelConfig], into problems: inout ConfigProblemList) {
        let ids = channels.map(\.id).filter { !$0.isEmpty }
        let hosts = ChannelRegistry.definitions.filter(\.capabilities.holdsMirrors).map(\.type.rawValue)
        let hostList = hosts.isEmpty ? "none in this build" : ConfigText.list(hosts)
        if let channel = channels.first(where: { $0.id == store }) {
            if !channel.type.definition.capabilities.holdsMirrors {
                problems.add("mirror.store", "channel \(ConfigText.quoted(store)) is a \(channel.type.rawValue) channel; "
                    + "the store must be a channel of type \(hostList)")
            } else if !channel.enabled {
                problems.add("mirror.store", "channel \(ConfigText.quoted(store)) is disabled; enable it or remove mirror")
            }
        } else {
            let storeIDs = channels.filter { $0.type.definition.capabilities.holdsMirrors && !$0.id.isEmpty }.map(\.id)
            problems.add("mirror.store", "unknown channel \(ConfigText.quoted(store)) (expected the id of a \(hostList) channel: "
                + "\(storeIDs.isEmpty ? "none configured" : storeIDs.map(ConfigText.printable).joined(separator: ", ")))"
                + ConfigText.didYouMean(store, storeIDs))
        }
        guard let from else { return }
        if from.isEmpty { problems.add("mirror.from", "must list at least one channel (or leave it out for every marketplace channel)") }
        var seen: Set<String> = []
        for (index, id) in from.enumerated() {
            let path = ConfigPath.index("mirror.from", index)
            guard let channel = channels.first(where: { $0.id == id }) else {
                problems.add(path, "unknown channel \(ConfigText.quoted(id))\(ConfigText.didYouMean(id, ids))")
                continue
            }
            if !seen.insert(id).inserted {
                problems.add(path, "channel \(ConfigText.quoted(id)) is listed twice")
            } else if channel.type.definition.capabilities.holdsMirrors || id == store {
                problems.add(path, "channel \(ConfigText.quoted(id)) is a \(channel.type.rawValue) channel: a store's own "
                    + "orders are not mirrored; list marketplace channels only")
            } else if !channel.hasAcceptStep {
                problems.add(path, "channel \(ConfigText.quoted(id)) (\(channel.type.rawValue)) cannot be mirrored: only "
                    + "marketplace channels with an acceptance step are")
            }
        }
    }
}

extension ConfigDecoding {
    static func decodeMirror(_ root: Object, _ decoder: inout ConfigDecoder) -> MirrorConfig? {
        guard let value = decoder.present(root, "mirror"), let object = decoder.object(value, at: "mirror") else { return nil }
        decoder.checkKeys(object, at: "mirror", allowed: MirrorConfig.keys)
        var mirror = MirrorConfig(store: decoder.string(object, "store", at: "mirror", required: true) ?? "")
        if mirror.store.isEmpty { decoder.suppress("mirror.store") }
        mirror.from = decoder.stringArray(object, "from", at: "mirror")
        mirror.status = decoder.enumValue(object, "status", at: "mirror") ?? .processing
        mirror.customerEmail = decoder.enumValue(object, "customer_email", at: "mirror") ?? .omit
        return mirror
    }
}
