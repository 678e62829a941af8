import Foundation

/// Reads typed values out of the parsed JSON tree, recording a ``ConfigProblem`` for each wrong type,
/// missing key or unknown key instead of stopping. Used only by `Config+Decoding.swift`.
///
/// Where a value cannot be read the caller substitutes a placeholder and marks its path *suppressed*, so
/// that ``Config/validate()`` run on the partial config does not report the same spot twice.
public struct ConfigDecoder {
    public typealias Value = ConfigJSON.Value
    public typealias Object = ConfigJSON.Object

    private(set) var problems: [ConfigProblem] = []
    /// Paths (and everything under them) whose later validation problems are noise.
    private(set) var suppressed: Set<String> = []

    mutating func report(_ path: String, _ reason: String) {
        problems.append(ConfigProblem(path: path, reason: reason))
        suppressed.insert(path)
    }

    public mutating func suppress(_ path: String) { suppressed.insert(path) }

    /// `expected integer, got string`.
    public mutating func typeMismatch(_ path: String, expected: String, got value: Value) {
        report(path, "expected \(expected), got \(value.typeName)")
    }

    /// The value as an object, or a problem.
    public mutating func object(_ value: Value, at path: String) -> Object? {
        if case .object(let object) = value { return object }
        typeMismatch(path, expected: "object", got: value)
        return nil
    }

    /// Reports unknown and duplicate keys of `object`.
    /// - Parameter foreign: keys that belong elsewhere, mapped to a hint (`only for <type> channels`).
    public mutating func checkKeys(_ object: Object, at path: String, allowed: [String], foreign: [String: String] = [:]) {
        var seen: Set<String> = []
        let known = Set(allowed)  // maps (carriers, hosts) pass their own keys: a list search was quadratic
        for member in object.members {
            let memberPath = ConfigPath.member(path, member.key)
            if !seen.insert(member.key).inserted {
                report(memberPath, "duplicate key \(ConfigText.quoted(member.key))")
            } else if !known.contains(member.key) {
                let hint = foreign[member.key].map { " (\($0))" } ?? ConfigText.didYouMean(member.key, allowed)
                report(memberPath, "unknown key \(ConfigText.quoted(member.key))\(hint)")
            }
        }
    }

    /// The member's value, treating `null` as absent.
    public func present(_ object: Object, _ key: String) -> Value? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    /// Reports a missing required key and suppresses its path.
    public mutating func missing(_ object: Object, _ key: String, at path: String) {
        let keyPath = ConfigPath.member(path, key)
        report(keyPath, object[key] == .null ? "required key is null" : "required key is missing")
    }

    public mutating func string(_ object: Object, _ key: String, at path: String, required: Bool = false) -> String? {
        guard let value = present(object, key) else {
            if required { missing(object, key, at: path) }
            return nil
        }
        guard case .string(let text) = value else {
            typeMismatch(ConfigPath.member(path, key), expected: "string", got: value)
            return nil
        }
        return text
    }

    public mutating func int(_ object: Object, _ key: String, at path: String) -> Int? {
        guard let value = present(object, key) else { return nil }
        guard case .number(let literal) = value, let number = Int(literal) else {
            typeMismatch(ConfigPath.member(path, key), expected: "integer", got: value)
            return nil
        }
        return number
    }

    public mutating func bool(_ object: Object, _ key: String, at path: String) -> Bool? {
        guard let value = present(object, key) else { return nil }
        guard case .bool(let flag) = value else {
            typeMismatch(ConfigPath.member(path, key), expected: "boolean", got: value)
            return nil
        }
        return flag
    }

    /// A list of strings; elements of the wrong type are reported by index and skipped.
    public mutating func stringArray(_ object: Object, _ key: String, at path: String) -> [String]? {
        guard let value = present(object, key) else { return nil }
        let keyPath = ConfigPath.member(path, key)
        guard case .array(let items) = value else {
            typeMismatch(keyPath, expected: "array of strings", got: value)
            return nil
        }
        var strings: [String] = []
        for (index, item) in items.enumerated() {
            if case .string(let text) = item {
                strings.append(text)
            } else {
                typeMismatch(ConfigPath.index(keyPath, index), expected: "string", got: item)
            }
        }
        return strings
    }

    /// A string that must be one of `E`'s raw values: `must be one of eu, us, ap (got "xx")`.
    public mutating func enumValue<E: RawRepresentable & CaseIterable>(
        _ object: Object, _ key: String, at path: String, required: Bool = false
    ) -> E? where E.RawValue == String {
        choice(object, key, at: path, among: E.allCases.map(\.rawValue), required: required).flatMap(E.init(rawValue:))
    }

    /// A string that must be one of `names`; a problem naming them (and the closest) otherwise.
    public mutating func choice(_ object: Object, _ key: String, at path: String, among names: [String],
                         required: Bool = false) -> String? {
        guard let text = string(object, key, at: path, required: required) else { return nil }
        if names.contains(text) { return text }
        let suggestion = ConfigText.closestMatch(to: text, in: names).map { "; did you mean \(ConfigText.quoted($0))?" } ?? ""
        report(ConfigPath.member(path, key),
               "must be one of \(names.joined(separator: ", ")) (got \(ConfigText.quoted(text))\(suggestion))")
        return nil
    }

    /// A URL string; `must be an http or https URL` when it has no scheme or Foundation cannot parse it
    /// (scheme, host and loopback rules are checked in validation).
    public mutating func url(_ object: Object, _ key: String, at path: String, required: Bool = false) -> URL? {
        guard let text = string(object, key, at: path, required: required) else { return nil }
        return url(text, at: ConfigPath.member(path, key))
    }

    public mutating func url(_ text: String, at path: String) -> URL? {
        guard let url = URL(string: text), url.scheme != nil else {
            report(path, "must be an http or https URL (got \(ConfigText.quoted(text)))")
            return nil
        }
        return url
    }

    /// The three spellings of secret `base`: `base`, `base_file`, `base_env`.
    public static func secretKeys(_ base: String) -> [String] { [base, base + "_file", base + "_env"] }

    /// Exactly one of `base`, `base_file`, `base_env`; on failure the base path is reported and suppressed.
    public mutating func secret(_ object: Object, _ base: String, at path: String) -> SecretSource? {
        let keys = Self.secretKeys(base)
        let given = keys.filter { present(object, $0) != nil }
        let basePath = ConfigPath.member(path, base)
        guard given.count == 1, let key = given.first else {
            let found = given.isEmpty ? "none" : given.joined(separator: ", ")
            report(basePath, "exactly one of \(keys.joined(separator: ", ")) must be given (found \(found))")
            return nil
        }
        guard let text = string(object, key, at: path) else {
            suppress(basePath)
            return nil
        }
        switch key {
        case base: return .inline(Secret(text))
        case base + "_file": return .file(text)
        default: return .environment(text)
        }
    }
}
