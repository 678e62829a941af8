import Foundation

@testable import OrderSync
@testable import Connectors

/// Promises every normalized order keeps, whatever the channel sent: it can be stored, read back and
/// printed (a stored order that does not decode would break `orders`, `show` and every push).
enum FuzzChecks {
    /// Orders of one input put through the store round trip: a page the mutator grew to 300 orders would
    /// otherwise spend its time in `JSONEncoder`, not in the parser under test (real pages hold 50 at most).
    static let storedPerInput = 8

    /// - Parameter rawJSON: the raw payload kept with the order, when the channel speaks JSON.
    static func storable(_ order: Order, rawJSON: Data?) throws {
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
        if let rawJSON, (try? JSONValue.parse(rawJSON)) == nil {
            throw FuzzViolation("\(order.ref): the raw payload kept does not parse")
        }
    }

    /// One line of text with no control character (C0, DEL, C1): what `check-config` prints per problem.
    /// A raw CR or CSI in a problem line would let the file's content rewrite what the terminal shows.
    static func isOneLine(_ text: String) -> Bool {
        !text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    }
}
