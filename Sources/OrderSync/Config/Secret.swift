/// A credential that cannot leak by accident.
///
/// `description`, `debugDescription`, `dump` and `Encodable` all produce `<redacted>`; the only way
/// to the value is ``reveal()``, which should appear where a request is built and nowhere else.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable, Encodable
{
    private let value: String

    /// Wraps a value; it is never printed from here on.
    public init(_ value: String) { self.value = value }

    /// The credential itself. Call it only to put the value on the wire.
    public func reveal() -> String { value }

    /// True for the empty string (a config error when it comes from the file).
    public var isEmpty: Bool { value.isEmpty }

    /// Always `<redacted>`.
    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    /// No children, so `dump` and reflection print only `<redacted>`.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: nil) }

    /// Encodes as the string `"<redacted>"`: status files and debug dumps stay secret-free.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode("<redacted>")
    }
}

/// Where a secret comes from: the config key `X` (inline), `X_file` (a path) or `X_env` (a variable name).
///
/// Resolving reads files and the environment, so it happens after validation, never while parsing.
public enum SecretSource: Sendable, Hashable, CustomStringConvertible {
    /// Written in the config file itself (then the file should be `chmod 600`).
    case inline(Secret)
    /// A path; one trailing newline is stripped. `${CREDENTIALS_DIRECTORY}` and `$CREDENTIALS_DIRECTORY`
    /// are expanded (systemd `LoadCredential=`).
    case file(String)
    /// The name of an environment variable.
    case environment(String)

    /// The suffix the variant has in the config file: `""`, `"_file"` or `"_env"`.
    public var keySuffix: String {
        switch self {
        case .inline: ""
        case .file: "_file"
        case .environment: "_env"
        }
    }

    /// `inline`, `file PATH` or `env NAME`: never the value.
    public var description: String {
        switch self {
        case .inline: "inline"
        case .file(let path): "file \(path)"
        case .environment(let name): "env \(name)"
        }
    }

    /// Reads the secret.
    ///
    /// - Parameters:
    ///   - environment: the process environment (injected for tests).
    ///   - path: the JSON path of the secret without suffix (`channels[0].token`); the thrown problem's path
    ///     carries the variant's suffix (`channels[0].token_file`).
    /// - Throws: a ``ConfigProblem`` naming the file or variable, never its content, when the file is unreadable
    ///   or empty, the variable unset or empty, or the value holds a line break or control character.
    /// - Returns: the value; not cached, so a rotated file is picked up by the next call.
    public func resolve(environment: [String: String], path: String = "secret") throws(ConfigProblem) -> Secret {
        let problemPath = path + keySuffix
        let value: String
        switch self {
        case .inline(let secret):
            value = secret.reveal()
            if value.isEmpty { throw ConfigProblem(path: problemPath, reason: "must not be empty") }
        case .file(let rawPath):
            let filePath: String
            switch Self.expandCredentialsDirectory(rawPath, environment: environment) {
            case .success(let expanded): filePath = expanded
            case .failure(let problem): throw ConfigProblem(path: problemPath, reason: problem.reason)
            }
            switch ConfigFiles.readFile(filePath) {
            case .failure(let failure):
                throw ConfigProblem(path: problemPath, reason: "cannot read \(ConfigText.quoted(filePath)): \(failure.reason)")
            case .success(let bytes):
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    throw ConfigProblem(path: problemPath, reason: "file \(ConfigText.quoted(filePath)) is not UTF-8 text")
                }
                value = Self.strippingOneTrailingNewline(text)
                if value.isEmpty {
                    throw ConfigProblem(path: problemPath, reason: "file \(ConfigText.quoted(filePath)) is empty")
                }
            }
        case .environment(let name):
            guard let found = environment[name] else {
                throw ConfigProblem(path: problemPath, reason: "environment variable \(ConfigText.quoted(name)) is not set")
            }
            if found.isEmpty {
                throw ConfigProblem(path: problemPath, reason: "environment variable \(ConfigText.quoted(name)) is empty")
            }
            value = found
        }
        if ConfigText.hasControlCharacter(value) {
            throw ConfigProblem(path: problemPath, reason: "\(origin) contains a line break or control character")
        }
        return Secret(value)
    }

    private var origin: String {
        switch self {
        case .inline: "the value"
        case .file(let path): "file \(ConfigText.quoted(path))"
        case .environment(let name): "environment variable \(ConfigText.quoted(name))"
        }
    }

    static let credentialsVariable = "CREDENTIALS_DIRECTORY"

    /// True when the path starts with `${CREDENTIALS_DIRECTORY}` or `$CREDENTIALS_DIRECTORY`.
    static func usesCredentialsDirectory(_ path: String) -> Bool {
        path.hasPrefix("${\(credentialsVariable)}") || path.hasPrefix("$\(credentialsVariable)/")
            || path == "$\(credentialsVariable)"
    }

    /// Replaces `${CREDENTIALS_DIRECTORY}` and `$CREDENTIALS_DIRECTORY` (not followed by a name character).
    static func expandCredentialsDirectory(
        _ path: String, environment: [String: String]
    ) -> Result<String, ConfigProblem> {
        let braced = "${\(credentialsVariable)}", bare = "$\(credentialsVariable)"
        guard path.contains(bare) || path.contains(braced) else { return .success(path) }
        guard let directory = environment[credentialsVariable], !directory.isEmpty else {
            return .failure(ConfigProblem(path: "", reason:
                "$\(credentialsVariable) is not set (systemd sets it for LoadCredential=)"))
        }
        // `$CREDENTIALS_DIRECTORY_X` names another variable: only replace the bare form at a name boundary.
        var result = ""
        var rest = Substring(path)
        while !rest.isEmpty {
            if rest.hasPrefix(braced) {
                result += directory
                rest = rest.dropFirst(braced.count)
            } else if rest.hasPrefix(bare), !(rest.dropFirst(bare.count).first.map(isNameCharacter) ?? false) {
                result += directory
                rest = rest.dropFirst(bare.count)
            } else {
                result.append(rest.removeFirst())
            }
        }
        return .success(result)
    }

    private static func isNameCharacter(_ c: Character) -> Bool { c == "_" || (c.isASCII && (c.isLetter || c.isNumber)) }

    /// `"abc\n"` → `"abc"`, `"abc\r\n"` → `"abc"`; only one line ending goes.
    static func strippingOneTrailingNewline(_ text: String) -> String {
        // Swift treats "\r\n" as one Character, so one removeLast drops either ending.
        var text = text
        if let last = text.last, last == "\n" || last == "\r\n" { text.removeLast() }
        return text
    }
}

/// A channel's credentials after resolution, keyed by channel id in ``Config/resolvedSecrets(environment:)``.
/// Each secret is under its config key name (`token`, `consumer_key`), as the type's settings list them.
public struct ChannelSecrets: Sendable, Hashable {
    public var values: [String: Secret]

    public init(_ values: [String: Secret]) { self.values = values }

    /// The secret read for config key `key`.
    public subscript(key: String) -> Secret? { values[key] }
}
