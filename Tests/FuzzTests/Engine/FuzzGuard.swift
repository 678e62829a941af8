import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps the input under test where a crash handler and a watchdog can find it, so that an input which
/// kills the process (a Swift trap, a stack overflow) or never returns is written to
/// `Tests/Fixtures/fuzz/<target>/crash-<fnv>.<ext>` (or `hang-…`) before the process dies. Those files
/// are replayed first by every later run.
///
/// Process-wide by nature (signal handlers are): one target runs at a time, on one thread.
enum FuzzGuard {
    /// Inputs running longer than this are written out and the process is stopped: the test would
    /// otherwise never finish. (Inputs over 1 s fail the test normally; see `FuzzRunner`.)
    static let hangSeconds: UInt64 = 10

    private static let capacity = Mutator.maximumSize + 4096
    nonisolated(unsafe) private static var buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    /// -1 while no input runs; the handler then writes nothing.
    nonisolated(unsafe) private static var length = -1
    nonisolated(unsafe) private static var startedAt: UInt64 = 0
    /// `…/Tests/Fixtures/fuzz/<target>/`, NUL-terminated, and the extension (`.json`).
    nonisolated(unsafe) private static var directory = [CChar](repeating: 0, count: 4096)
    nonisolated(unsafe) private static var fileExtension = [CChar](repeating: 0, count: 16)
    nonisolated(unsafe) private static var installed = false
    /// Preallocated: the handler must not call malloc.
    nonisolated(unsafe) private static var pathBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: 4096 + 64)
    #if os(Linux)
    /// The handlers found at installation, by signal number.
    nonisolated(unsafe) private static var previous = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)
    nonisolated(unsafe) private static var hasPrevious = [Bool](repeating: false, count: 65)
    #endif
    static let signals: [Int32] = [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT]

    /// Installs the handlers (once) and names where the current target's crashers go.
    static func prepare(directory path: String, fileExtension ext: String) {
        writeCString(path.hasSuffix("/") ? path : path + "/", into: &directory)
        writeCString("." + ext, into: &fileExtension)
        guard !installed else { return }
        installed = true
        installHandlers()
        startWatchdog()
    }

    /// Marks `bytes` as the input under test.
    static func begin(_ bytes: [UInt8]) {
        let count = Swift.min(bytes.count, capacity)
        bytes.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress!, count: count) }
        startedAt = FuzzClock.nanoseconds()
        length = count
    }

    /// No input under test any more.
    static func end() {
        length = -1
    }

    private static func writeCString(_ text: String, into storage: inout [CChar]) {
        let utf8 = Array(text.utf8.prefix(storage.count - 1))
        for (i, byte) in utf8.enumerated() { storage[i] = CChar(bitPattern: byte) }
        storage[utf8.count] = 0
    }

    // MARK: Writing the input out (async-signal-safe: open, write, close and arithmetic only)

    /// Writes the current input to `<directory><prefix><fnv><ext>` and a note to stderr.
    fileprivate static func saveCurrentInput(prefix: StaticString) {
        let count = length
        guard count >= 0 else { return }
        let path = pathBuffer
        var p = 0
        func append(_ c: CChar) { if p < 4096 + 63 { path[p] = c; p += 1 } }
        var i = 0
        while directory[i] != 0 { append(directory[i]); i += 1 }
        prefix.withUTF8Buffer { for b in $0 { append(CChar(bitPattern: b)) } }
        let hash = FNV.hash(UnsafePointer(buffer), count)
        let hexDigits: StaticString = "0123456789abcdef"
        hexDigits.withUTF8Buffer { digits in
            for shift in stride(from: 60, through: 0, by: -4) { append(CChar(bitPattern: digits[Int((hash >> UInt64(shift)) & 0xF)])) }
        }
        i = 0
        while fileExtension[i] != 0 { append(fileExtension[i]); i += 1 }
        path[p] = 0
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if fd >= 0 {
            _ = write(fd, buffer, count)
            close(fd)
        }
        let note: StaticString = "\nfuzz: the input under test was written to "
        note.withUTF8Buffer { _ = write(2, $0.baseAddress, $0.count) }
        _ = write(2, path, p)
        let tail: StaticString = " (replayed first from now on)\n"
        tail.withUTF8Buffer { _ = write(2, $0.baseAddress, $0.count) }
    }

    private static func installHandlers() {
        // An alternate stack, so that even a stack overflow gets its input saved.
        let size = 256 * 1024
        var stack = stack_t()
        stack.ss_sp = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        stack.ss_size = size
        stack.ss_flags = 0
        sigaltstack(&stack, nil)
        #if os(Linux)
        for sig in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = fuzzCrashHandler
            action.sa_flags = Int32(SA_ONSTACK)
            sigemptyset(&action.sa_mask)
            var old = sigaction()
            if sigaction(sig, &action, &old) == 0 {
                previous[Int(sig)] = old
                hasPrevious[Int(sig)] = true
            }
        }
        #else
        for sig in signals { signal(sig, fuzzCrashHandler) }
        #endif
    }

    /// Puts back whatever handled `sig` before (the default, or a sanitizer's), so that returning from
    /// our handler re-runs the faulting instruction into it.
    fileprivate static func restore(_ sig: Int32) {
        #if os(Linux)
        if hasPrevious[Int(sig)] { sigaction(sig, previous + Int(sig), nil) } else { signal(sig, SIG_DFL) }
        #else
        signal(sig, SIG_DFL)
        #endif
    }

    private static func startWatchdog() {
        let thread = Thread {
            while true {
                Thread.sleep(forTimeInterval: 0.25)
                let started = startedAt
                if length >= 0, started > 0, FuzzClock.nanoseconds() &- started > hangSeconds * 1_000_000_000 {
                    saveCurrentInput(prefix: "hang-")
                    let note: StaticString = "fuzz: an input ran for more than 10 s: stopping the process\n"
                    note.withUTF8Buffer { _ = write(2, $0.baseAddress, $0.count) }
                    _exit(70)
                }
            }
        }
        thread.name = "fuzz-watchdog"
        thread.start()
    }
}

private func fuzzCrashHandler(_ sig: Int32) {
    FuzzGuard.saveCurrentInput(prefix: "crash-")
    FuzzGuard.restore(sig)
    if sig == SIGABRT { raise(sig) }
}

/// Monotonic nanoseconds.
enum FuzzClock {
    static func nanoseconds() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
    }
}
