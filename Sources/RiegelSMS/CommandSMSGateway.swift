import Foundation
import Logging
import RiegelCore

/// The `command` gateway: runs a program (an SMPP bridge, a site script) per
/// message with `{"to":"+49…","text":"…"}` and a newline on its stdin.
///
/// Exit status 0 means sent; any other status is
/// ``SMSGatewayError/rejected(gateway:reason:)`` (`exit status N`); a program
/// still running after the timeout gets SIGTERM (SIGKILL 2 s later) and the
/// send is ``SMSGatewayError/timedOut(gateway:)``. The program's stdout and
/// stderr are discarded (they could echo the code). The wait never blocks a
/// thread: the exit arrives through `Process.terminationHandler`.
///
/// `{to}` and `{text}` in ``arguments`` (after the program) are filled in,
/// as the config allows, but prefer stdin.
/// - Important: arguments are visible to every local user in `/proc`; a
///   `{text}` argument exposes the code. Read the message from stdin.
public struct CommandSMSGateway: SMSGateway {
    /// The gateway's name from the config.
    public let name: String
    /// The program (absolute path) and its arguments.
    public let arguments: [String]
    /// How long the program may run.
    public let timeout: Duration
    private let logger: Logger

    /// The largest stdin document; it is written before the program starts, so it must fit a pipe.
    static let maximumInput = 16 * 1024

    /// A gateway running `arguments[0]` with the rest as its arguments.
    public init(name: String, arguments: [String], timeout: Duration = .seconds(10),
                logger: Logger = Logger(label: "riegel.sms", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.name = name
        self.arguments = arguments
        self.timeout = timeout
        self.logger = logger
    }

    private enum Outcome: Sendable {
        case exited(status: Int32, signalled: Bool)
        case timedOut
        case cancelled
    }

    /// Runs the program with the message on stdin and waits for its exit or the timeout.
    public func send(_ message: SMSMessage) async throws {
        guard let program = arguments.first, !program.isEmpty else {
            throw SMSGatewayError.unavailable(gateway: name, reason: "no program configured; set command = [\"/path/to/program\"]")
        }
        let input = Data((SMSJSON.object([("to", message.to), ("text", message.text)]) + "\n").utf8)
        guard input.count <= Self.maximumInput else {
            throw SMSGatewayError.rejected(gateway: name, reason: "message of \(input.count) bytes exceeds the \(Self.maximumInput) a command gateway takes")
        }
        // Fill the pipe before the program exists: no blocking write, no SIGPIPE if it never reads.
        let stdin = Pipe()
        do {
            try stdin.fileHandleForWriting.write(contentsOf: input)
            try stdin.fileHandleForWriting.close()
        } catch {
            throw SMSGatewayError.unavailable(gateway: name, reason: "cannot prepare the program's stdin: \(error)")
        }
        let values = ["to": message.to, "text": message.text]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments.dropFirst().map { GatewayRequestTemplate.render($0, values) }
        process.standardInput = stdin
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let outcome = OneShot<Outcome>()
        let exited = OneShot<Void>()
        process.terminationHandler = { p in
            exited.fulfil(())
            outcome.fulfil(.exited(status: p.terminationStatus, signalled: p.terminationReason == .uncaughtSignal))
        }
        do {
            try await process.runWithCleanSignalMask()
        } catch {
            throw SMSGatewayError.unavailable(gateway: name, reason: "cannot run \(program): \(error.localizedDescription); check the path and that it is executable")
        }
        let pid = process.processIdentifier
        let stop: @Sendable () -> Void = {
            kill(pid, SIGTERM)
            Task {
                try? await Task.sleep(for: .seconds(2))
                if !exited.isFulfilled { kill(pid, SIGKILL) }
            }
        }
        let timeout = timeout
        let timer = Task {
            try? await Task.sleep(for: timeout)
            if !Task.isCancelled, outcome.fulfil(.timedOut) { stop() }
        }
        let result = await withTaskCancellationHandler {
            await outcome.wait()
        } onCancel: {
            if outcome.fulfil(.cancelled) { stop() }
        }
        timer.cancel()
        let masked = AuditPhoneMask.mask(message.to)
        switch result {
        case .exited(0, false):
            logger.debug("SMS handed to the program", metadata: ["sms.gateway": "\(name)", "sms.to": "\(masked)"])
        case .exited(let status, let signalled):
            let reason = signalled ? "killed by signal \(status)" : "exit status \(status)"
            logger.notice("SMS program failed", metadata: ["sms.gateway": "\(name)", "sms.to": "\(masked)", "sms.error": "\(reason)"])
            throw SMSGatewayError.rejected(gateway: name, reason: reason)
        case .timedOut:
            logger.notice("SMS program timed out", metadata: ["sms.gateway": "\(name)", "sms.to": "\(masked)"])
            throw SMSGatewayError.timedOut(gateway: name)
        case .cancelled:
            throw CancellationError()
        }
    }

    /// Checks that the program exists and is executable; does not run it.
    public func checkReadiness() async throws {
        guard let program = arguments.first, !program.isEmpty else {
            throw SMSGatewayError.unavailable(gateway: name, reason: "no program configured; set command = [\"/path/to/program\"]")
        }
        guard program.hasPrefix("/") else {
            throw SMSGatewayError.unavailable(gateway: name, reason: "\(program) is not an absolute path; give the program's full path")
        }
        guard access(program, X_OK) == 0 else {
            throw SMSGatewayError.unavailable(gateway: name, reason: "\(program) is missing or not executable; install it or chmod +x it")
        }
    }
}
