import OrderSync

/// Every command: its parser spec and help text. The order here is the order `--help` lists them in.
enum Commands {
    static let all: [CommandSpec] = [
        CommandSpec(name: "run", summary: "run the daemon in the foreground (SIGTERM stops, SIGHUP reloads)",
                    usage: "ordersync [--config PATH] run"),
        CommandSpec(name: "check-config", summary: "validate the config and the secrets it points to",
                    usage: "ordersync [--config PATH] check-config"),
        CommandSpec(name: "status", summary: "per channel: health, last success, orders by status, jobs, deadlines, cursor",
                    usage: "ordersync status [--json]", flags: ["json"]),
        CommandSpec(name: "orders", summary: "list normalized orders",
                    usage: "ordersync orders [--channel ID] [--status STATUS] [--json]",
                    flags: ["json"], options: ["channel", "status"]),
        CommandSpec(name: "show", summary: "one order in full",
                    usage: "ordersync show ORDER_REF [--json] [--raw]", flags: ["json", "raw"], positionals: ["ORDER_REF"]),
        CommandSpec(name: "accept", summary: "queue acceptance of a new order",
                    usage: "ordersync accept ORDER_REF", positionals: ["ORDER_REF"]),
        CommandSpec(name: "cancel", summary: "queue cancellation of an order",
                    usage: "ordersync cancel ORDER_REF [--reason TEXT]", options: ["reason"], positionals: ["ORDER_REF"]),
        CommandSpec(name: "ship", summary: "queue a shipment (tracking, carrier, IMEI/serial) for push-back",
                    usage: "ordersync ship ORDER_REF --tracking NUMBER [--carrier KEY] [--tracking-url URL] [--imei IMEI] "
                        + "[--serial SERIAL] [--line LINE_ID[=IMEI_OR_SERIAL]]... [--shipped-at ISO8601]",
                    options: ["tracking", "carrier", "tracking-url", "imei", "serial", "shipped-at"], repeatable: ["line"],
                    positionals: ["ORDER_REF"]),
        CommandSpec(name: "mirror", summary: "queue the store copy of one marketplace order now (see `mirror` in the config)",
                    usage: "ordersync mirror ORDER_REF", positionals: ["ORDER_REF"]),
        CommandSpec(name: "refund", summary: "queue a refund, made exactly once (read back before any retry)",
                    usage: "ordersync refund ORDER_REF --reason TEXT [--amount X] [--line LINE_ID[=QTY]]... [--via-gateway]",
                    flags: ["via-gateway"], options: ["reason", "amount"], repeatable: ["line"], positionals: ["ORDER_REF"]),
        CommandSpec(name: "returns", summary: "returns and after-sale cases across channels, oldest open first",
                    usage: "ordersync returns [--channel ID] [--status S] [--json]", flags: ["json"], options: ["channel", "status"]),
        CommandSpec(name: "return", summary: "accept or refuse a return (Spartoo; exit 65 elsewhere)",
                    usage: "ordersync return accept RETURN_REF [--label-url URL] | ordersync return refuse RETURN_REF --reason TEXT",
                    options: ["label-url", "reason"], positionals: ["ACTION", "RETURN_REF"]),
        CommandSpec(name: "lost", summary: "Spartoo: mark a shipped parcel lost by the carrier (statut 45)",
                    usage: "ordersync lost ORDER_REF", positionals: ["ORDER_REF"]),
        CommandSpec(name: "undelivered", summary: "Spartoo: mark a shipped parcel returned undelivered (statut 47)",
                    usage: "ordersync undelivered ORDER_REF", positionals: ["ORDER_REF"]),
        CommandSpec(name: "jobs", summary: "the outbound queue (accept, cancel, ship, refund pushes; mirror copies; obsolete = dropped)",
                    usage: "ordersync jobs [--failed] [--json]", flags: ["failed", "json"]),
        CommandSpec(name: "retry", summary: "queue a failed job again",
                    usage: "ordersync retry JOB_ID | ordersync retry --all-failed", flags: ["all-failed"],
                    positionals: ["JOB_ID"], optionalPositionals: 1),
        CommandSpec(name: "import-shipments", summary: "queue shipments from a CSV file",
                    usage: "ordersync import-shipments FILE.csv", positionals: ["FILE"]),
        CommandSpec(name: "slip", summary: "Spartoo: fetch the delivery-slip PDF",
                    usage: "ordersync slip ORDER_REF [--out FILE]", options: ["out"], positionals: ["ORDER_REF"]),
        CommandSpec(name: "report", summary: "seller KPIs per channel, late acceptances and shipments",
                    usage: "ordersync report [--days N] [--channel ID] [--json]", flags: ["json"], options: ["days", "channel"]),
        CommandSpec(name: "demo", summary: "run against built-in simulators on 127.0.0.1 (no config, no network)",
                    usage: "ordersync demo [--seconds N]", options: ["seconds"]),
        CommandSpec(name: "help", summary: "help for one command", usage: "ordersync help COMMAND",
                    positionals: ["COMMAND"], optionalPositionals: 1),
    ]

