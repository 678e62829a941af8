import ChannelSimulator
import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// Spartoo's published facts (`Tests/Fixtures/specs/spartoo/`, see its README for sources) as checks on
/// requests and replies. Each check returns the violations it found, empty when the message conforms.
struct SpartooSpecOracle {
    struct Script {
        var method: String
        var parameters: Set<String>
        var required: [String]
        var oneOf: [[String]]
        var statut: Set<Int>
        var requiredWithStatut: [String: [String]]
        var formats: [String: String]
    }

    let scripts: [String: Script]
    /// Every documented code, and those documented for return labels only.
    let codes: Set<Int>
    let returnsOnly: Set<Int>
    let statuses: Set<Int>
    let shapes: [String: [String: Any]]

    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/specs/spartoo", isDirectory: true)
    }

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], name)
    }

    init() throws {
        var scripts: [String: Script] = [:]
        for (name, value) in try Self.json("scripts.json") {
            let s = try XCTUnwrap(value as? [String: Any], name)
            scripts[name] = Script(
                method: s["method"] as? String ?? "POST",
                parameters: Set(s["parameters"] as? [String] ?? []),
                required: s["required"] as? [String] ?? [],
                oneOf: s["one_of"] as? [[String]] ?? [],
                statut: Set(s["statut"] as? [Int] ?? []),
                requiredWithStatut: s["required_with_statut"] as? [String: [String]] ?? [:],
                formats: s["formats"] as? [String: String] ?? [:])
        }
        self.scripts = scripts
        let codes = try Self.json("codes.json")
        self.codes = Set((codes["codes"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? Int })
        self.returnsOnly = Set(codes["returns_only"] as? [Int] ?? [])
        self.statuses = Set(((try Self.json("statuses.json"))["statuses"] as? [String: String] ?? [:]).keys.compactMap(Int.init))
        self.shapes = (try Self.json("shapes.json")).compactMapValues { $0 as? [String: Any] }
    }

    /// The codes of the order and slip scripts (the table without the return-label codes).
    var orderCodes: Set<Int> { codes.subtracting(returnsOnly) }

    // MARK: requests

    /// What is wrong with one request to `script` carrying `parameters` by `method`.
    func requestViolations(script: String, method: String, parameters: [String: String]) -> [String] {
        guard let spec = scripts[script] else { return ["\(script): not a documented script"] }
        var problems: [String] = []
        if method != spec.method { problems.append("\(script): sent by \(method), documented as \(spec.method)") }
        for name in parameters.keys.sorted() where !spec.parameters.contains(name) {
            problems.append("\(script): parameter \"\(name)\" is not documented")
        }
        for name in spec.required where (parameters[name] ?? "").isEmpty {
            problems.append("\(script): required parameter \"\(name)\" missing")
        }
        for group in spec.oneOf where group.filter({ !(parameters[$0] ?? "").isEmpty }).count != 1 {
            problems.append("\(script): exactly one of \(group) expected")
        }
        if let statut = parameters["statut"] {
            if let value = Int(statut), spec.statut.contains(value) {
                for name in spec.requiredWithStatut[statut] ?? [] where (parameters[name] ?? "").isEmpty {
                    problems.append("\(script): statut \(statut) needs \"\(name)\"")
                }
            } else {
                problems.append("\(script): statut \"\(statut)\" not in \(spec.statut.sorted())")
            }
        }
        for (name, pattern) in spec.formats {
            if let value = parameters[name], value.range(of: pattern, options: .regularExpression) == nil {
                problems.append("\(script): \(name) \"\(value)\" does not match \(pattern)")
            }
        }
        if script == "xml_export_bl.php", let xml = parameters["xml"] { problems += slipRequestViolations(xml) }
        return problems
    }

    /// The `xml` of a slip request against the documented request shape.
    func slipRequestViolations(_ xml: String) -> [String] {
        let shape = shapes["slip_request"] ?? [:]
        guard let root = try? SpartooXML.parse(Data(xml.utf8)) else { return ["slip xml is not well-formed"] }
        var problems = children(of: root, named: "root", allowed: shape["root_children"], path: "slip request")
        for name in shape["required_root_children"] as? [String] ?? [] where root.child(name) == nil {
            problems.append("slip request: <\(name)> missing")
        }
        let products = root.child("products")?.children ?? []
        if products.isEmpty { problems.append("slip request: no <product>") }
        let pattern = shape["reference_pattern"] as? String ?? ".*"
        for product in products {
            problems += children(of: product, named: "product", allowed: shape["product_children"], path: "slip request product")
            for name in shape["required_product_children"] as? [String] ?? [] where (product.string(name) ?? "").isEmpty {
                problems.append("slip request: <product> without <\(name)>")
            }
            if let reference = product.string("reference_partenaire"), reference.range(of: pattern, options: .regularExpression) == nil {
                problems.append("slip request: reference \"\(reference)\" has characters outside \(pattern)")
            }
            if let quantity = product.string("product_quantity"), Int(quantity) == nil {
                problems.append("slip request: product_quantity \"\(quantity)\" is not an int")
            }
        }
        return problems
    }

    // MARK: replies

    /// What is wrong with a reply body of `script` (the simulator's default reply shapes).
    func replyViolations(script: String, body: Data) -> [String] {
        guard let root = try? SpartooXML.parse(body) else { return ["\(script): reply is not well-formed XML"] }
        var problems: [String] = []
        switch script {
        case "xml_export_orders.php":
            let shape = shapes["export_orders_reply"] ?? [:]
            problems += children(of: root, named: "root", allowed: shape["root_children"], path: "export")
            if let statut = root.child("statut") {
                problems += children(of: statut, named: "statut", allowed: shape["statut_children"], path: "export statut")
                problems += code(statut.string("id"), script: script)
            } else {
                problems.append("export: no <statut>")
            }
            for order in root.child("orders")?.children ?? [] {
                problems += orderViolations(order, shape)
            }
        case "xml_export_bl.php":
            let shape = shapes["slip_reply"] ?? [:]
            problems += children(of: root, named: "root", allowed: shape["root_children"], path: "slip")
            for slip in root.children(named: "bl") {
                problems += children(of: slip, named: "bl", allowed: shape["bl_children"], path: "slip bl")
            }
            problems += code(root.string("errors"), script: script)
        case "xml_maj_orders.php":
            let shape = shapes["maj_orders_reply"] ?? [:]
            problems += children(of: root, named: "root", allowed: shape["root_children"], path: "update")
            problems += code(root.string("errors"), script: script)
        default:
            problems.append("\(script): not a documented script")
        }
        return problems
    }

    private func orderViolations(_ order: SpartooXMLElement, _ shape: [String: Any]) -> [String] {
        func list(_ key: String) -> [String] { shape[key] as? [String] ?? [] }
        var problems = children(of: order, named: "order", allowed: list("order_children_documented") + list("order_children_notes"),
                                path: "order")
        if let customers = order.child("customers") {
            problems += children(of: customers, named: "customers", allowed: list("customers_children"), path: "customers")
        }
        if let delivery = order.child("delivery") {
            problems += children(of: delivery, named: "delivery",
                                 allowed: list("delivery_children_documented") + list("delivery_children_notes"), path: "delivery")
            if let relay = delivery.child("relay_info") {
                problems += children(of: relay, named: "relay_info", allowed: list("relay_info_children"), path: "relay_info")
            }
        }
        for product in order.child("products")?.children ?? [] {
            problems += children(of: product, named: "product", allowed: list("product_children_notes"), path: "product")
        }
        if let status = order.string("orders_status_id"), !(Int(status).map(statuses.contains) ?? false) {
            problems.append("order: orders_status_id \(status) is not a documented status")
        }
        return problems
    }

    /// `element` is named `name` and its children are among `allowed`.
    private func children(of element: SpartooXMLElement, named name: String, allowed: Any?, path: String) -> [String] {
        var problems: [String] = []
        if element.name != name { problems.append("\(path): <\(element.name)> where <\(name)> is documented") }
        let allowed = Set(allowed as? [String] ?? [])
        for child in element.children where !allowed.contains(child.name) {
            problems.append("\(path): <\(child.name)> is not documented")
        }
        return problems
    }

    private func code(_ text: String?, script: String) -> [String] {
        guard let text, let value = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            return ["\(script): reply has no integer code"]
        }
        return orderCodes.contains(value) ? [] : ["\(script): code \(value) is not in the code table"]
    }
}
