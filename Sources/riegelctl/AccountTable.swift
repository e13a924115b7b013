import Varlink

/// The aligned text table of `riegelctl users list`: only the listed
/// columns of each `Account`, so nothing else a reply might carry is printed.
struct AccountTable {
    static let header = ["USERNAME", "USER ID", "CREATED", "LOCKED UNTIL", "2FA", "SESSIONS", "DEVICES", "LAST LOGIN"]

    private var rows: [[String]] = []

    /// Appends one row per `Account` object.
    mutating func add(_ accounts: [[String: JSONValue]]) {
        for a in accounts {
            rows.append([
                a["username"]?.string ?? "?", a["user_id"]?.string ?? "?", a["created_at"]?.string ?? "?",
                a["locked_until"]?.string ?? "-", a["second_factor"]?.bool == true ? "on" : "off",
                a["sessions"]?.int.map(String.init) ?? "?", a["devices"]?.int.map(String.init) ?? "?",
                a["last_login_at"]?.string ?? "never",
            ])
        }
    }

    /// The header and rows, columns padded to their widest cell (by characters), one line each.
    var text: String {
        TextTable.render([Self.header] + rows)
    }
}