    static func spec(_ name: String) -> CommandSpec? { all.first { $0.name == name } }

    static var help: String {
        var text = """
        ordersync \(OrderSyncVersion.current): sync marketplace orders (Back Market, Spartoo, WooCommerce) with one SQLite database.

        usage: ordersync [--config PATH] COMMAND [OPTIONS]

        The config defaults to $ORDERSYNC_CONFIG, else /etc/ordersync/config.json.

        commands:

        """
        for spec in all {
            text += "  " + spec.name.padding(toLength: 18, withPad: " ", startingAt: 0) + spec.summary + "\n"
        }
        text += """

        exit codes: 0 done, 1 failure, 64 usage, 65 bad input data, 75 temporary failure, 78 configuration error.
        `ordersync help COMMAND` shows a command's options.
        """
        return text
    }

    static func help(for spec: CommandSpec) -> String {
        var text = "usage: \(spec.usage)\n\n\(spec.summary)\n"
        if let details = details[spec.name] { text += "\n" + details + "\n" }
        return text
    }

    static let details: [String: String] = [
        "ship": """
        --tracking NUMBER     tracking number (required); the same order + number again is a no-op
        --carrier KEY         carrier key from the config's carriers (default: the order's mapped carrier)
        --tracking-url URL    default: the carrier's tracking_url template
        --imei IMEI           15 digits with a valid Luhn check digit (single-line orders, or the one line needing it)
        --serial SERIAL       serial number (at most 50 characters)
        --line ID[=VALUE]     ship only this line (WooCommerce), or give a line its IMEI/serial (Back Market:
                              a 15-digit Luhn-valid VALUE is an IMEI, anything else a serial number)
        --shipped-at TIME     ISO 8601 time of dispatch (default now)
        """,
        "refund": """
        --reason TEXT         required; WooCommerce shows it to the buyer (e-mail, My Account): human text only
        --amount X            decimal amount incl. tax (WooCommerce; Back Market refuses amounts: whole lines only)
        --line ID[=QTY]       refund this line (default its whole quantity); repeatable
        --via-gateway         WooCommerce: ask the payment gateway to return the money (default: recorded only)
        Back Market: line 1 → 4, 2 → 5 (before shipping), 3 → 6 (after, return_reason 25 "other", the reason as
        return_message). Spartoo: refused (exit 65): refunds follow returns in the Spartoo back office.
        The same refund (amount, lines, reason) is queued once.
        """,
        "returns": """
        --status S            one of: \(ReturnStatus.allCases.map(\.rawValue).joined(separator: ", "))
        --json                one return per line: return_ref, order_ref, status, channel_status, reason, created_at, lines
        """,
        "return": """
        accept RETURN_REF [--label-url URL]   Spartoo statut 4 (a return waiting for your label needs --label-url)
        refuse RETURN_REF --reason TEXT       Spartoo statut 3, only while the parcel is awaited
        Sent once through xml_maj_returns.php, after reading the return; other channels exit 65.
        """,
        "orders": """
        --status STATUS       one of: \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", "))
        --json                one order object per line (the contract's schema)
        """,
        "demo": """
        --seconds N           how long to run (default 20); the simulator and daemon stop by themselves
        """,
    ]
}
