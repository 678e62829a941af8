import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

extension SpartooSimulator {
    /// `xml_export_orders.php`: by `oID` (−6 when not on this site), else by `date` (Paris time, orders from
    /// then on; −3 when missing or unreadable), optionally filtered by `statut`. 0, 1 or n orders.
    func exportOrders(_ parameters: [String: String], site: String, render: Renderer, state: State) -> (HTTPResponse, Int?) {
        let script = "xml_export_orders.php"
        let statusText = parameters["statut"] ?? (state.configuration.acceptEnglishAliases ? parameters["status"] : nil)
        if let oID = parameters["oID"], !oID.isEmpty {
            guard let order = state.orders[OrderKey(site: site, id: oID)] else {
                return (render.error(-6, "Commande introuvable", script: script), -6)
            }
            return (render.orders([order]), 1)
        }
        guard let dateText = parameters["date"], !dateText.isEmpty else {
            return (render.error(-3, "Le parametre date ou oID est obligatoire", script: script), -3)
        }
        guard let from = SpartooParisTime.parse(dateText) else {
            return (render.error(-3, "Format de date invalide (AAAA-MM-JJ:hh:mm:ss)", script: script), -3)
        }
        let status = statusText.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let selected = state.orders.values.filter { order in
            guard order.site == site else { return false }
            let date = state.configuration.dateFilter == .purchased ? order.purchasedAt : order.modifiedAt
            guard let date, date >= from else { return false }
            return status.map { $0 == order.status } ?? true
        }.sorted { ($0.purchasedAt ?? .distantPast, $0.id) < ($1.purchasedAt ?? .distantPast, $1.id) }
        return (render.orders(selected), 1)
    }

    /// `xml_maj_orders.php`: `oID` and `statut` (−5 when missing; 3 also needs `tracking_number`), the order on
    /// this site (−6), the same status (−9), Spartoo's transitions (−7): →2 from 11, →3 from 2, →41 from
    /// anything but 3/41, →45/47 from 3 (the page lists these moves, though its `statut` row says 2, 3 or 41).
    /// Applied changes are recorded as effects.
    func updateOrder(_ parameters: [String: String], site: String, now: Date, render: Renderer, state: inout State) -> (HTTPResponse, Int?) {
        let script = "xml_maj_orders.php"
        let statusText = parameters["statut"] ?? (state.configuration.acceptEnglishAliases ? parameters["status"] : nil)
        guard let oID = parameters["oID"], !oID.isEmpty, let statusText, !statusText.isEmpty else {
            return (render.error(-5, "Les parametres oID et statut sont obligatoires", script: script), -5)
        }
        guard let target = Int(statusText.trimmingCharacters(in: .whitespaces)) else {
            return (render.error(-5, "Statut invalide", script: script), -5)
        }
        let tracking = parameters["tracking_number"] ?? ""
        if target == 3 && tracking.trimmingCharacters(in: .whitespaces).isEmpty {
            return (render.error(-5, "Le numero de suivi est obligatoire", script: script), -5)
        }
        let key = OrderKey(site: site, id: oID)
        guard var order = state.orders[key] else { return (render.error(-6, "Commande introuvable", script: script), -6) }
        if order.status == target { return (render.error(-9, "Statut identique", script: script), -9) }
        if [45, 47].contains(target), !state.configuration.acceptsParcelOutcomes {
            return (render.error(-5, "Statut invalide", script: script), -5)
        }
        let allowed: Bool = switch target {
        case 2: order.status == 11
        case 3: order.status == 2
        case 41: order.status != 3 && order.status != 41
        case 45, 47: order.status == 3
        default: false
        }
        guard allowed else { return (render.error(-7, "Chronologie des statuts non respectee", script: script), -7) }
        let from = order.status
        order.status = target
        order.modifiedAt = now
        if target == 3 {
            order.trackingNumber = tracking
            order.shippedAt = now
        }
        state.orders[key] = order
        let kind: AppliedEffect.Kind = switch target {
        case 2: .accept
        case 3: .ship
        case 41: .cancel
        default: .parcelOutcome
        }
        state.effects.append(AppliedEffect(time: now, site: site, orderID: oID, kind: kind, fromStatus: from, toStatus: target,
                                           details: target == 3 ? ["tracking_number": tracking] : [:]))
        return (render.updated(), 1)
    }

    /// `xml_export_bl.php`: `xml` = `<root><order_id/><products><product><reference_partenaire/>
    /// <product_quantity/>…` (−11 when missing, −15 when not XML or without `order_id`), the order on this
    /// site (−6), not cancelled (−7), every `reference_partenaire` a reference of the order's products in the
    /// configured form (−12, missing reference; ``Configuration/slipReference``); answers the slip as a base64 PDF.
    func deliverySlip(_ parameters: [String: String], site: String, render: Renderer, state: State) -> (HTTPResponse, Int?) {
        let script = "xml_export_bl.php"
        guard let xml = parameters["xml"], !xml.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return (render.error(-11, "Le parametre xml est obligatoire", script: script), -11)
        }
        guard let request = SlipRequest.parse(xml), !request.orderID.isEmpty else {
            return (render.error(-15, "Erreur de syntaxe XML", script: script), -15)
        }
        guard let order = state.orders[OrderKey(site: site, id: request.orderID)] else {
            return (render.error(-6, "Commande introuvable", script: script), -6)
        }
        guard order.status != 41 else { return (render.error(-7, "Commande annulee", script: script), -7) }
        let known = Set(order.products.map { state.configuration.slipReference == .product ? $0.reference : $0.sizeReference }
            .filter { !$0.isEmpty })
        guard !request.products.isEmpty, request.products.allSatisfy({ known.contains($0.reference) }) else {
            return (render.error(-12, "Reference partenaire manquante", script: script), -12)
        }
        return (render.slip(orderID: order.id, pdf: Self.slipPDF(for: order)), 1)
    }
}

/// The parsed `xml` parameter of `xml_export_bl.php`.
public struct SlipRequest: Sendable, Equatable {
    public var orderID: String
    /// (`reference_partenaire`, `product_quantity`) in order.
    public var products: [(reference: String, quantity: Int)]

    public static func == (lhs: SlipRequest, rhs: SlipRequest) -> Bool {
        lhs.orderID == rhs.orderID && lhs.products.map(\.reference) == rhs.products.map(\.reference)
            && lhs.products.map(\.quantity) == rhs.products.map(\.quantity)
    }

    /// Nil when `text` is not well-formed XML.
    public static func parse(_ text: String) -> SlipRequest? {
        let parser = XMLParser(data: Data(text.utf8))
        parser.shouldResolveExternalEntities = false
        let collector = SlipCollector()
        parser.delegate = collector
        guard parser.parse() else { return nil }
        return SlipRequest(orderID: collector.orderID.trimmingCharacters(in: .whitespacesAndNewlines), products: collector.products)
    }
}

private final class SlipCollector: NSObject, XMLParserDelegate {
    var orderID = ""
    var products: [(reference: String, quantity: Int)] = []
    private var current = ""
    private var text = ""
    private var reference = ""
    private var quantity = 0

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
                attributes attributeDict: [String: String] = [:]) {
        current = elementName
        text = ""
        if elementName == "product" { reference = ""; quantity = 0 }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) { text += String(decoding: CDATABlock, as: UTF8.self) }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        switch elementName {
        case "order_id": orderID = value
        case "reference_partenaire": reference = value
        case "product_quantity": quantity = Int(value) ?? 0
        case "product": products.append((reference, quantity))
        default: break
        }
        text = ""
    }
}
