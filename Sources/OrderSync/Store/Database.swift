import CSQLite
import Foundation

/// A value bound to or read from SQLite.
public enum SQLValue: Sendable, Equatable {
    case null
    case int(Int64)
    case real(Double)
    case text(String)
    case blob(Data)
}

/// One result row, by column name.
public struct Row: Sendable {
    // Performance: values in column order plus one name → index map shared by every row of a query
    // (a dictionary per row was most of the cost of reading many rows, e.g. the deadline checks).
    let values: [SQLValue]
    let index: ColumnIndex

    public subscript(_ name: String) -> SQLValue { index.positions[name].map { values[$0] } ?? .null }

    public func string(_ name: String) -> String? {
        switch self[name] {
        case .text(let s): s
        case .int(let i): String(i)
        case .real(let d): String(d)
        case .blob(let d): String(decoding: d, as: UTF8.self)
        case .null: nil
        }
    }

    public func int(_ name: String) -> Int? {
        switch self[name] {
        case .int(let i): Int(i)
        case .real(let d): Int(d)
        case .text(let s): Int(s)
        default: nil
        }
    }

    public func data(_ name: String) -> Data? {
        switch self[name] {
        case .blob(let d): d
        case .text(let s): Data(s.utf8)
        default: nil
        }
    }
}

/// Column name → position, built once per query and shared by its rows (a class, so rows copy a pointer).
/// The last column of a name wins, as with the dictionary rows had before.
final class ColumnIndex: Sendable {
    let positions: [String: Int]
    let count: Int32
    init(_ names: [String]) {
        count = Int32(names.count)
        var positions: [String: Int] = [:]
        for (i, name) in names.enumerated() { positions[name] = i }
        self.positions = positions
    }
}

/// A prepared statement with its column index, built on its first query and kept (a statement's columns
/// are fixed by its SQL: building the name map for every query was a dictionary per order lookup).
private final class Statement {
    let handle: OpaquePointer
    private var index: ColumnIndex?

    init(handle: OpaquePointer) { self.handle = handle }

    func columns(count: Int32) -> ColumnIndex {
        if let index, index.count == count { return index }
        let built = ColumnIndex((0..<count).map { String(cString: sqlite3_column_name(handle, $0)) })
        index = built
        return built
    }
}

/// The statement cache's key: the SQL text, hashed by its length and its first and last 24 bytes instead
/// of every byte (statements are a few hundred bytes, and hashing them for every execution was about 1 %
/// of a backlog import's instructions, issue 17). Equality still compares the whole text.
private struct StatementKey: Hashable {
    let sql: String

    static func == (a: StatementKey, b: StatementKey) -> Bool { a.sql == b.sql }

    func hash(into hasher: inout Hasher) {
        var sql = sql
        sql.withUTF8 { bytes in
            hasher.combine(bytes.count)
            let ends = min(24, bytes.count)
            let raw = UnsafeRawBufferPointer(bytes)
            hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: raw[..<ends]))
            hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: raw[(raw.count - ends)...]))
        }
    }
}

/// An error from the database, classified so callers can map it to an exit code:
/// busy/locked and I/O or disk-full problems are temporary (75), the rest are failures.
/// The statement's SQL is kept (with its `?` placeholders); bound values are never included.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case busy, readOnly, diskFull, cannotOpen, corrupt, constraint, other }
    public let kind: Kind
    public let code: Int32
    public let message: String
    public let operation: String
    /// The SQL text that failed, placeholders unbound; nil for failures outside a statement (open).
    public let sql: String?

    init(code: Int32, message: String, operation: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.operation = operation
        self.sql = sql
        switch code & 0xff {
        case SQLITE_BUSY, SQLITE_LOCKED: kind = .busy
        case SQLITE_READONLY: kind = .readOnly
        case SQLITE_FULL, SQLITE_IOERR: kind = .diskFull
        case SQLITE_CANTOPEN, SQLITE_PERM: kind = .cannotOpen
        case SQLITE_CORRUPT, SQLITE_NOTADB: kind = .corrupt
        case SQLITE_CONSTRAINT: kind = .constraint
        default: kind = .other
        }
    }

    /// True for conditions that may clear by themselves (busy past the timeout, disk full, read-only mount).
    public var isTemporary: Bool { [.busy, .diskFull, .readOnly, .cannotOpen].contains(kind) }

    public var description: String {
        let statement = sql.map { " in: " + $0.split(whereSeparator: \.isNewline).map { $0.trimmingWhitespace() }.joined(separator: " ") } ?? ""
        return "database \(operation) failed: \(message) (sqlite code \(code))\(statement)"
    }
}

private let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// The one owner of a `sqlite3*` connection: WAL mode, a busy timeout, statements cached by SQL,
/// and transactions that roll back on any throw. Thread-safe: every call holds a recursive lock, so
/// tasks of one process share the connection; other processes coordinate through SQLite's own locks.
public final class Database: @unchecked Sendable {
    private var handle: OpaquePointer?
    private var cache: [StatementKey: Statement] = [:]
    private let lock = NSRecursiveLock()
    private var transactionDepth = 0
    public let path: String
    /// Set by SQLite's update hook when a row of `jobs` changes; cleared when that change commits (or rolls back).
    private final class Changes: @unchecked Sendable { var jobs = false }
    private let changes = Changes()
    /// Called after each commit that changed the `jobs` table (under the connection's lock): the queue's
    /// readers are woken by it (see ``JobWake``), not by every write to the database.
    public var onJobsCommitted: (@Sendable () -> Void)?

