import Foundation

/// Where ``JSONValue/quote(_:into:namedBackspaceAndFormFeed:)`` writes: a byte array, or a ``ByteWriter``.
protocol JSONByteOutput {
    mutating func append(_ byte: UInt8)
    mutating func append(bytes: UnsafeBufferPointer<UInt8>)
}

extension Array: JSONByteOutput where Element == UInt8 {
    mutating func append(bytes: UnsafeBufferPointer<UInt8>) { append(contentsOf: bytes) }
}

/// A growing byte buffer written through a pointer, handed over as `Data` without a copy: the stored order
/// JSON's writer (``JSONBytes``). `[UInt8].append` checks uniqueness and capacity through several calls per
/// byte, and the finished array was copied into `Data`: together most of the 7 % of a backlog import's
/// instructions that writing each order's JSON took (callgrind, issue 17).
///
/// It owns malloc'd memory: ``data()`` hands it to the `Data` it returns, and the writer is not used after.
struct ByteWriter: JSONByteOutput {
    private var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = malloc(self.capacity)!.assumingMemoryBound(to: UInt8.self)
    }

    private mutating func grow(toFit extra: Int) {
        while capacity - count < extra { capacity *= 2 }
        base = realloc(base, capacity)!.assumingMemoryBound(to: UInt8.self)
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        if count == capacity { grow(toFit: 1) }
        base[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func append(bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        if capacity - count < bytes.count { grow(toFit: bytes.count) }
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { append(bytes: $0) }
    }

    /// The bytes written, as `Data` that takes over the buffer.
    consuming func data() -> Data {
        Data(bytesNoCopy: base, count: count, deallocator: .free)
    }
}
