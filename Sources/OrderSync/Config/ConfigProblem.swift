/// One thing wrong with a config file, located by its JSON path.
///
/// `path` is written the way a user finds the spot in the file: `state_dir`, `channels[1].token_file`,
/// `carriers.dhl.tracking_url`, `shipping_rules[0].carrier`; `$` stands for the whole file.
/// `reason` never contains a secret's value: at most the key, file name or variable name it came from.
public struct ConfigProblem: Error, CustomStringConvertible, Sendable, Hashable {
    /// JSON path of the offending key, or `$` for the whole file.
    public var path: String
    /// What is wrong, in words a user can act on.
    public var reason: String

    /// A problem at `path` (see ``path`` for the notation).
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// `config: <path>: <reason>`, the line `ordersync check-config` prints on stderr.
    public var description: String { "config: \(path): \(reason)" }
}

/// Every problem found in a config file, thrown by ``ConfigLoader/load(path:environment:)``.
///
/// The list is complete: loading does not stop at the first problem.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    /// The errors, in file order as far as possible; never empty when thrown.
    public var problems: [ConfigProblem]
    /// Advice that does not make the config invalid (see ``Config/warnings()``).
    public var warnings: [ConfigProblem]

    /// Problems and, optionally, the warnings found alongside them.
    public init(problems: [ConfigProblem], warnings: [ConfigProblem] = []) {
        self.problems = problems
        self.warnings = warnings
    }

    /// One `config: <path>: <reason>` line per problem.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// Builds the JSON paths used in ``ConfigProblem/path``.
public enum ConfigPath {
    public static let root = "$"

    /// `parent.key`; a key that is not a plain identifier is quoted: `carriers["dhl express"]`.
    public static func member(_ parent: String, _ key: String) -> String {
        let plain = !key.isEmpty && key.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (ConfigText.isLowerOrDigit(scalar) || ConfigText.isUpper(scalar)
                || scalar == "_" || scalar == "-")
        }
        if plain { return parent == root ? key : "\(parent).\(key)" }
        return "\(parent)[\(ConfigText.quoted(key))]"
    }

    /// `parent[index]`.
    public static func index(_ parent: String, _ index: Int) -> String { "\(parent)[\(index)]" }

    /// True when `path` is `prefix` or lies inside it (`channels[1]` covers `channels[1].token`).
    public static func path(_ path: String, isWithin prefix: String) -> Bool {
        guard path.hasPrefix(prefix) else { return false }
        let rest = path.dropFirst(prefix.count)
        return rest.isEmpty || rest.first == "." || rest.first == "["
    }
}

/// Text helpers for config messages and rules, namespaced so they cannot collide with other parts of the module.
public enum ConfigText {
    /// A string in double quotes with JSON escaping, for naming values and keys in reasons.
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where isControl(scalar):
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// `text` with control characters escaped (`\n`, `\u0000`) but no quotes added: for values listed
    /// unquoted in a reason, so that a problem stays one line whatever the file holds.
    public static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        let quotedText = quoted(text)
        return String(quotedText.dropFirst().dropLast())
    }

    public static func isLowerOrDigit(_ s: Unicode.Scalar) -> Bool { ("a"..."z").contains(s) || ("0"..."9").contains(s) }
    static func isUpper(_ s: Unicode.Scalar) -> Bool { ("A"..."Z").contains(s) }
    /// C0 controls, DEL and C1 controls (U+0080–U+009F: `U+009B` is a terminal's CSI).
    public static func isControl(_ s: Unicode.Scalar) -> Bool { s.value < 0x20 || (0x7F...0x9F).contains(s.value) }

    /// `[a-z0-9-]+`: channel ids and carrier keys.
    public static func isIdentifier(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { isLowerOrDigit($0) || $0 == "-" }
    }

    /// True when `text` has a line break, NUL or another control character (unsafe in an HTTP header).
    public static func hasControlCharacter(_ text: String) -> Bool { text.unicodeScalars.contains(where: isControl) }

    /// Levenshtein distance, for "did you mean" suggestions on short keys.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// The candidate closest to `word` within edit distance 2 (and closer than a full rewrite of it);
    /// failing that, the only candidate that `word` abbreviates or extends (`warn` → `warning`).
    public static func closestMatch(to word: String, in candidates: some Sequence<String>) -> String? {
        var best: (candidate: String, distance: Int)?
        var prefixMatches: [String] = []
        let wordLength = word.count
        for candidate in candidates where candidate != word {
            let candidateLength = candidate.count
            if wordLength >= 3, candidateLength >= 3, candidate.hasPrefix(word) || word.hasPrefix(candidate) {
                prefixMatches.append(candidate)
            }
            // The distance is at least the difference in length: skip the quadratic computation when that
            // already rules the candidate out (a 90 KB mistyped key took seconds).
            guard abs(wordLength - candidateLength) <= 2 else { continue }
            let distance = editDistance(word, candidate)
            guard distance <= 2, distance < candidate.count else { continue }
            if best == nil || distance < best!.distance { best = (candidate, distance) }
        }
        return best?.candidate ?? (prefixMatches.count == 1 ? prefixMatches[0] : nil)
    }

    /// ` (did you mean "x"?)` or the empty string.
    public static func didYouMean(_ word: String, _ candidates: some Sequence<String>) -> String {
        closestMatch(to: word, in: candidates).map { " (did you mean \(quoted($0))?)" } ?? ""
    }

    /// `a, b or c`.
    public static func list(_ items: [String], last: String = "or") -> String {
        items.count <= 1 ? items.joined() : items.dropLast().joined(separator: ", ") + " \(last) " + items.last!
    }
}
