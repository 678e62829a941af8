import Foundation
import OrderSync

/// A result code from a Spartoo reply (API notes §4): 1 OK, negative codes for errors.
struct SpartooCode: Sendable, Equatable, CustomStringConvertible {
    let value: Int
    /// Spartoo's own text next to the code, when it sent one.
    let text: String?

    init(_ value: Int, text: String? = nil) {
        self.value = value
        self.text = text
    }

    /// 1, and 0 (read as "no errors" where a count is given).
    var isOK: Bool { value == 1 || value == 0 }

    var description: String {
        var out = "code \(value) (\(SpartooCode.meaning(value)))"
        if let text, !text.isEmpty { out += ": " + String(text.prefix(200)) }
        return out
    }

    /// Spartoo's documented codes for the order and slip scripts and what each means
    /// (`Tests/Fixtures/specs/spartoo/codes.json`; the return-label codes −22…−25 are not used here).
    static let documented: [Int: String] = [
        1: "OK", -1: "partenaire missing", -2: "unknown partner", -3: "date or oID missing",
        -5: "oID or status missing", -6: "not found", -7: "illegal status change", -9: "status unchanged",
        -11: "xml missing", -12: "reference_partenaire missing or empty", -15: "XML syntax error",
        -428: "account deactivated", -429: "too many calls in this hour",
    ]

    /// What a code means; 0 reads as "no errors" where a count is given (undocumented).
    static func meaning(_ value: Int) -> String {
        value == 0 ? "OK" : documented[value] ?? "undocumented"
    }

    /// Finds the code liberally (API notes §7): `<root><errors>N</errors>`, any `<errors><error><id>`
    /// directly under the root, `<root><statut><id>` (or `<statut>N`), `<root><code>`, or a root that is
    /// a lone integer. Codes inside an `<order>` are not the reply's code. Nil when there is none.
    static func find(in root: SpartooXMLElement) -> SpartooCode? {
        if let errors = root.child("errors") {
            if let value = Int(errors.value) { return SpartooCode(value, text: root.string("description")) }
            for error in errors.children(named: "error") {
                if let id = error.string("id").flatMap(Int.init) {
                    return SpartooCode(id, text: error.string("description") ?? error.string("message"))
                }
            }
        }
        if let error = root.child("error"), let id = (error.string("id") ?? error.string("code")).flatMap(Int.init) {
            return SpartooCode(id, text: error.string("description"))
        }
        if let statut = root.child("statut") {
            if let id = statut.string("id").flatMap(Int.init) {
                return SpartooCode(id, text: statut.string("description") ?? statut.string("libelle"))
            }
            if let value = Int(statut.value) { return SpartooCode(value) }
        }
        if let code = root.string("code").flatMap(Int.init) { return SpartooCode(code, text: root.string("description")) }
        if root.children.isEmpty, let value = Int(root.value) { return SpartooCode(value) }
        return nil
    }

    /// A body that is nothing but an integer (`-2`), as some scripts answer errors.
    static func loneInteger(_ body: Data) -> Int? {
        guard body.count < 32 else { return nil }
        return Int(String(decoding: body, as: UTF8.self).trimmingWhitespaceAndNewlines())
    }
}

/// A Spartoo reply: its root element (nil for a bare integer body), its code, and the bytes received.
struct SpartooReply: Sendable {
    /// The document's root; when its `<order>` elements were cut out (``orderSegments``), without them.
    let root: SpartooXMLElement?
    let code: SpartooCode?
    let body: Data
    /// The `<order>` elements cut out of the document (UTF-8 bytes, in order); see ``SpartooXML/splitOrders(_:)``.
    var orderSegments: [Data] = []
    /// The body is one already stored whole (see `SpartooChannel.importWindow`): not parsed, no root.
    var knownWhole = false
    /// The file the body was streamed to (then `body` is empty); whoever holds the reply removes it.
    var file: URL?
    /// The `<order>` elements still in ``file``, read a batch at a time (instead of ``orderSegments``).
    var fileOrders: SpartooXML.FileOrders?

    /// How many `<order>` elements were cut out.
    var orderCount: Int { fileOrders?.ranges.count ?? orderSegments.count }

    /// The cut-out elements at `indices` (from memory, or read back from ``file``).
    func orderSegments(_ indices: Range<Int>) throws -> [Data] {
        if let fileOrders { return try fileOrders.segments(indices) }
        return Array(orderSegments[indices])
    }

    /// Removes the reply's file, if it has one.
    func discard() { if let file { ReplyFiles.remove(file) } }
}

/// Per site, the last export window stored whole: the fingerprint of its bytes and the order ids it listed
/// (the shipped-order follow-up skips those). Thread-safe.
final class SpartooWindows: @unchecked Sendable {
    private let lock = NSLock()
    private var windows: [String: (fingerprint: Int, ids: Set<String>)] = [:]

    func ids(site: String, fingerprint: Int) -> Set<String>? {
        lock.withLock { windows[site].flatMap { $0.fingerprint == fingerprint ? $0.ids : nil } }
    }

    /// Polls that found their site's window unchanged and skipped it whole (tests).
    private(set) var skipped = 0

    func countSkip() { lock.withLock { skipped += 1 } }

    /// The ids of the last window stored whole on `site` (tests).
    func lastIDs(site: String) -> Set<String>? { lock.withLock { windows[site]?.ids } }

    func set(site: String, fingerprint: Int, ids: Set<String>) {
        lock.withLock { windows[site] = (fingerprint, ids) }
    }
}

extension SpartooCode {
    /// The classified error for a code that is neither success nor one the caller handles itself
    /// (API notes §4): −1/−2/−428 unauthorized (flag the channel, no retry loop); −3/−5/−11/−12/−15 and
    /// unknown codes permanent (our bug or an undocumented refusal); −6 and −7 permanent; −429 retryable
    /// at the next full hour (`retryAfter`). The message names the site, never the partner id or a URL.
    func error(operation: String, site: String, retryAfter: TimeInterval? = nil) -> ChannelError {
        switch value {
        case -1:
            ChannelError(.unauthorized, operation: operation, message: "Spartoo (site \(site)) says the partner id is missing (\(self))")
        case -2:
            ChannelError(.unauthorized, operation: operation,
                         message: "Spartoo (site \(site)) does not know this partner id: check partner_id, the Merchant ID for webservices (\(self))")
        case -428:
            ChannelError(.unauthorized, operation: operation, message: "the Spartoo account is deactivated (site \(site), \(self))")
        case -429:
            ChannelError(.retryable(retryAfter: retryAfter), operation: operation,
                         message: "Spartoo hourly call quota reached on site \(site); paused until the next hour (\(self))")
        case -6:
            ChannelError(.permanent, operation: operation, message: "not found on Spartoo site \(site) (\(self))")
        case -7:
            ChannelError(.permanent, operation: operation, message: "Spartoo refused the status change on site \(site) (\(self))")
        case -3, -5, -11, -12, -15:
            ChannelError(.permanent, operation: operation, message: "Spartoo rejected the request as incomplete or invalid (\(self))")
        default:
            ChannelError(.permanent, operation: operation, message: "Spartoo answered an error on site \(site) (\(self))")
        }
    }
}
