/// A postal address as the contract prints it. Missing parts are empty strings, as channels send them.
public struct Address: Codable, Sendable, Hashable {
    public var name: String
    public var company: String
    public var line1: String
    public var line2: String
    public var postcode: String
    public var city: String
    public var state: String
    public var country: String
    public var phone: String

    public init(name: String = "", company: String = "", line1: String = "", line2: String = "",
                postcode: String = "", city: String = "", state: String = "", country: String = "", phone: String = "") {
        self.name = name; self.company = company; self.line1 = line1; self.line2 = line2
        self.postcode = postcode; self.city = city; self.state = state; self.country = country; self.phone = phone
    }

    /// True when every field is empty (channels send empty blocks for "same as billing").
    public var isEmpty: Bool {
        [name, company, line1, line2, postcode, city, state, country, phone].allSatisfy { $0.isEmpty }
    }
}

/// The buyer as the channel names them. `email` and `phone` are nil when the channel does not send them.
public struct Customer: Codable, Sendable, Hashable {
    public var name: String
    public var email: String?
    public var phone: String?

    public init(name: String, email: String?, phone: String?) {
        self.name = name; self.email = email; self.phone = phone
    }

    enum CodingKeys: String, CodingKey { case name, email, phone }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(email, forKey: .email)
        try c.encode(phone, forKey: .phone)
    }
}

/// A pickup point (relay) chosen by the buyer instead of home delivery.
public struct PickupPoint: Codable, Sendable, Hashable {
    public var id: String
    public var name: String
    public var address: Address

    public init(id: String, name: String, address: Address) {
        self.id = id; self.name = name; self.address = address
    }
}
