import Foundation

@testable import OrderSync

/// Promises every normalized order keeps, whatever the channel sent: it can be stored, read back and
/// printed (a stored order that does not decode would break `orders`, `show` and every push).
enum FuzzChecks {
    static func storable(_ order: Order, raw: Data) throws {
        let stored: Data
        do {
            stored = try OrderCoding.storedJSON(order)
            _ = try OrderCoding.publicJSON(order)
        } catch {
            throw FuzzViolation("\(order.ref): mapped order does not encode: \(error)")
        }
        let decoded: Order
        do {
            decoded = try OrderCoding.decode(stored)
        } catch {
            throw FuzzViolation("\(order.ref): stored order does not decode: \(error)")
        }
        guard decoded.ref == order.ref, decoded.lines.count == order.lines.count, decoded.status == order.status else {
            throw FuzzViolation("\(order.ref): stored order reads back different")
        }
        guard order.lines.allSatisfy({ $0.quantity > 0 }) else { throw FuzzViolation("\(order.ref): a line has quantity ≤ 0") }
        guard (try? JSONValue.parse(raw)) != nil else { throw FuzzViolation("\(order.ref): the raw payload kept does not parse") }
    }

    /// One line of text: what `check-config` prints per problem, what goes after `FILE:LINE:`.
    static func isOneLine(_ text: String) -> Bool {
        !text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0 == "\u{85}" || $0 == "\u{2028}" || $0 == "\u{2029}" }
    }
}
