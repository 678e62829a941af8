import OrderSync

/// A small command-line parser shaped like swift-argument-parser's model: each command declares its
/// flags, options (possibly repeated) and positional arguments; anything else is a usage error (exit 64).
struct CommandSpec {
    var name: String
    var summary: String
    var usage: String
    var flags: Set<String> = []
    var options: Set<String> = []
    var repeatable: Set<String> = []
    var positionals: [String] = []
    var optionalPositionals = 0
}

/// Parsed arguments of one command.
struct ParsedArguments {
    var flags: Set<String> = []
    var options: [String: [String]] = [:]
    var positionals: [String] = []

    func flag(_ name: String) -> Bool { flags.contains(name) }
    func option(_ name: String) -> String? { options[name]?.last }
    func all(_ name: String) -> [String] { options[name] ?? [] }
}

enum ArgumentParser {
    /// Splits `--config PATH` (anywhere before the command) from the rest.
    static func global(_ args: [String]) throws -> (config: String?, rest: [String]) {
        var config: String?
        var rest: [String] = []
        var i = 0
        var commandSeen = false
        while i < args.count {
            let arg = args[i]
            if arg == "--config" {
                guard i + 1 < args.count else { throw UserError(.usage, "--config needs a path") }
                config = args[i + 1]
                i += 2
                continue
            }
            if arg.hasPrefix("--config=") {
                config = String(arg.dropFirst("--config=".count))
                i += 1
                continue
            }
            if !commandSeen, !arg.hasPrefix("-") { commandSeen = true }
            rest.append(arg)
            i += 1
        }
        return (config, rest)
    }

    static func parse(_ args: [String], spec: CommandSpec) throws -> ParsedArguments {
        var parsed = ParsedArguments()
        var i = 0
        func usage(_ message: String) -> UserError {
            UserError(.usage, "\(spec.name): \(message)\nusage: \(spec.usage)")
        }
        while i < args.count {
            var arg = args[i]
            var inlineValue: String?
            if arg.hasPrefix("--"), let eq = arg.firstIndex(of: "=") {
                inlineValue = String(arg[arg.index(after: eq)...])
                arg = String(arg[..<eq])
            }
            if arg == "--" {
                parsed.positionals += args[(i + 1)...]
                break
            }
            if arg.hasPrefix("--") {
                let name = String(arg.dropFirst(2))
                if spec.flags.contains(name) {
                    guard inlineValue == nil else { throw usage("--\(name) takes no value") }
                    parsed.flags.insert(name)
                } else if spec.options.contains(name) || spec.repeatable.contains(name) {
                    let value: String
                    if let inlineValue {
                        value = inlineValue
                    } else {
                        guard i + 1 < args.count else { throw usage("--\(name) needs a value") }
                        i += 1
                        value = args[i]
                    }
                    if !spec.repeatable.contains(name), parsed.options[name] != nil {
                        throw usage("--\(name) given twice")
                    }
                    parsed.options[name, default: []].append(value)
                } else {
                    throw usage("unknown option \(arg)")
                }
            } else if arg.hasPrefix("-") && arg.count > 1 && !arg.dropFirst().allSatisfy(\.isNumber) {
                throw usage("unknown option \(arg)")
            } else {
                parsed.positionals.append(arg)
            }
            i += 1
        }
        let required = spec.positionals.count - spec.optionalPositionals
        if parsed.positionals.count < required {
            throw usage("missing \(spec.positionals[parsed.positionals.count])")
        }
        if parsed.positionals.count > spec.positionals.count {
            throw usage("unexpected argument \(parsed.positionals[spec.positionals.count])")
        }
        return parsed
    }
}
