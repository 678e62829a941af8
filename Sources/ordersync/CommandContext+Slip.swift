import Foundation
import OrderSync

extension CommandContext {
    /// `slip ORDER_REF [--out FILE]`: fetches the delivery slip from the channel and writes the PDF
    /// (default `SLIP-<ref>.pdf` in the current directory). Needs the channel's secrets.
    func slip() async throws -> ExitCode {
        let loaded: LoadedConfig
        do {
            loaded = try Daemon.loadConfig(path: configPath, environment: environment)
        } catch {
            throw UserError(.config, error.problems.map(\.description).joined(separator: "\n"))
        }
        let ops = Operations(config: loaded.config, store: try store(loaded.config))
        let (ref, order, channel) = try ops.order(args.positionals[0])
        guard channel.type.definition.deliverySlips else {
            let withSlips = ChannelRegistry.definitions.filter(\.deliverySlips).map(\.displayName).joined(separator: " and ")
            throw UserError(.dataError, "\(ref): delivery slips exist only for \(withSlips) orders (this is \(channel.type.rawValue))")
        }
        guard let index = loaded.config.channels.firstIndex(where: { $0.id == channel.id }) else {
            throw UserError(.dataError, "\(ref): unknown channel")
        }
        let connector = try ChannelFactory(environment: environment)
            .make(channel, index: index, config: loaded.config, secrets: loaded.secrets[channel.id], logger: .discarding)
        let pdf = try await connector.deliverySlip(for: order)
        guard pdf.starts(with: Array("%PDF".utf8)) else {
            throw UserError(.tempFailure, "\(ref): the channel did not return a PDF")
        }
        let safe = ref.description.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }
        let out = args.option("out") ?? "SLIP-\(String(safe)).pdf"
        do {
            try pdf.write(to: URL(fileURLWithPath: out), options: .atomic)
        } catch {
            throw UserError(.tempFailure, "\(ref): cannot write \(out): \(error.localizedDescription)")
        }
        self.out("delivery slip of \(ref) written to \(out) (\(pdf.count) bytes)")
        return .ok
    }
}
