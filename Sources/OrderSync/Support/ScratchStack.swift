/// A stack of values in one growing buffer, from which the top `n` values are moved out into an array
/// of exactly `n` elements: no retain or release on the way, no reallocation per array built.
/// ``JSONReader`` keeps the members and items of the objects and arrays it is reading on two of these.
///
/// Not a value type: it owns raw memory, so its owner calls ``release()`` exactly once when done with it
/// (whatever is still on it then is deinitialized).
struct ScratchStack<Element> {
    private var base: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 64) {
        self.capacity = max(capacity, 1)
        base = .allocate(capacity: self.capacity)
    }

    mutating func push(_ element: consuming Element) {
        if count == capacity {
            let larger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
            larger.moveInitialize(from: base, count: count)
            base.deallocate()
            base = larger
            capacity *= 2
        }
        (base + count).initialize(to: element)
        count += 1
    }

    /// The values from position `start` to the top, in push order (read only while nothing is pushed or popped).
    func top(from start: Int) -> UnsafeBufferPointer<Element> {
        UnsafeBufferPointer(start: base + start, count: count - start)
    }

    /// Moves the values from position `start` to the top off the stack, into an array in push order.
    mutating func pop(from start: Int) -> [Element] {
        let n = count - start
        guard n > 0 else { return [] }
        let source = base + start
        let array = [Element](unsafeUninitializedCapacity: n) { buffer, initialized in
            buffer.baseAddress!.moveInitialize(from: source, count: n)
            initialized = n
        }
        count = start
        return array
    }

    /// Deinitializes what is left and frees the buffer; the stack is not used again.
    mutating func release() {
        base.deinitialize(count: count)
        base.deallocate()
        count = 0
        capacity = 0
    }
}
