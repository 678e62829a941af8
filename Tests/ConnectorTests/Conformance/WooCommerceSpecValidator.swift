import Foundation

/// A subset of JSON Schema as WordPress's REST controllers write it, for checking WooCommerce requests
/// and replies against the fixtures in `Tests/Fixtures/specs/woocommerce/`: `type` (one name or a list,
/// with WordPress's `date-time`, `date`, `url`, `mixed`), `enum`, nested `properties` and `items`, and
/// for requests: no read-only property, no property the schema does not name, `required` present.
/// A reply may carry properties the schema does not name (WordPress adds `_links`; plugins add fields).
struct WooCommerceSpecValidator {
    enum Mode { case request, reply }

    /// A fixture file by name (`orders`, `order-notes`, `refunds`, `shipment-tracking`).
    static func fixture(_ name: String) throws -> [String: Any] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/specs/woocommerce/\(name).json")
        guard let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return object
    }

    let schema: [String: Any]
    var mode: Mode
    var required: [String] = []
    /// Values an `enum` also admits at this store (statuses registered by plugins), by property path.
    var extraEnum: [String: [String]] = [:]

    /// Every way `value` departs from the schema, each naming its JSON path; empty when it conforms.
    func problems(_ value: Any, path: String = "$") -> [String] {
        var found = check(value, schema, path: path)
        if mode == .request, let object = value as? [String: Any] {
            found += required.filter { object[$0] == nil }.map { "\(path).\($0): required, missing" }
        }
        return found
    }

    private func check(_ value: Any, _ schema: [String: Any], path: String) -> [String] {
        if let types = typeNames(schema["type"]), !types.contains(where: { Self.matches(value, type: $0) }) {
            return ["\(path): \(Self.describe(value)) is not \(types.joined(separator: " or "))"]
        }
        var found: [String] = []
        if let allowed = schema["enum"] as? [String], let text = value as? String {
            let admitted = allowed + (extraEnum[Self.enumKey(path)] ?? [])
            if !admitted.contains(text) { found.append("\(path): \"\(text)\" is not one of \(admitted)") }
        }
        if let object = value as? [String: Any], let properties = schema["properties"] as? [String: Any] {
            for (key, member) in object.sorted(by: { $0.key < $1.key }) {
                guard let sub = properties[key] as? [String: Any] else {
                    if mode == .request { found.append("\(path).\(key): not a property of the schema") }
                    continue
                }
                if mode == .request, sub["readonly"] as? Bool == true {
                    found.append("\(path).\(key): read-only, must not be sent")
                }
                found += check(member, sub, path: "\(path).\(key)")
            }
        }
        if let array = value as? [Any], let items = schema["items"] as? [String: Any] {
            for (index, element) in array.enumerated() { found += check(element, items, path: "\(path)[\(index)]") }
        }
        return found
    }

    private func typeNames(_ raw: Any?) -> [String]? {
        if let one = raw as? String { return [one] }
        return raw as? [String]
    }

    /// `$.line_items[3].status` → `line_items.status`: the key `extraEnum` is given by.
    static func enumKey(_ path: String) -> String {
        path.replacingOccurrences(of: "\\[[0-9]+\\]", with: "", options: .regularExpression)
            .split(separator: ".").dropFirst().joined(separator: ".")
    }

    static func matches(_ value: Any, type: String) -> Bool {
        switch type {
        case "mixed": return true
        case "null": return value is NSNull
        case "string", "url": return value is String
        case "date-time", "date": return value is String || value is NSNull
        case "boolean": return (value as? NSNumber).map(isBool) ?? false
        case "integer":
            guard let number = value as? NSNumber, !isBool(number) else { return false }
            return number.doubleValue == number.doubleValue.rounded()
        case "number": return (value as? NSNumber).map { !isBool($0) } ?? false
        case "array": return value is [Any]
        case "object": return value is [String: Any]
        default: return false
        }
    }

    private static func isBool(_ number: NSNumber) -> Bool { String(cString: number.objCType) == "c" }

    private static func describe(_ value: Any) -> String {
        switch value {
        case is NSNull: return "null"
        case let text as String: return "string \"\(text.prefix(40))\""
        case let number as NSNumber: return isBool(number) ? "boolean" : "number \(number)"
        case is [Any]: return "array"
        case is [String: Any]: return "object"
        default: return "\(type(of: value))"
        }
    }
}
