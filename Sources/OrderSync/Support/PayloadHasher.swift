import Foundation

/// A keyed 64-bit hash of payload bytes, for the fingerprints ``UnchangedPayloads`` remembers in memory.
///
/// `Hasher` (SipHash-1-3) over every byte of every order was 3.5 % of a backlog import's instructions
/// (callgrind, 10k backlog, issue 17). This reads 16 bytes per step and folds each step's 128-bit product
/// (the construction of wyhash), about a quarter of the instructions.
///
/// Keyed per process, like `Hasher`: the key is drawn at start and both halves of every product take the
/// running state, which depends on it, so no payload can be written to cancel the state without knowing
/// the key. Fingerprints are never stored, so a new key at each start changes nothing.
///
/// A byte string is hashed in segments of ``segment`` bytes, in order: the same bytes give the same
/// fingerprint whether they are held in memory or read from a file a segment at a time.
public struct PayloadHasher {
    /// Bytes hashed as one step of the fold (a reply file is read this much at a time).
    public static let segment = 256 << 10

    private static let key: (UInt64, UInt64, UInt64) = {
        var generator = SystemRandomNumberGenerator()
        return (generator.next() | 1, generator.next() | 1, generator.next() | 1)
    }()

    private var state: UInt64

    /// Starts a fingerprint of `length` bytes in `scope` (what the bytes alone do not tell apart, a site).
    public init(scope: String, length: Int) {
        state = Self.key.0 ^ UInt64(truncatingIfNeeded: length)
        var scope = scope
        scope.withUTF8 { combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Folds in the next segment (at most ``segment`` bytes, except as the last one).
    public mutating func combine(bytes: UnsafeRawBufferPointer) {
        state = Self.mum(state ^ Self.key.2, Self.hash(bytes, seed: state))
    }

    public func finalize() -> Int {
        Int(truncatingIfNeeded: Self.mum(state ^ Self.key.1, state ^ Self.key.2))
    }

    /// The fingerprint of `bytes` in `scope`.
    public static func fingerprint(_ bytes: Data, scope: String) -> Int {
        var hasher = PayloadHasher(scope: scope, length: bytes.count)
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let end = min(offset + segment, raw.count)
                hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: raw[offset..<end]))
                offset = end
            }
        }
        return hasher.finalize()
    }

    /// The high and low halves of the 128-bit product, folded.
    @inline(__always)
    static func mum(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        let (k0, k1, k2) = key
        var s = seed ^ k0
        var p = 0
        let n = bytes.count
        while p + 16 <= n {
            s = mum(bytes.loadUnaligned(fromByteOffset: p, as: UInt64.self) ^ s ^ k1,
                    bytes.loadUnaligned(fromByteOffset: p + 8, as: UInt64.self) ^ s ^ k2)
            p += 16
        }
        // The last 0 to 15 bytes, zero-padded into two words; the length tells paddings apart.
        var a: UInt64 = 0, b: UInt64 = 0
        var shift: UInt64 = 0
        while p < n {
            let byte = UInt64(bytes[p])
            if shift < 64 { a |= byte << shift } else { b |= byte << (shift - 64) }
            shift += 8
            p += 1
        }
        return mum(a ^ s ^ k1 ^ UInt64(truncatingIfNeeded: n), b ^ s ^ k2)
    }
}
