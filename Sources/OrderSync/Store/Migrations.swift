/// Named, append-only schema migrations. Never edit a shipped migration: add a new one.
/// Each runs in its own transaction and is recorded in `schema_migrations`.
enum Migrations {
    static let all: [(name: String, sql: [String])] = [
        ("2026-11-01-initial", [
            """
            CREATE TABLE orders (
                channel TEXT NOT NULL,
                external_id TEXT NOT NULL,
                status TEXT NOT NULL,
                channel_status TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                order_json BLOB NOT NULL,
                raw BLOB,
                accept_by TEXT,
                first_seen_at TEXT NOT NULL,
                changed_at TEXT NOT NULL,
                PRIMARY KEY (channel, external_id)
            )
            """,
            "CREATE INDEX orders_status ON orders(status)",
            """
            CREATE TABLE order_history (
                id INTEGER PRIMARY KEY,
                channel TEXT NOT NULL,
                external_id TEXT NOT NULL,
                at TEXT NOT NULL,
                from_status TEXT,
                to_status TEXT NOT NULL,
                channel_status TEXT NOT NULL
            )
            """,
            "CREATE INDEX order_history_ref ON order_history(channel, external_id)",
            """
            CREATE TABLE cursors (
                channel TEXT PRIMARY KEY,
                cursor TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE channel_state (
                channel TEXT PRIMARY KEY,
                last_attempt_at TEXT,
                last_success_at TEXT,
                consecutive_errors INTEGER NOT NULL DEFAULT 0,
                last_error TEXT,
                failing_since TEXT
            )
            """,
            """
            CREATE TABLE jobs (
                id INTEGER PRIMARY KEY,
                channel TEXT NOT NULL,
                external_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                dedupe_key TEXT NOT NULL,
                payload BLOB NOT NULL,
                state TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at TEXT NOT NULL,
                last_error TEXT,
                result TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                UNIQUE (channel, external_id, kind, dedupe_key)
            )
            """,
            "CREATE INDEX jobs_due ON jobs(state, next_attempt_at)",
            """
            CREATE TABLE quarantine (
                id INTEGER PRIMARY KEY,
                channel TEXT NOT NULL,
                external_id TEXT,
                reason TEXT NOT NULL,
                raw BLOB,
                at TEXT NOT NULL
            )
            """,
        ]),
        ("2026-11-22-order-site", [
            "ALTER TABLE orders ADD COLUMN site TEXT",
        ]),
        ("2026-11-22-deadlines-heartbeat", [
            "ALTER TABLE orders ADD COLUMN deadline_warned_at TEXT",
            "ALTER TABLE orders ADD COLUMN deadline_missed_at TEXT",
            "CREATE INDEX orders_accept_by ON orders(status, accept_by)",
            "CREATE TABLE daemon_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        ]),
        ("2026-12-05-channel-unauthorized-status-index", [
            "ALTER TABLE channel_state ADD COLUMN unauthorized INTEGER NOT NULL DEFAULT 0",
            "CREATE INDEX orders_channel_status ON orders(channel, status)",
        ]),
        ("2026-12-05-shipping-deadlines", [
            "ALTER TABLE orders ADD COLUMN accepted_at TEXT",
            "ALTER TABLE orders ADD COLUMN ship_by TEXT",
            "ALTER TABLE orders ADD COLUMN ship_warned_at TEXT",
            "ALTER TABLE orders ADD COLUMN ship_missed_at TEXT",
            "CREATE INDEX orders_ship_by ON orders(status, ship_by)",
            // Orders stored before: accepted when their history first shows awaiting_shipment.
            """
            UPDATE orders SET accepted_at = (SELECT MIN(h.at) FROM order_history h
                WHERE h.channel = orders.channel AND h.external_id = orders.external_id
                AND h.to_status = 'awaiting_shipment')
            """,
        ]),
        ("2026-12-05-alert-state", [
            """
            CREATE TABLE alert_state (
                event TEXT NOT NULL,
                channel TEXT NOT NULL,
                subject TEXT NOT NULL,
                first_sent_at TEXT NOT NULL,
                last_sent_at TEXT NOT NULL,
                PRIMARY KEY (event, channel, subject)
            )
            """,
        ]),
        // The cursors table keeps cursors only: a poller's bookkeeping (`<channel>#stale-refresh`,
        // `<channel>#aftersale`) moves to channel marks, values carried over.
        ("2026-12-05-channel-marks", [
            """
            CREATE TABLE channel_marks (
                channel TEXT NOT NULL,
                mark TEXT NOT NULL,
                value TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (channel, mark)
            )
            """,
            """
            INSERT INTO channel_marks (channel, mark, value, updated_at)
                SELECT substr(channel, 1, instr(channel, '#') - 1), substr(channel, instr(channel, '#') + 1), cursor, updated_at
                FROM cursors WHERE instr(channel, '#') > 0
            """,
            "DELETE FROM cursors WHERE instr(channel, '#') > 0",
        ]),
        // The store as the fulfilment desk: one row per mirrored marketplace order, written before the store
        // order is created (the intent), so any retry first looks for an order created since first_queued_at.
        ("2026-12-05-mirrors", [
            """
            CREATE TABLE mirrors (
                channel TEXT NOT NULL,
                external_id TEXT NOT NULL,
                store TEXT NOT NULL,
                store_order_id TEXT,
                state TEXT NOT NULL,
                reason TEXT,
                first_queued_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                noted_job_id INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (channel, external_id)
            )
            """,
            "CREATE INDEX mirrors_state ON mirrors(state)",
        ]),
        // Returns and after-sale cases, one row per channel case, kept as the channel last showed them.
        ("2026-12-05-returns", [
            """
            CREATE TABLE returns (
                channel TEXT NOT NULL,
                return_ref TEXT NOT NULL,
                external_id TEXT NOT NULL,
                status TEXT NOT NULL,
                channel_status TEXT NOT NULL,
                reason TEXT,
                created_at TEXT,
                lines TEXT NOT NULL,
                first_seen_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                warned_at TEXT,
                PRIMARY KEY (channel, return_ref)
            )
            """,
            "CREATE INDEX returns_status ON returns(channel, status)",
            "CREATE INDEX returns_order ON returns(channel, external_id)",
        ]),
        // `orders(status)` duplicates the prefix of `orders_accept_by` and `orders_ship_by`, which answer
        // every status lookup as well; it was one more index write per stored order (issue 17).
        ("2026-12-06-drop-orders-status-index", [
            "DROP INDEX IF EXISTS orders_status",
        ]),
        // The deadline watch's rows only: orders waiting for acceptance whose missed-deadline error is not
        // logged yet. Through `orders_accept_by` each look read every order already marked (issue 17).
        ("2026-12-06-acceptance-watch-index", [
            """
            CREATE INDEX orders_accept_unmarked ON orders(channel, accept_by)
            WHERE status = 'awaiting_acceptance' AND deadline_missed_at IS NULL AND accept_by IS NOT NULL
            """,
        ]),
    ]

    static func run(on db: Database) throws {
        try db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        let applied = Set(try db.query("SELECT name FROM schema_migrations").compactMap { $0.string("name") })
        for migration in all where !applied.contains(migration.name) {
            try db.inTransaction {
                // Re-check inside the write lock: another process may have migrated meanwhile.
                if try !db.query("SELECT name FROM schema_migrations WHERE name = ?", [.text(migration.name)]).isEmpty {
                    return
                }
                for sql in migration.sql { try db.execute(sql) }
                try db.execute("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                               [.text(migration.name), .text(Timestamp.format(Date()))])
            }
        }
    }
}

import Foundation
