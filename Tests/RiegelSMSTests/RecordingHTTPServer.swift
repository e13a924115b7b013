import Foundation
import RiegelCore

/// A small HTTP server (Python's `http.server` on 127.0.0.1, a free port) that
/// records every request as a JSON line and answers by path:
/// `/status/NNN` with status NNN, anything else with 200 `OK: queued`.
final class RecordingHTTPServer: @unchecked Sendable {
    /// One request as the server saw it, decoded.
    struct Request: Decodable {
        var method: String
        var path: String
        var query: [String: String]
        var headers: [String: String]
        var body: String
        var form: [String: String]?
        var json: [String: String]?
    }

    let port: Int
    private let child: ChildProcess
    private let log: String

    private static let script = #"""
import http.server, json, sys, urllib.parse, os
log, portfile = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8") if n else ""
        u = urllib.parse.urlsplit(self.path)
        rec = {"method": self.command, "path": u.path,
               "query": {k: v[0] for k, v in urllib.parse.parse_qs(u.query, keep_blank_values=True).items()},
               "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
        ctype = self.headers.get("Content-Type") or ""
        if ctype.startswith("application/x-www-form-urlencoded"):
            rec["form"] = {k: v[0] for k, v in urllib.parse.parse_qs(body, keep_blank_values=True).items()}
        if ctype.startswith("application/json"):
            rec["json"] = json.loads(body)
        with open(log, "a") as f:
            f.write(json.dumps(rec) + "\n")
        status, reply = 200, b"OK: queued"
        if u.path.startswith("/status/"):
            status, reply = int(u.path.split("/")[2]), b"status"
        self.send_response(status)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)
    do_GET = do_POST = do_PUT = handle_any
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(portfile + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
os.rename(portfile + ".tmp", portfile)
s.serve_forever()
"""#

    /// Starts the server with its files in `directory`; waits until it listens.
    init(in directory: TemporaryDirectory) async throws {
        log = directory.file("requests.jsonl")
        let portFile = directory.file("port")
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "/usr/bin/env"
        let arguments = python == "/usr/bin/env" ? ["/usr/bin/env", "python3"] : [python]
        child = try await ChildProcess(arguments + ["-c", Self.script, log, portFile], label: "http.server",
                                 stderr: directory.file("server.err"))
        let started = await eventually { FileManager.default.fileExists(atPath: portFile) }
        guard started, let text = try? String(contentsOfFile: portFile, encoding: .utf8), let port = Int(text) else {
            await child.stop()
            throw ServerDidNotStart()
        }
        self.port = port
    }

    struct ServerDidNotStart: Error, CustomStringConvertible {
        var description: String { "the Python test HTTP server did not start; is python3 installed?" }
    }

    /// `http://127.0.0.1:PORT` + `path`.
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Every request so far, in order.
    func requests() throws -> [Request] {
        let text = try String(contentsOfFile: log, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(Request.self, from: Data($0.utf8)) }
    }

    func stop() async { await child.stop() }
}
