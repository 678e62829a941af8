import Foundation

/// A stable 128-bit content fingerprint (two FNV-1a 64-bit lanes) used to skip rewriting unchanged
/// orders. Not cryptographic: it only has to notice change.
enum ContentHash {
    static func hex(_ data: Data) -> String {
        var a: UInt64 = 0xcbf29ce484222325
        var b: UInt64 = 0x84222325cbf29ce4
        data.withUnsafeBytes { bytes in
            for byte in bytes {
                a = (a ^ UInt64(byte)) &* 0x100000001b3
                b = (b ^ UInt64(byte ^ 0x5a)) &* 0x100000001b3
            }
        }
        return String(a, radix: 16) + "-" + String(b, radix: 16)
    }
}
