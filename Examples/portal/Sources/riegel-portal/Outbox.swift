import Foundation

/// Development stand-in for the post office and the mail server: appends one
/// JSON object per letter or mail to `letters.jsonl` / `mail.jsonl` in the
/// `--dev-outbox` folder (`{"time", "to", "subject", "text"}`; a letter
/// also has `"code"`, a reset mail `"link"`), which `/dev/outbox` shows and
/// the browser tests read.
///
/// - Important: the files hold activation codes and reset links, as a real
///   letter or mail would. Development and tests only; without `--dev-outbox`
///   nothing is written and a real portal hands these to its mailer.
actor Outbox {
    let directory: URL?

    init(directory: String?) {
        self.directory = directory.map { URL(fileURLWithPath: $0, isDirectory: true) }
    }

    enum Kind: String { case letter = "letters", mail }

    func send(_ kind: Kind, _ message: [String: String]) throws {
        guard let directory else { return }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var message = message
        message["time"] = ISO8601DateFormatter().string(from: Date())
        var line = try JSONSerialization.data(withJSONObject: message, options: [.sortedKeys])
        line.append(0x0A)
        let url = directory.appendingPathComponent("\(kind.rawValue).jsonl")
        if !FileManager.default.fileExists(atPath: url.path) {
            _ = FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
    }

    /// The newest `limit` messages of one kind, newest first (for `/dev/outbox`).
    func recent(_ kind: Kind, limit: Int = 20) -> [[String: String]] {
        guard let directory else { return [] }
        return Self.readLines(directory.appendingPathComponent("\(kind.rawValue).jsonl"), limit: limit)
    }

    static func readLines(_ url: URL, limit: Int) -> [[String: String]] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").suffix(limit).reversed().compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: String]
        }
    }
}
