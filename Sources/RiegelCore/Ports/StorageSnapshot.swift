/// The tables of a ``StorageCopySource`` as of one moment.
public protocol StorageSnapshot {
    /// Every table that holds riegel's data, by name, with its columns in
    /// order; the back end's own bookkeeping (migration lists) left out.
    func tables() throws -> [String: [String]]
    /// How many rows `table` has.
    func count(_ table: String) throws -> Int
    /// Every row of `table` (only `columns`, in that order), in batches of
    /// at most `batchSize`, in the order the rows were inserted where the
    /// table keeps one.
    func scan(_ table: String, columns: [String], batchSize: Int, _ body: ([[StoredValue]]) throws -> Void) throws
}
