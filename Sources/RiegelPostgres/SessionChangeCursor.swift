/// Where a ``PostgresSessionChangeFeed`` stands in `session_change`.
///
/// `seq` order is not commit order (a transaction that took a lower `seq`
/// can commit after one that took a higher one), so the feed does not read
/// "after the last seq". It reads every row whose transaction id is at or
/// above the xmin of its previous read's snapshot: a transaction below that
/// xmin had finished then, so its rows were already visible to that read.
/// Rows read again because their transaction is still at or above the xmin
/// are delivered once (``delivered``).
struct SessionChangeCursor: Sendable {
    /// One row of `session_change`.
    struct Row: Sendable {
        var seq: Int64
        var sessionID: String
        var txid: UInt64
    }

    /// The xmin of the last read's snapshot (nil: no read yet, or too long
    /// ago: the feed must start over).
    var xmin: UInt64?
    /// Rows delivered whose transactions were not below that xmin: seq to txid.
    var delivered: [Int64: UInt64] = [:]

    /// Takes a read's rows and its snapshot's xmin; returns the session ids
    /// of the rows not delivered before.
    mutating func take(_ rows: [Row], xmin: UInt64) -> [String] {
        var fresh: [String] = []
        for row in rows where delivered[row.seq] == nil {
            fresh.append(row.sessionID)
            delivered[row.seq] = row.txid
        }
        self.xmin = xmin
        // A row below the new xmin is never read again.
        delivered = delivered.filter { $0.value >= xmin }
        return fresh
    }
}
