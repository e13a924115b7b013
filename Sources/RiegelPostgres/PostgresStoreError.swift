import PostgresNIO
import RiegelCore

/// A failure of the PostgreSQL back end. Messages name the operation and the
/// server's SQLSTATE, never a bound value or the connection password.
public enum PostgresStoreError: Error, Sendable, Equatable {
    /// No connection could be had or kept (the server is down, unreachable,
    /// refused the login, or the pool waited past its deadline).
    case unavailable(detail: String)
    /// The server refused a statement (SQLSTATE and the server's message).
    case statementFailed(sqlState: String, detail: String)
    /// A stored row cannot be turned back into a value.
    case corruptRecord(table: String, detail: String)
    /// The database has migrations this build does not know (a newer riegeld wrote it).
    case newerSchema(unknownMigrations: [String])
    /// A store was called on the client's own event loop, where blocking would deadlock.
    case calledOnEventLoop
    /// A feature that the PostgreSQL back end does not have yet (it names it
    /// and what to use instead).
    case notYetAvailable(feature: String)

    /// Wraps an error of postgres-nio: connection-level failures are
    /// ``unavailable(detail:)``; server errors keep their SQLSTATE.
    static func wrap(_ error: any Error) -> any Error {
        if error is PostgresStoreError { return error }
        guard let psql = error as? PSQLError else { return error }
        if psql.code == .server, let state = psql.serverInfo?[.sqlState] {
            let message = psql.serverInfo?[.message] ?? ""
            // Class 08 (connection), 53 (resources), 57P (shutdown / cannot connect now).
            if state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57P") {
                return PostgresStoreError.unavailable(detail: "\(state) \(message)")
            }
            return PostgresStoreError.statementFailed(sqlState: state, detail: message)
        }
        // The underlying error says why a connection failed (refused, TLS
        // certificate not trusted, ...); it carries no bound value.
        return PostgresStoreError.unavailable(detail: psql.code.description + (psql.underlying.map { ": \($0)" } ?? ""))
    }

    /// The SQLSTATE of a refused statement.
    var sqlState: String? {
        if case .statementFailed(let state, _) = self { return state }
        return nil
    }

    /// Whether this is a unique violation, optionally of constraint `named`.
    func isUniqueViolation(_ named: String? = nil) -> Bool {
        guard case .statementFailed(let state, let detail) = self, state == "23505" else { return false }
        guard let named else { return true }
        return detail.contains(named)
    }
}

extension PostgresStoreError: StorageFailure {
    /// Whether the database could not be reached or is out of space / read-only.
    public var isStorageUnavailable: Bool {
        switch self {
        case .unavailable: return true
        case .statementFailed(let state, _):
            // 53100 disk full, 25006 read-only transaction (a standby).
            return state == "53100" || state == "25006"
        default: return false
        }
    }
}
