#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The only file-system access of the config code: reading the config and secret files, and checking the
/// config file's mode. Reasons carry `strerror` text, never file content.
enum ConfigFiles {
    struct Failure: Error {
        var reason: String
    }

    /// Refuse absurd files (a secret or config is a few KB): a mistyped path to a disk image must not eat memory.
    static let maximumSize = 4 << 20

    /// The whole file, or why it cannot be read (`No such file or directory`, `Permission denied`, `is a directory`).
    static func readFile(_ path: String) -> Result<[UInt8], Failure> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(Failure(reason: errorText(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(Failure(reason: errorText(errno))) }
        if (info.st_mode & S_IFMT) == S_IFDIR { return .failure(Failure(reason: "is a directory")) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(Failure(reason: errorText(errno)))
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > maximumSize { return .failure(Failure(reason: "larger than 4 MiB")) }
        }
        return .success(bytes)
    }

    /// True when group or others may read the file (`mode & 044`); false when it cannot be checked.
    static func isReadableByGroupOrOthers(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        return (info.st_mode & 0o044) != 0
    }

    private static func errorText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}
