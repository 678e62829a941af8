import Foundation

extension SpartooSimulator {
    /// Writes replies as Spartoo does: XML with a declaration, UTF-8 or ISO-8859-1 (characters Latin-1 lacks
    /// become numeric references), escaped text or CDATA per order, Paris wall-clock dates, `.` or `,` decimals.
    struct Renderer {
        let configuration: Configuration
        let latin1: Bool
        let site: String

        // MARK: replies

        func ok(_ inner: String) -> HTTPResponse { document("<root>" + inner + "</root>") }

        func orders(_ orders: [Order]) -> HTTPResponse {
            ok("\n<orders>" + orders.map(order).joined() + "\n</orders>\n<statut><id>1</id></statut>\n")
        }

        func updated() -> HTTPResponse { ok("<errors>1</errors>") }

        func slip(orderID: String, pdf: Data) -> HTTPResponse {
            let base64 = pdf.base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])
            return ok("<bl><order_id>\(text(orderID))</order_id><pdf>\(base64)</pdf></bl><errors>1</errors>")
        }

        /// An error code in the configured shape (always HTTP 200).
        func error(_ code: Int, _ message: String, script: String) -> HTTPResponse {
            switch configuration.errorShape {
            case .loneInteger:
                return HTTPResponse(status: 200, headers: [("Content-Type", "text/html; charset=UTF-8")], body: Data(String(code).utf8))
            case .nested:
                return ok("<errors><error><id>\(code)</id><description>\(text(message))</description></error></errors>")
            case .byScript:
                if script == "xml_export_orders.php" {
                    return ok("<statut><id>\(code)</id><description>\(text(message))</description></statut>")
                }
                return ok("<errors>\(code)</errors>")
            }
        }

        /// The XML declaration plus `root`, encoded as configured.
        func document(_ root: String) -> HTTPResponse {
            let charset = latin1 ? "ISO-8859-1" : "UTF-8"
            let xml = "<?xml version=\"1.0\" encoding=\"\(charset)\"?>\n" + root
            let body: Data
            if latin1 {
                body = Data(xml.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value <= 0xFF ? $0.value : 0x3F) })
            } else {
                body = Data(xml.utf8)
            }
            return HTTPResponse(status: 200, headers: [("Content-Type", "text/xml; charset=\(charset)")], body: body)
        }

        // MARK: pieces

        /// Escaped text; in Latin-1 mode characters above U+00FF become `&#N;`.
        func text(_ value: String) -> String {
            var out = ""
            for scalar in value.unicodeScalars {
                switch scalar {
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                default:
                    if latin1 && scalar.value > 0xFF { out += "&#\(scalar.value);" } else { out.unicodeScalars.append(scalar) }
                }
            }
            return out
        }

        /// A value as CDATA when the order asks for it (and the encoding can carry it), else escaped text.
        func value(_ value: String, cdata: Bool) -> String {
            if cdata && (!latin1 || value.unicodeScalars.allSatisfy { $0.value <= 0xFF }) {
                return "<![CDATA[" + value.replacingOccurrences(of: "]]>", with: "]]]]><![CDATA[>") + "]]>"
            }
            return text(value)
        }

        func money(_ cents: Int) -> String {
            let text = String(format: "%d.%02d", cents / 100, abs(cents % 100))
            return configuration.decimalComma ? text.replacingOccurrences(of: ".", with: ",") : text
        }

        func order(_ order: Order) -> String {
            let c = order.useCDATA
            func element(_ name: String, _ content: String, indent: String = "  ") -> String {
                "\n\(indent)<\(name)>\(value(content, cdata: c))</\(name)>"
            }
            func person(_ prefix: String, _ person: Person?, customer: Bool) -> String {
                let p = person ?? Person(firstName: "", lastName: "", street: "", postcode: "", city: "", country: "", email: "", phone: "")
                var out = element("\(prefix)_firstname", p.firstName, indent: "    ")
                out += element("\(prefix)_lastname", p.lastName, indent: "    ")
                out += element("\(prefix)_company", p.company, indent: "    ")
                out += element("\(prefix)_street_address", p.street, indent: "    ")
                out += element("\(prefix)_suburb", p.suburb, indent: "    ")
                out += element("\(prefix)_city", p.city, indent: "    ")
                out += element("\(prefix)_postcode", p.postcode, indent: "    ")
                out += element("\(prefix)_state", p.state, indent: "    ")
                out += element("\(prefix)_country", p.country, indent: "    ")
                if customer {
                    out += element("\(prefix)_email_address", p.email, indent: "    ")
                    out += element("\(prefix)_telephone", p.phone, indent: "    ")
                }
                return out
            }
            var xml = "\n<order>" + element("orders_id", order.id)
            xml += "\n  <customers>" + person("customers", order.customer, customer: true) + "\n  </customers>"
            xml += "\n  <delivery>" + person("delivery", order.delivery, customer: false)
            if let relay = order.relay {
                xml += "\n    <relay_info>"
                for (name, content) in [("relay_id", relay.id), ("relay_type", relay.type), ("relay_name", relay.name),
                                        ("relay_address", relay.address), ("relay_city", relay.city),
                                        ("relay_postcode", relay.postcode), ("relay_country_iso", relay.countryISO)] {
                    xml += element(name, content, indent: "      ")
                }
                xml += "\n    </relay_info>"
            }
            xml += "\n  </delivery>"
            xml += element("payment_method", order.paymentMethod) + element("payment_price", money(0))
            xml += element("shipping_price", money(order.shippingCents)) + element("shipping_name", order.shippingName)
            xml += element("order_total", money(order.total)) + element("orders_status_id", String(order.status))
            xml += element("orders_status_name", SpartooSimulator.statusName(order.status, site: site))
            xml += element("date_purchased", SpartooParisTime.format(order.purchasedAt ?? Date()))
            xml += element("last_modified", SpartooParisTime.format(order.modifiedAt ?? order.purchasedAt ?? Date()))
            if configuration.exportTrackingNumber && !order.trackingNumber.isEmpty {
                xml += element("tracking_number", order.trackingNumber)
            }
            xml += "\n  <products>"
            for product in order.products {
                xml += "\n    <product>"
                for (name, content) in [
                    ("products_reference", product.reference), ("products_size_reference", product.sizeReference),
                    ("products_spartoo", product.spartooID), ("products_name", product.name),
                    ("products_manufacturers", product.manufacturer), ("products_size", product.size),
                    ("products_color", product.color), ("products_qty", String(product.quantity)),
                    ("products_price_unit", money(product.unitCents)),
                    ("products_price_unit_with_reduce", money(product.unitWithReduceCents)),
                    ("products_final_price", money(product.unitWithReduceCents * product.quantity)),
                ] {
                    xml += element(name, content, indent: "      ")
                }
                xml += "\n    </product>"
            }
            return xml + "\n  </products>\n</order>"
        }
    }
}

