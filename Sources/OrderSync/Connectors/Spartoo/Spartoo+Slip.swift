import Foundation

extension SpartooChannel {
    /// The delivery slip Spartoo wants in every parcel: `xml_export_bl.php` with `partenaire` and
    /// `xml` = `<root><order_id/><products><product><reference_partenaire/><product_quantity/>…` on the order's
    /// own site (API notes §1.6), the `<pdf>` base64 decoded. Read-only. Throws permanent for −6 (not on that
    /// site) and for a reply whose content is not a PDF; retryable for transport trouble or a reply without one.
    public func deliverySlip(for order: Order) async throws -> Data {
        let operation = "slip \(order.ref)"
        let (prefix, orderID) = Self.split(order.ref.externalID)
        let client = try client(prefix ?? order.site ?? endpoints.first?.site ?? "fr", operation: operation)
        let xml = Self.slipRequest(orderID: orderID, lines: order.lines)
        let reply = try await read("xml_export_bl.php", [("xml", xml)], on: client, operation: operation) { reply in
            !(reply.code?.isOK ?? true) || Self.slipPDF(in: reply.root, orderID: orderID) != nil
        }
        if let code = reply.code, !code.isOK {
            throw code.error(operation: operation, site: client.site)
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

    /// The `xml` parameter: UTF-8, every value in CDATA (a bare `&` would break Spartoo's parser, API notes §5).
    /// `reference_partenaire` is the line's SKU (the size reference when Spartoo gave one).
    static func slipRequest(orderID: String, lines: [OrderLine]) -> String {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><root><order_id>" + SpartooXML.cdata(orderID) + "</order_id><products>"
        for line in lines {
            xml += "<product><reference_partenaire>" + SpartooXML.cdata(line.sku ?? line.lineID)
                + "</reference_partenaire><product_quantity>\(line.quantity)</product_quantity></product>"
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
