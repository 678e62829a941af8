import Foundation
import OrderSync

extension SpartooChannel {
    /// The delivery slip Spartoo wants in every parcel: `xml_export_bl.php` with `partenaire` and
    /// `xml` = `<root><order_id/><products><product><reference_partenaire/><product_quantity/>…` on the order's
    /// own site (API notes §1.6), the `<pdf>` base64 decoded. Read-only.
    ///
    /// `reference_partenaire` is the partner's product-level reference (`products_reference`) first. When
    /// Spartoo answers −12 (reference missing) and the lines have size references, the call is made once
    /// more with those; the form that worked is remembered per site (and logged) and used first from then on.
    /// Throws permanent for −6 (not on that site), −12 in every form, and a reply whose content is not a PDF;
    /// retryable for transport trouble or a reply without one.
    public func deliverySlip(for order: Order) async throws -> Data {
        let operation = "slip \(order.ref)"
        let (prefix, orderID) = Self.split(order.ref.externalID)
        let client = try client(prefix ?? order.site ?? endpoints.first?.site ?? "fr", operation: operation)
        let preferred = slipForms.form(site: client.site)
        var forms = [preferred]
        let other: SlipReferenceForm = preferred == .product ? .size : .product
        if Self.slipReferences(order.lines, other) != Self.slipReferences(order.lines, preferred) { forms.append(other) }
        var lastError: ChannelError?
        for form in forms {
            let xml = Self.slipRequest(orderID: orderID, references: Self.slipReferences(order.lines, form),
                                       quantities: order.lines.map(\.quantity))
            let reply = try await read("xml_export_bl.php", [("xml", xml)], on: client, operation: operation) { reply in
                !(reply.code?.isOK ?? true) || Self.slipPDF(in: reply.root, orderID: orderID) != nil
            }
            if let code = reply.code, !code.isOK {
                lastError = code.error(operation: operation, site: client.site)
                if code.value == -12 { continue }
                break
            }
            if slipForms.remember(form, site: client.site) {
                logger.info("spartoo slip reference form", ["site": .string(client.site), "form": .string(form.rawValue)])
            }
            guard let pdf = Self.slipPDF(in: reply.root, orderID: orderID) else {
                throw ChannelError(.retryable(retryAfter: nil), operation: operation,
                                   message: "Spartoo site \(client.site) sent no delivery slip for this order")
            }
            guard pdf.starts(with: Array("%PDF".utf8)) else {
                throw ChannelError(.permanent, operation: operation, message: "the delivery slip Spartoo sent is not a PDF")
            }
            return pdf
        }
        throw lastError ?? ChannelError(.permanent, operation: operation, message: "no delivery slip request was made")
    }

    /// Which reference `reference_partenaire` carries.
    enum SlipReferenceForm: String, Sendable {
        /// The product-level `products_reference` (Spartoo's stock API: `reference_partenaire`).
        case product = "products_reference"
        /// The size-level `products_size_reference`.
        case size = "products_size_reference"
    }

    /// Each line's reference in `form`: the product reference is kept in `options["reference"]` when the line
    /// also has a size reference (its `sku`); otherwise the `sku` is both.
    static func slipReferences(_ lines: [OrderLine], _ form: SlipReferenceForm) -> [String] {
        lines.map { line in
            let size = line.sku ?? line.lineID
            return form == .product ? (line.options["reference"] ?? size) : size
        }
    }

    /// The `xml` parameter: UTF-8, every value in CDATA (a bare `&` would break Spartoo's parser, API notes §5).
    static func slipRequest(orderID: String, references: [String], quantities: [Int]) -> String {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><root><order_id>" + SpartooXML.cdata(orderID) + "</order_id><products>"
        for (reference, quantity) in zip(references, quantities) {
            xml += "<product><reference_partenaire>" + SpartooXML.cdata(reference)
                + "</reference_partenaire><product_quantity>\(quantity)</product_quantity></product>"
        }
        return xml + "</products></root>"
    }

    /// The decoded `<pdf>` of the `<bl>` for `orderID` (or the only one); nil when absent or not base64.
    static func slipPDF(in root: SpartooXMLElement?, orderID: String) -> Data? {
        guard let root else { return nil }
        let slips = root.children(named: "bl")
        let slip = slips.first { $0.string("order_id") == orderID } ?? slips.first
        guard let text = slip?.string("pdf") ?? root.string("pdf") else { return nil }
        guard let data = Data(base64Encoded: text, options: .ignoreUnknownCharacters), !data.isEmpty else { return nil }
        return data
    }

    /// The file name of a saved slip: the order ref, `/` (of a `SITE/ID` ref) replaced by `_`.
    public static func slipFileName(_ ref: OrderRef) -> String {
        ref.description.replacingOccurrences(of: "/", with: "_") + ".pdf"
    }

    /// With `fetch_slips`: fetches the slip of an accepted order into `state_dir/slips/<ref>.pdf` (atomic
    /// write) unless it is there already. A failure is logged, never fails the accept that succeeded.
    func saveSlip(of order: Order, ref: OrderRef) async {
        guard let directory = slipsDirectory else { return }
        let file = directory.appendingPathComponent(Self.slipFileName(ref))
        if FileManager.default.fileExists(atPath: file.path) { return }
        var target = order
        target.ref = ref
        do {
            let pdf = try await deliverySlip(for: target)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try pdf.write(to: file, options: .atomic)
            logger.info("delivery slip saved", ["order.ref": .string(ref.description), "file": .string(file.path),
                                                "bytes": .int(pdf.count)])
        } catch {
            logger.warning("delivery slip not fetched", ["order.ref": .string(ref.description), "error": .string("\(error)")])
        }
    }
}

/// Per site, the `reference_partenaire` form a delivery slip last worked with (in memory). Thread-safe.
final class SpartooSlipForms: @unchecked Sendable {
    private let lock = NSLock()
    private var forms: [String: SpartooChannel.SlipReferenceForm] = [:]

    /// The form to try first on `site`: the one that worked, else the product reference.
    func form(site: String) -> SpartooChannel.SlipReferenceForm { lock.withLock { forms[site] ?? .product } }

    /// Records that `form` worked on `site`; true when that is news (first success or a change).
    func remember(_ form: SpartooChannel.SlipReferenceForm, site: String) -> Bool {
        lock.withLock {
            defer { forms[site] = form }
            return forms[site] != form
        }
    }
}
