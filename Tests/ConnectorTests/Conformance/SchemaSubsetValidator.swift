import Foundation
import OrderSync
@testable import Connectors

/// The part of JSON Schema (as OpenAPI 3.0 writes it) that the spec fixtures under Tests/Fixtures/specs/ use:
/// `type` (object, array, string, integer, number, boolean), `nullable`, `enum`, `required`, `maxLength`
/// (in Unicode code points), `minProperties`, `properties` and `items`. `format` is not checked.
///
/// `required` names that the schema does not declare in `properties` are skipped (a spec fault such as
/// Back Market's `UpdateOrder.required: [id]`); ``undeclaredRequired(_:)`` lists them so a test can pin them.
/// With `strict`, an object may carry only declared properties (used for what we send: strict in sending).
struct SchemaSubsetValidator {
    var strict = false

    /// Every way `value` breaks `schema`, each as `path: reason`; empty when it validates.
    func problems(_ value: JSONValue, against schema: JSONValue, at path: String = "$") -> [String] {
        if value == .null {
            return schema["nullable"] == .bool(true) || schema["type"] == nil ? [] : ["\(path): null where \(schema["type"]?.text ?? "a value") is expected"]
        }
        if let type = schema["type"]?.text, !Self.has(value, type: type) {
            return ["\(path): expected \(type), got \(Self.describe(value))"]
        }
        var found: [String] = []
        if let allowed = schema["enum"]?.array, !allowed.contains(where: { Self.same($0, value) }) {
            found.append("\(path): \(Self.describe(value)) is not one of the \(allowed.count) allowed values")
        }
        if let limit = schema["maxLength"]?.int, case .string(let text) = value, text.unicodeScalars.count > limit {
            found.append("\(path): \(text.unicodeScalars.count) characters, more than maxLength \(limit)")
        }
        if case .object(let members) = value {
            let declared = schema["properties"]
            if let minimum = schema["minProperties"]?.int, members.count < minimum {
                found.append("\(path): \(members.count) properties, fewer than minProperties \(minimum)")
            }
            for name in schema["required"]?.array?.compactMap(\.text) ?? [] where declared?[name] != nil {
                if !members.contains(where: { $0.0 == name }) { found.append("\(path): required \(name) is missing") }
            }
            for (name, member) in members {
                if let sub = declared?[name] {
                    found += problems(member, against: sub, at: "\(path).\(name)")
                } else if strict {
                    found.append("\(path): \(name) is not a property of the schema")
                }
            }
        }
        if case .array(let items) = value, let itemSchema = schema["items"] {
            for (index, item) in items.enumerated() {
                found += problems(item, against: itemSchema, at: "\(path)[\(index)]")
            }
        }
        return found
    }

    /// `required` names the schema (and its nested objects) does not declare in `properties`.
    static func undeclaredRequired(_ schema: JSONValue) -> [String] {
        let declared = schema["properties"]
        var names = (schema["required"]?.array?.compactMap(\.text) ?? []).filter { declared?[$0] == nil }
        if case .object(let properties)? = declared {
            for (_, sub) in properties { names += undeclaredRequired(sub) }
        }
        if let items = schema["items"] { names += undeclaredRequired(items) }
        return names
    }

    static func has(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("number", .number): true
        case ("integer", .number(let text)): !text.contains(where: { ".eE".contains($0) })
        default: false
        }
    }

    /// Enum membership: numbers by value, strings by their exact Unicode scalars.
    static func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case let (.number(x), .number(y)): Decimal(string: x) == Decimal(string: y)
        case let (.string(x), .string(y)): Array(x.unicodeScalars) == Array(y.unicodeScalars)
        default: a == b
        }
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .number(let n): n
        case .string(let s): "\"\(s.prefix(60))\""
        case .array(let a): "an array of \(a.count)"
        case .object: "an object"
        }
    }
}
