/// SplitMix64 (Steele, Lea, Flood 2014): a tiny generator whose whole state is one `UInt64`, so a run is
/// repeated exactly from the seed it prints. Not `SystemRandomNumberGenerator`, and no `Int.random(in:)`
/// either: the standard library's range reduction may change between Swift versions, ours may not.
struct SplitMix64 {
    private(set) var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `0..<bound` (`bound` > 0), by Lemire's multiply-shift (bias < 2^-32 for our bounds).
    mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "below(0)")
        return Int(((next() >> 32) &* UInt64(bound)) >> 32)
    }

    /// A value in `range` (closed).
    mutating func within(_ range: ClosedRange<Int>) -> Int { range.lowerBound + below(range.count) }

    /// True with probability `percent` / 100.
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }

    /// One element of a non-empty array.
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// A value in `0..<max`, small ones much more often than large ones (a random bit length first):
    /// lengths of chunks and counts of repeats.
    mutating func skewed(max: Int) -> Int {
        guard max > 1 else { return 0 }
        let bits = below(Int.bitWidth - (max - 1).leadingZeroBitCount + 1)
        return below(Swift.min(max, 1 << bits))
    }

    /// A per-target seed from the run's seed and the target's name (FNV-1a of the name, mixed).
    static func derive(_ seed: UInt64, _ name: String) -> UInt64 {
        var mixer = SplitMix64(seed: seed ^ FNV.hash(Array(name.utf8)))
        return mixer.next()
    }
}

/// FNV-1a, 64 bit: content-addressed names for saved inputs. Written without allocation so the crash
/// handler can use it too.
enum FNV {
    static func hash(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBufferPointer { hash($0.baseAddress, $0.count) }
    }

    static func hash(_ pointer: UnsafePointer<UInt8>?, _ count: Int) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        guard let pointer else { return h }
        for i in 0..<count {
            h ^= UInt64(pointer[i])
            h = h &* 0x100_0000_01B3
        }
        return h
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