/// Europe/Paris wall-clock time with the EU summer-time rule, for Spartoo's dates (no tz database needed).
public enum SpartooParisTime {
    /// Paris' offset from UTC at `date`, in seconds.
    public static func offset(at date: Date) -> Int {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let year = SimDate.civil(fromDays: seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400).0
        let start = lastSunday(year: year, month: 3) * 86_400 + 3600
        let end = lastSunday(year: year, month: 10) * 86_400 + 3600
        return seconds >= start && seconds < end ? 7200 : 3600
    }

    /// `YYYY-MM-DD HH:MM:SS` in Paris time (`separator` `:` gives the `date` parameter's form).
    public static func format(_ date: Date, separator: String = " ") -> String {
        let local = Int64(date.timeIntervalSince1970.rounded(.down)) + Int64(offset(at: date))
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let rest = Int(local - days * 86_400)
        let (year, month, day) = SimDate.civil(fromDays: days)
        return String(format: "%04d-%02d-%02d%@%02d:%02d:%02d", Int(year), month, day, separator, rest / 3600, rest % 3600 / 60, rest % 60)
    }

    /// Parses `YYYY-MM-DD:hh:mm:ss`, `YYYY-MM-DD hh:mm:ss`, `…T…` or a bare date, read as Paris time.
    public static func parse(_ text: String) -> Date? {
        var value = text.trimmingCharacters(in: .whitespaces)
        guard value.count >= 10 else { return nil }
        let cut = value.index(value.startIndex, offsetBy: 10)
        if cut < value.endIndex, value[cut] == ":" { value.replaceSubrange(cut...cut, with: " ") }
        guard value.count == 10 || value.count >= 16, let asUTC = SimDate.parse(value) else { return nil }
        let summer = asUTC.addingTimeInterval(-7200)
        return offset(at: summer) == 7200 ? summer : asUTC.addingTimeInterval(-3600)
    }

    private static func lastSunday(year: Int64, month: Int) -> Int64 {
        let last = SimDate.daysFromCivil(year: year, month: month, day: 31)
        let weekday = ((last + 4) % 7 + 7) % 7
        return last - weekday
    }
}
