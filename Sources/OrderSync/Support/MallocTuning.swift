import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// glibc's allocator, tuned for a long-running daemon whose work comes in bursts (a poll's pages):
/// - at most 4 arenas (glibc makes up to 8 per core, one per thread that allocates; every Swift
///   concurrency thread touched its own, each keeping its freed pages). 2 arenas kept memory lowest, but
///   the import's threads then queued on the arena locks (futex waits and wake-ups were ~10 % of a 10k
///   backlog's CPU); 4 cut the daemon's CPU there by ~15 % with the same idle and backlog VmHWM (issue 17);
/// - a fixed 256 KB mmap threshold: a reply or page buffer above it is mapped and unmapped, so it does
///   not raise the heap's high-water mark (glibc's default threshold climbs after each such free, up to
///   32 MB, after which every large buffer stays on the heap);
/// - freed memory above 512 KB at the top of the heap goes back to the system.
/// Measured by `ordersync-bench` (idle VmHWM, three channels): floor + 21 MB → floor + 14 MB.
/// Skipped when the operator already tunes malloc through the environment. `mallopt` is looked up with
/// `dlsym` because the Glibc module does not export `malloc.h`.
public enum MallocTuning {
    public static func apply(environment: [String: String]) {
        #if canImport(Glibc)
        let keys = ["MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES"]
        guard !keys.contains(where: { environment[$0] != nil }) else { return }
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        // malloc.h: M_TRIM_THRESHOLD -1, M_MMAP_THRESHOLD -3, M_ARENA_MAX -8.
        _ = mallopt(-8, 4)
        _ = mallopt(-3, 256 * 1024)
        _ = mallopt(-1, 512 * 1024)
        #endif
    }

    /// Hands the free pages inside every arena back to the system (`malloc_trim(0)`). Called after each poll:
    /// a poll's pages are freed by then, and without this the arenas keep their high-water pages resident
    /// through the idle time that follows (issue 17: idle memory). Takes well under a millisecond here.
    public static func releaseFreeMemory() {
        #if canImport(Glibc)
        guard let symbol = trimSymbol else { return }
        typealias MallocTrim = @convention(c) (Int) -> Int32
        _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        #endif
    }

    #if canImport(Glibc)
    private nonisolated(unsafe) static let trimSymbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim")
    #endif
}
