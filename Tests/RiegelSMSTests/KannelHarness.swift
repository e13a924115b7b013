import AsyncHTTPClient
import Foundation
import RiegelCore

/// Kannel on loopback for tests, as PLATFORM.md describes: bearerbox with a
/// fake SMSC (`fakesmsc` from kannel-extras, which prints every message it
/// receives) and smsbox's sendsms HTTP interface, all on free ports.
///
/// Kannel binds 0.0.0.0; on these machines (no outside network) that is
/// accepted, and only loopback traffic flows.
final class KannelHarness: @unchecked Sendable {
    static let bearerbox = "/usr/sbin/bearerbox"
    static let smsbox = "/usr/sbin/smsbox"
    static let fakesmsc = "/usr/lib/kannel/test/fakesmsc"
    static let binaries = [bearerbox, smsbox, fakesmsc]
    static let username = "riegel"
    static let password = "kannel-test-pw"

    /// Whether the test can run: Kannel is installed, or we are root with apt to install it.
    static var canRun: Bool {
        binariesPresent || (getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/apt-get"))
    }

    static var binariesPresent: Bool { binaries.allSatisfy { FileManager.default.isExecutableFile(atPath: $0) } }

    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    let directory: TemporaryDirectory
    let sendsmsPort: Int
    let adminPort: Int
    /// A file holding ``password``, for the gateway's credential.
    let passwordFile: String
    private var children: [ChildProcess] = []
    private var fakesmscOutput: String { directory.file("fakesmsc.err") }

    /// `http://127.0.0.1:PORT/cgi-bin/sendsms`.
    var sendsmsURL: String { "http://127.0.0.1:\(sendsmsPort)/cgi-bin/sendsms" }

    private init(directory: TemporaryDirectory, sendsmsPort: Int, adminPort: Int, passwordFile: String) {
        self.directory = directory
        self.sendsmsPort = sendsmsPort
        self.adminPort = adminPort
        self.passwordFile = passwordFile
    }

    /// Installs Kannel if it is missing (root only), writes `kannel.conf`, starts
    /// bearerbox, fakesmsc and smsbox, and waits until a message can flow.
    static func start() async throws -> KannelHarness {
        try await ensureInstalled()
        let dir = try TemporaryDirectory()
        var ports: Set<Int> = []
        while ports.count < 4 { ports.insert(try LoopbackSocket.freePort()) }
        let p = Array(ports)
        let (admin, box, smsc, sendsms) = (p[0], p[1], p[2], p[3])
        try dir.write("kannel.conf", """
            group = core
            admin-port = \(admin)
            admin-password = admin-test-pw
            smsbox-port = \(box)
            box-allow-ip = 127.0.0.1
            log-file = "\(dir.file("bearerbox.log"))"
            log-level = 1

            group = smsc
            smsc = fake
            smsc-id = fake
            port = \(smsc)
            connect-allow-ip = 127.0.0.1

            group = smsbox
            bearerbox-host = 127.0.0.1
            bearerbox-port = \(box)
            sendsms-port = \(sendsms)
            global-sender = 12345
            log-file = "\(dir.file("smsbox.log"))"
            log-level = 1

            group = sendsms-user
            username = \(username)
            password = \(password)

            group = sms-service
            keyword = default
            text = "nop"

            """)
        let harness = KannelHarness(directory: dir, sendsmsPort: sendsms, adminPort: admin,
                                    passwordFile: try dir.write("kannel-password", password + "\n"))
        do {
            try await harness.launch(smscPort: smsc)
        } catch {
            await harness.stop()
            throw error
        }
        return harness
    }

    private func launch(smscPort: Int) async throws {
        let d = directory
        children.append(try await ChildProcess([Self.bearerbox, "-v", "1", d.file("kannel.conf")], label: "bearerbox", directory: d.path,
                                         stdout: d.file("bearerbox.out"), stderr: d.file("bearerbox.err")))
        guard await eventually(within: .seconds(15), { await self.status() != nil }) else {
            throw Problem(description: "bearerbox did not answer on its admin port \(adminPort); see \(d.file("bearerbox.err"))")
        }
        children.append(try await ChildProcess([Self.fakesmsc, "-H", "127.0.0.1", "-r", "\(smscPort)", "-m", "0", "-v", "0", "999 123 text nop"],
                                         label: "fakesmsc", directory: d.path, stdout: d.file("fakesmsc.out"), stderr: fakesmscOutput))
        children.append(try await ChildProcess([Self.smsbox, "-v", "1", d.file("kannel.conf")], label: "smsbox", directory: d.path,
                                         stdout: d.file("smsbox.out"), stderr: d.file("smsbox.err")))
        let ready = await eventually(within: .seconds(20)) {
            guard let status = await self.status() else { return false }
            return status.contains("smsbox:") && status.contains("(online")
        }
        guard ready else {
            throw Problem(description: "Kannel did not come up (fake SMSC online, smsbox connected) within 20 s; status: \(await status() ?? "none")")
        }
        let answering = await eventually(within: .seconds(10)) { await self.get(self.sendsmsURL) != nil }
        guard answering else { throw Problem(description: "smsbox's sendsms port \(sendsmsPort) does not answer") }
    }

    /// bearerbox's `status.txt`, nil while it does not answer.
    func status() async -> String? {
        await get("http://127.0.0.1:\(adminPort)/status.txt?password=admin-test-pw").map(\.body)
    }

    private func get(_ url: String) async -> (status: Int, body: String)? {
        do {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(1))
            let body = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), String(buffer: body))
        } catch {
            return nil
        }
    }

    /// What fakesmsc received, in order. fakesmsc prints `Got message N: <from to text TEXT>`
    /// per line of the fake-SMSC protocol; a text with a line break arrives as
    /// further `Got message` lines that do not start with `from to type`, which
    /// are joined back onto the message before them.
    func received() throws -> [SMSMessage] {
        let log = (try? String(contentsOfFile: fakesmscOutput, encoding: .utf8)) ?? ""
        var messages: [SMSMessage] = []
        for line in log.split(separator: "\n") {
            guard let marker = line.range(of: "Got message "), let open = line[marker.upperBound...].range(of: ": <"),
                  line.hasSuffix(">") else { continue }
            let content = String(line[open.upperBound..<line.index(before: line.endIndex)])
            let parts = content.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
            if parts.count >= 3, parts[2] == "text", parts[1].first == "+" || parts[1].allSatisfy(\.isNumber) {
                messages.append(SMSMessage(to: String(parts[1]), text: parts.count == 4 ? String(parts[3]) : ""))
            } else if !messages.isEmpty {
                messages[messages.count - 1].text += "\n" + content
            } else {
                throw Problem(description: "cannot read fakesmsc's line \(line)")
            }
        }
        return messages
    }

    /// Waits until fakesmsc has received `count` messages (or 15 s passed); returns them all.
    func waitForMessages(_ count: Int) async throws -> [SMSMessage] {
        _ = try await eventually(within: .seconds(15)) { try self.received().count >= count }
        // A multi-line text arrives as several lines: give its tail a moment.
        try await Task.sleep(for: .milliseconds(100))
        return try received()
    }

    /// Stops smsbox, fakesmsc and bearerbox (SIGTERM, then SIGKILL after 3 s) and removes the directory.
    func stop() async {
        for child in children.reversed() { await child.stop(grace: .seconds(3)) }
        children = []
        directory.remove()
    }

    /// Installs kannel and kannel-extras with apt when the binaries are missing.
    static func ensureInstalled() async throws {
        if binariesPresent { return }
        if getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/apt-get") {
            let apt = try await ChildProcess(["/usr/bin/apt-get", "install", "-y", "-q", "kannel", "kannel-extras"], label: "apt-get",
                                       environment: ProcessInfo.processInfo.environment.merging(["DEBIAN_FRONTEND": "noninteractive"]) { $1 })
            if await !apt.waitForExit(within: .seconds(600)) { await apt.stop() }
        }
        guard binariesPresent else {
            let missing = binaries.filter { !FileManager.default.isExecutableFile(atPath: $0) }
            throw Problem(description: "Kannel is missing (\(missing.joined(separator: ", "))); install the Debian packages "
                + "kannel and kannel-extras: apt-get install kannel kannel-extras (scripts/setup --test)")
        }
    }
}
