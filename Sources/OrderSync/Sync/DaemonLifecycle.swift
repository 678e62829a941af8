import Foundation

/// Where the daemon is in its life.
public enum DaemonState: String, Sendable {
    /// Loading the config, opening the database, or building the services of a (new) config.
    case starting
    /// Services running.
    case running
    /// A valid new config arrived: the services stop, then start again with it.
    case reloading
    /// A stop was requested: the services are being cancelled.
    case stopping
    /// Everything has returned.
    case stopped
}

/// The daemon's states and the moves between them, as a plain value: what a stop or a reload does in
/// each state, and which config the next services run with. Not thread-safe: the daemon holds it under a lock.
struct DaemonLifecycle: Sendable {
    private(set) var state: DaemonState = .starting
    /// A reloaded config waiting for the running services to stop.
    private(set) var pendingConfig: LoadedConfig?

    var isStopRequested: Bool { state == .stopping || state == .stopped }

    /// A stop request. Returns whether running services must be cancelled (false once stopped).
    mutating func requestStop() -> Bool {
        guard state != .stopped else { return false }
        state = .stopping
        pendingConfig = nil
        return true
    }

    /// A valid new config; the latest one wins. Returns whether running services must be cancelled to
    /// restart with it (false while stopping, when the config is dropped).
    mutating func requestReload(_ config: LoadedConfig) -> Bool {
        switch state {
        case .stopping, .stopped:
            return false
        case .running, .reloading:
            state = .reloading
            pendingConfig = config
            return true
        case .starting:
            pendingConfig = config
            return true
        }
    }

    /// The services have started. Returns false when a stop came first (cancel them at once).
    mutating func servicesStarted() -> Bool {
        guard !isStopRequested else { return false }
        state = .running
        return true
    }

    /// The services have returned. Returns the config to start again with, or nil to stop.
    mutating func servicesEnded() -> LoadedConfig? {
        defer { pendingConfig = nil }
        guard !isStopRequested, let next = pendingConfig else {
            state = .stopping
            return nil
        }
        state = .starting
        return next
    }

    /// Everything has returned.
    mutating func finished() { state = .stopped }
}
