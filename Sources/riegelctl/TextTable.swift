/// Plain-text tables for riegelctl's human output: columns padded to their
/// widest cell, two spaces apart, some right-aligned (numbers).
enum TextTable {
    /// `rows[0]` is the header; `rightAligned` holds column indexes.
    static func render(_ rows: [[String]], rightAligned: Set<Int> = []) -> String {
        guard let columns = rows.map(\.count).max(), columns > 0 else { return "" }
        let widths = (0..<columns).map { i in rows.map { i < $0.count ? $0[i].count : 0 }.max() ?? 0 }
        return rows.map { row in
            (0..<columns).map { i -> String in
                let cell = i < row.count ? row[i] : ""
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                if rightAligned.contains(i) { return pad + cell }
                return i == columns - 1 ? cell : cell + pad
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
