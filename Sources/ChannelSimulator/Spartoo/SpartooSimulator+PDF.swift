import Foundation

extension SpartooSimulator {
    /// A small but valid one-page PDF 1.4 delivery slip ("Bon de livraison") naming the order, the delivery
    /// address and the products; correct cross-reference offsets, Helvetica, ASCII text.
    static func slipPDF(for order: Order) -> Data {
        let person = order.delivery ?? order.customer
        let recipient = order.relay.map { "\($0.name), \($0.address), \($0.postcode) \($0.city)" }
            ?? "\(person.firstName) \(person.lastName), \(person.street), \(person.postcode) \(person.city)"
        var lines = ["Spartoo - Bon de livraison", "Commande \(order.id) (site \(order.site))", recipient, ""]
        for product in order.products {
            lines.append("\(product.quantity) x \(product.name) - \(product.manufacturer) - \(product.sizeReference.isEmpty ? product.reference : product.sizeReference)")
        }
        var content = "BT /F1 12 Tf 50 790 Td 16 TL\n"
        for line in lines { content += "(\(pdfString(line))) Tj T*\n" }
        content += "ET\n"
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            "<< /Length \(content.utf8.count) >>\nstream\n\(content)endstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        ]
        var pdf = "%PDF-1.4\n%\u{00E2}\u{00E3}\u{00CF}\u{00D3}\n"
        var bytes = Data(pdf.utf8)
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(bytes.count)
            bytes.append(Data("\(index + 1) 0 obj\n\(object)\nendobj\n".utf8))
        }
        let xref = bytes.count
        pdf = "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { pdf += String(format: "%010d 00000 n \n", offset) }
        pdf += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        bytes.append(Data(pdf.utf8))
        return bytes
    }

    /// PDF literal-string text: ASCII only (accents folded), `(`, `)` and `\` escaped.
    private static func pdfString(_ text: String) -> String {
        let folded = text.folding(options: .diacriticInsensitive, locale: nil)
        var out = ""
        for scalar in folded.unicodeScalars {
            switch scalar {
            case "(", ")", "\\": out += "\\" + String(scalar)
            default: out += scalar.isASCII && scalar.value >= 0x20 ? String(scalar) : "?"
            }
        }
        return out
    }
}