    /// Opens (creating if needed) the database at `path` in WAL mode with `busyTimeout` milliseconds.
    public init(path: String, busyTimeoutMillis: Int32 = 5000) throws {
        self.path = path
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(db)
            throw StoreError(code: rc, message: "\(message): \(path)", operation: "open")
        }
        handle = db
        sqlite3_update_hook(db, { context, _, _, table, _ in
            guard let context, let table, strcmp(table, "jobs") == 0 else { return }
            Unmanaged<Changes>.fromOpaque(context).takeUnretainedValue().jobs = true
        }, Unmanaged.passUnretained(changes).toOpaque())
        sqlite3_busy_timeout(db, busyTimeoutMillis)
        sqlite3_extended_result_codes(db, 1)
        let mode = try query("PRAGMA journal_mode=WAL").first?.string("journal_mode")
        if mode?.lowercased() != "wal" {
            throw StoreError(code: SQLITE_ERROR, message: "cannot switch to WAL mode: \(path)", operation: "open")
        }
        try execute("PRAGMA synchronous=NORMAL")
        // A 256 KB page cache (SQLite's default is 2 MB per connection): the daemon's resident memory when idle
        // is what a small VPS pays for all day (issue 17), and a miss is read from the OS's file cache. Measured
        // with ordersync-bench, same build otherwise, 14 start-ups each: idle VmHWM 0.8 MB lower than with 1 MB;
        // the 10k and 100k backlogs showed no difference beyond the machine's noise once the deadline watch
        // stopped re-reading marked orders (its scans were most of the page reads).
        try execute("PRAGMA cache_size=-\(Self.restingCacheKiB)")
        try execute("PRAGMA foreign_keys=ON")
        // Checkpoint the WAL into the database every 8000 pages (32 MB), not SQLite's 1000: a page written by
        // many transactions in a row (an index's last leaf, the table's last page) reaches the database once
        // per checkpoint, and each checkpoint syncs both files. Measured with ordersync-bench, A/B pairs in one
        // session: 100k backlog daemon CPU 0.189 / 0.197 → 0.171 / 0.167 ms per order (4000 pages: 0.185 /
        // 0.211). The WAL file keeps the size it reached (up to about 32 MB) until the daemon stops.
        try execute("PRAGMA wal_autocheckpoint=8000")
    }

    /// The page cache at rest (KiB), and while a large import runs (``widenPageCache()``).
    static let restingCacheKiB = 256
    static let wideCacheKiB = 4096
    private var wideCacheHolders = 0

    /// A 4 MB page cache until as many ``narrowPageCache()`` calls: while a large import runs (a backlog),
    /// the B-trees' inner pages no longer fit 256 KB, and every descent read them again from the OS's file
    /// cache. Measured with ordersync-bench, 100k backlog, two A/B pairs in one session: bytes read 5.4 /
    /// 5.7 GB → 1.8 / 2.0 GB, read calls 1.53 / 1.59 M → 0.76 / 0.85 M, written 2.38 → 2.02 GB (fewer pages
    /// spilled before commit), daemon CPU 18.2 / 16.2 s → 15.0 / 15.3 s; peak memory up to 8 MB more (floor
    /// + 28 to 31 MB in full runs), inside the backlog's 40 MB target. At rest the cache stays small, so idle memory is as before (issue 17).
    func widenPageCache() { adjustPageCache(by: 1) }

    /// Ends one ``widenPageCache()``; the last one returns the cache to its resting size (SQLite frees
    /// the pages beyond it).
    func narrowPageCache() { adjustPageCache(by: -1) }

    private func adjustPageCache(by delta: Int) {
        lock.lock(); defer { lock.unlock() }
        let wasWide = wideCacheHolders > 0
        wideCacheHolders = max(0, wideCacheHolders + delta)
        guard wasWide != (wideCacheHolders > 0) else { return }
        let kib = wideCacheHolders > 0 ? Self.wideCacheKiB : Self.restingCacheKiB
        sqlite3_exec(handle, "PRAGMA cache_size=-\(kib)", nil, nil, nil)
    }

    /// The page cache's size in KiB (`PRAGMA cache_size`).
    func pageCacheKiB() throws -> Int {
        -(try query("PRAGMA cache_size").first?.int("cache_size") ?? 0)
    }

    deinit {
        for (_, statement) in cache { sqlite3_finalize(statement.handle) }
        sqlite3_close_v2(handle)
    }

    private func error(_ rc: Int32, _ operation: String, _ sql: String) -> StoreError {
        StoreError(code: rc, message: String(cString: sqlite3_errmsg(handle)), operation: operation, sql: sql)
    }

    private func prepared(_ sql: String) throws -> Statement {
        let key = StatementKey(sql: sql)
        if let statement = cache[key] { return statement }
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error(rc, "prepare", sql) }
        let statement = Statement(handle: stmt)
        cache[key] = statement
        return statement
    }

    private func bind(_ stmt: OpaquePointer, _ args: [SQLValue], _ sql: String) throws {
        for (i, value) in args.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(stmt, index)
            case .int(let v): rc = sqlite3_bind_int64(stmt, index, v)
            case .real(let v): rc = sqlite3_bind_double(stmt, index, v)
            case .text(let v):
                // From the string's own UTF-8, with its length: passing the `String` made a C string copy
                // first, and SQLite then measured it (2.5 % of a backlog import's instructions, issue 17).
                // A string with a NUL inside is bound whole, as a blob would be, not cut at the NUL.
                // (An empty string goes the general way: a nil pointer would bind NULL.)
                let direct = v.utf8.withContiguousStorageIfAvailable { bytes -> Int32? in
                    guard let base = bytes.baseAddress, !bytes.isEmpty else { return nil }
                    return sqlite3_bind_text(stmt, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self),
                                             Int32(bytes.count), SQLITE_TRANSIENT)
                }
                rc = (direct ?? nil) ?? sqlite3_bind_text(stmt, index, v, Int32(v.utf8.count), SQLITE_TRANSIENT)
            case .blob(let v):
                rc = v.withUnsafeBytes { sqlite3_bind_blob(stmt, index, $0.baseAddress, Int32($0.count), SQLITE_TRANSIENT) }
            }
            guard rc == SQLITE_OK else { throw error(rc, "bind", sql) }
        }
    }

    /// Runs a statement for its effect. Returns the number of rows changed.
    @discardableResult
    public func execute(_ sql: String, _ args: [SQLValue] = []) throws -> Int {
        lock.lock(); defer { lock.unlock() }
        let stmt = try prepared(sql).handle
        defer { sqlite3_reset(stmt); sqlite3_clear_bindings(stmt) }
        try bind(stmt, args, sql)
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { break }
            if rc != SQLITE_ROW { throw error(rc, "execute", sql) }
        }
        let changed = Int(sqlite3_changes(handle))
        committed()
        return changed
    }

    /// Tells ``onJobsCommitted`` once the `jobs` changes made so far are committed (outside a transaction).
    private func committed() {
        guard changes.jobs, sqlite3_get_autocommit(handle) != 0 else { return }
        changes.jobs = false
        onJobsCommitted?()
    }

    /// Runs a query and returns every row.
    public func query(_ sql: String, _ args: [SQLValue] = []) throws -> [Row] {
        lock.lock(); defer { lock.unlock() }
        let statement = try prepared(sql)
        let stmt = statement.handle
        defer { sqlite3_reset(stmt); sqlite3_clear_bindings(stmt) }
        try bind(stmt, args, sql)
        var rows: [Row] = []
        let count = sqlite3_column_count(stmt)
        let index = statement.columns(count: count)
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw error(rc, "query", sql) }
            var columns: [SQLValue] = []
            columns.reserveCapacity(Int(count))
            for i in 0..<count {
                let value: SQLValue
                switch sqlite3_column_type(stmt, i) {
                case SQLITE_INTEGER: value = .int(sqlite3_column_int64(stmt, i))
                case SQLITE_FLOAT: value = .real(sqlite3_column_double(stmt, i))
                case SQLITE_TEXT: value = .text(String(cString: sqlite3_column_text(stmt, i)))
                case SQLITE_BLOB:
                    let n = Int(sqlite3_column_bytes(stmt, i))
                    value = n == 0 ? .blob(Data()) : .blob(Data(bytes: sqlite3_column_blob(stmt, i), count: n))
                default: value = .null
                }
                columns.append(value)
            }
            rows.append(Row(values: columns, index: index))
        }
        committed()
        return rows
    }

    /// Whether the calling task is inside `inTransaction` (another task's transaction is waited for).
    var isInTransaction: Bool {
        lock.lock(); defer { lock.unlock() }
        return transactionDepth > 0
    }

    /// The rowid of the last insert on this connection.
    public var lastInsertRowID: Int64 {
        lock.lock(); defer { lock.unlock() }
        return sqlite3_last_insert_rowid(handle)
    }

    /// Runs `body` in one write transaction (`BEGIN IMMEDIATE`, so the write lock is taken up front and
    /// a busy database fails here, not half-way). Any throw rolls everything back. Nested calls join the
    /// outer transaction.
    public func inTransaction<T>(_ body: () throws -> T) throws -> T {
        lock.lock(); defer { lock.unlock() }
        if transactionDepth > 0 {
            transactionDepth += 1
            defer { transactionDepth -= 1 }
            return try body()
        }
        try execute("BEGIN IMMEDIATE")
        transactionDepth = 1
        do {
            let result = try body()
            transactionDepth = 0
            try execute("COMMIT")
            return result
        } catch {
            transactionDepth = 0
            changes.jobs = false
            _ = try? execute("ROLLBACK")
            throw error
        }
    }
}
