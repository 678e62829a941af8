import Foundation

extension SpartooSimulator {
    /// A return as Spartoo keeps it (aftersale.md §2.1): one product, keyed by (site, `return_id`), linked to
    /// an order. Statuses: 14 waiting for the merchant's label, 2 waiting to be received, 3 refused, 4 received
    /// and accepted, 5 paid, 7 refunded.
    public struct Return: Sendable, Equatable {
        public var site: String
        public var returnID: String
        public var orderID: String
        public var status: Int
        public var reason: String
        public var createdAt: Date
        /// The order's product (`products_spartoo` and size) the return is for.
        public var productSpartoo: String
        public var productReference: String
        public var size: String
        public var labelLink: String?

        public init(site: String = "fr", returnID: String, orderID: String, status: Int = 2, reason: String = "Taille trop petite",
                    createdAt: Date, productSpartoo: String = "987654", productReference: String = "REF-123", size: String = "42",
                    labelLink: String? = nil) {
            self.site = site; self.returnID = returnID; self.orderID = orderID; self.status = status; self.reason = reason
            self.createdAt = createdAt; self.productSpartoo = productSpartoo; self.productReference = productReference
            self.size = size; self.labelLink = labelLink
        }
    }

    struct ReturnKey: Hashable, Sendable { let site: String; let id: String }

    /// Adds (or replaces) a return.
    public func addReturn(_ value: Return) { withState { $0.returns[ReturnKey(site: value.site, id: value.returnID)] = value } }

    /// A return as the simulator holds it now.
    public func spartooReturn(site: String = "fr", _ id: String) -> Return? { withState { $0.returns[ReturnKey(site: site, id: id)] } }

    /// Moves a return as Spartoo itself does (4 → 5/7 when it pays, …), without any check.
    public func setReturnStatus(site: String = "fr", _ id: String, to status: Int) {
        withState { $0.returns[ReturnKey(site: site, id: id)]?.status = status }
    }

    static let returnStatusNames: [Int: String] = [
        2: "En attente de réception", 3: "Refusé", 4: "Colis reçu, retour accepté", 5: "Réglé", 7: "Remboursement",
        14: "En attente de l'étiquette retour",
    ]

    /// `xml_export_returns.php`: by `rID`, by `oID`, or by `date` (a UNIX timestamp: returns *created* from
    /// then on); −3 without any; optional `statut`. One product per `<return>`.
    func exportReturns(_ parameters: [String: String], site: String, render: Renderer, state: State) -> (HTTPResponse, Int?) {
        let script = "xml_export_returns.php"
        let status = (parameters["statut"]).flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        var selected = state.returns.values.filter { $0.site == site }
        if let rID = parameters["rID"], !rID.isEmpty {
            selected = selected.filter { $0.returnID == rID }
        } else if let oID = parameters["oID"], !oID.isEmpty {
            selected = selected.filter { $0.orderID == oID }
        } else if let text = parameters["date"], !text.isEmpty {
            guard let seconds = TimeInterval(text.trimmingCharacters(in: .whitespaces)) else {
                return (render.error(-3, "Le parametre date doit etre un timestamp UNIX", script: script), -3)
            }
            selected = selected.filter { $0.createdAt >= Date(timeIntervalSince1970: seconds) }
        } else {
            return (render.error(-3, "Le parametre date, oID ou rID est obligatoire", script: script), -3)
        }
        if let status { selected = selected.filter { $0.status == status } }
        selected.sort { ($0.createdAt, $0.returnID) < ($1.createdAt, $1.returnID) }
        let items = selected.map { r in
            "<return><return_id>\(render.text(r.returnID))</return_id><return_date>\(SimDate.format(r.createdAt))</return_date>"
                + "<return_status_name>\(render.text(Self.returnStatusNames[r.status] ?? ""))</return_status_name>"
                + "<return_status>\(r.status)</return_status><return_reason>\(render.text(r.reason))</return_reason>"
                + "<order>\(render.text(r.orderID))</order><product><products_reference>\(render.text(r.productReference))</products_reference>"
                + "<products_name>Article</products_name><products_spartoo>\(render.text(r.productSpartoo))</products_spartoo>"
                + "<products_manufacturers>Marque</products_manufacturers><products_size>\(render.text(r.size))</products_size>"
                + "<products_color>Noir</products_color></product><errors><error><id/><description/></error></errors></return>"
        }
        return (render.ok("<returns>" + items.joined() + "</returns><statut><id>1</id><description/></statut>"), 1)
    }

    /// `xml_maj_returns.php` (POST only): `rID` and `statut` 3 (refuse) or 4 (accept), and/or a `label_link`.
    /// −5 without rID (or with neither a status nor a label), −6 unknown, −9 same status, −7 chronology
    /// (→4 only from 2 or 3, →3 only from 2), −25 the same link again; a label on a return at 14 moves it to 2.
    func updateReturn(_ parameters: [String: String], method: String, site: String, now: Date, render: Renderer,
                      state: inout State) -> (HTTPResponse, Int?) {
        guard method == "POST" else { return (.html(405, "<html><body><h1>405 Method Not Allowed</h1></body></html>"), nil) }
        func reply(_ code: Int, _ message: String) -> (HTTPResponse, Int?) {
            (render.ok("<returns><return><rID>\(render.text(parameters["rID"] ?? ""))</rID><errors><error><id>\(code)</id>"
                + "<description>\(render.text(message))</description></error></errors></return></returns>"
                + "<statut><id>\(code)</id><description>\(render.text(message))</description></statut>"), code)
        }
        let target = parameters["statut"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let label = parameters["label_link"].flatMap { $0.isEmpty ? nil : $0 }
        guard let rID = parameters["rID"], !rID.isEmpty, target != nil || label != nil else {
            return reply(-5, "Les parametres rID et statut sont obligatoires")
        }
        let key = ReturnKey(site: site, id: rID)
        guard var item = state.returns[key] else { return reply(-6, "Retour introuvable") }
        if let label {
            if item.labelLink == label, target == nil { return reply(-25, "Lien identique") }
            item.labelLink = label
            if item.status == 14 { item.status = 2 }
        }
        if let target {
            if item.status == target { state.returns[key] = item; return reply(-9, "Statut identique") }
            let allowed = switch target {
            case 4: item.status == 2 || item.status == 3
            case 3: item.status == 2
            default: false
            }
            guard allowed else { return reply(-7, "Changement de statut impossible") }
            let from = item.status
            item.status = target
            state.effects.append(AppliedEffect(time: now, site: site, orderID: item.orderID, kind: target == 4 ? .returnAccepted : .returnRefused,
                                               fromStatus: from, toStatus: target, details: ["rID": rID, "label_link": label ?? ""]))
        }
        state.returns[key] = item
        return reply(1, "")
    }
}
