import Connectors
import Foundation
import OrderSync

/// Entry point: parse the global options and the command, run it, exit with the contract's code.
/// Errors go to stderr as one line naming what was wrong and where.
@main
struct Main {
    static func main() async {
        // The core knows no marketplace: the connectors' definitions are handed to it here.
        ChannelRegistry.install(StandardChannels.definitions)
        let code = await run(Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
        exit(code.rawValue)
    }

    static func run(_ arguments: [String], environment: [String: String]) async -> ExitCode {
        do {
            let (configOption, rest) = try ArgumentParser.global(arguments)
            guard let name = rest.first else {
                Console.out(Commands.help)
                return .usage
            }
            if name == "--help" || name == "-h" { Console.out(Commands.help); return .ok }
            if name == "--version" { Console.out("ordersync \(OrderSyncVersion.current)"); return .ok }
            guard let spec = Commands.spec(name) else {
                throw UserError(.usage, "unknown command \"\(name)\"; see `ordersync --help`")
            }
            let tail = Array(rest.dropFirst())
            if tail.contains("--help") || tail.contains("-h") { Console.out(Commands.help(for: spec)); return .ok }
            let args = try ArgumentParser.parse(tail, spec: spec)
            let configPath = configOption ?? environment["ORDERSYNC_CONFIG"] ?? "/etc/ordersync/config.json"
            let context = CommandContext(configPath: configPath, environment: environment, args: args)
            switch name {
            case "help":
                if let topic = args.positionals.first {
                    guard let topicSpec = Commands.spec(topic) else { throw UserError(.usage, "unknown command \"\(topic)\"") }
                    Console.out(Commands.help(for: topicSpec))
                } else {
                    Console.out(Commands.help)
                }
                return .ok
            case "run":
                var options = Daemon.Options(configPath: configPath, environment: environment, onStopOverdue: { exit(0) })
                options.repliesAsTemporaryDirectory = true
                return await Daemon(options: options).run()
            case "demo":
                return try await Demo.run(args: args)
            case "check-config": return try context.checkConfig()
            case "status": return try context.status()
            case "orders": return try context.orders()
            case "show": return try context.show()
            case "accept": return try context.accept()
            case "cancel": return try context.cancel()
            case "ship": return try context.ship()
            case "mirror": return try context.mirror()
            case "refund": return try context.refund()
            case "returns": return try context.returns()
            case "return": return try context.decideReturn()
            case "lost", "undelivered":
                context.out(try context.operations().parcelOutcome(args.positionals[0], lost: name == "lost"))
                return .ok
            case "jobs": return try context.jobs()
            case "retry": return try context.retry()
            case "slip": return try await context.slip()
            case "import-shipments": return try context.importShipments()
            case "report": return try context.report()
            default:
                throw UserError(.usage, "\(name): not available in this version (see README: work in progress)")
            }
        } catch {
            let userError = UserError.from(error)
            FileHandle.standardError.write(Data(("ordersync: " + userError.message + "\n").utf8))
            return userError.code
        }
    }
}

/// Unbuffered output, so lines from the CLI, the demo and the log handler never reorder.
enum Console {
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
