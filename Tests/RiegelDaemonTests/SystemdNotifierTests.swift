import Foundation
import Testing
@testable import RiegelDaemon

@Suite struct SystemdNotifierTests {
    @Test func sendsExactDatagramsToAPathSocket() throws {
        let listener = try DatagramListener()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.address])
        #expect(notifier.isEnabled)
        try notifier.ready()
        try notifier.status("serving 3 connections")
        try notifier.ready(status: "ready")
        try notifier.stopping()
        try notifier.watchdog()
        #expect(listener.receive() == "READY=1")
        #expect(listener.receive() == "STATUS=serving 3 connections")
        #expect(listener.receive() == "READY=1\nSTATUS=ready")
        #expect(listener.receive() == "STOPPING=1")
        #expect(listener.receive() == "WATCHDOG=1")
    }

    @Test func reloadingCarriesMonotonicTime() throws {
        let listener = try DatagramListener()
        try SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.address]).reloading()
        let lines = try #require(listener.receive()).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first == "RELOADING=1")
        let usec = try #require(lines.last?.split(separator: "=").last.flatMap { UInt64($0) })
        #expect(lines.last?.hasPrefix("MONOTONIC_USEC=") == true)
        #expect(usec > 0)
    }

    @Test func sendsToAnAbstractSocket() throws {
        let listener = try DatagramListener(abstract: true)
        #expect(listener.address.hasPrefix("@"))
        try SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.address]).ready()
        #expect(listener.receive() == "READY=1")
    }

    @Test func statusNewlinesCannotInjectFields() throws {
        let listener = try DatagramListener()
        try SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.address]).status("a\nREADY=1")
        #expect(listener.receive() == "STATUS=a READY=1")
    }

    @Test func noSocketIsANoOp() throws {
        let notifier = SystemdNotifier(environment: [:])
        #expect(!notifier.isEnabled)
        #expect(try notifier.send(["READY=1"]) == false)
        try notifier.ready()
        try notifier.stopping()
    }

    @Test func missingSocketIsAnError() {
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/nonexistent/notify.sock"])
        #expect(throws: SystemdError.self) { try notifier.ready() }
        #expect(throws: SystemdError.self) { try SystemdNotifier(environment: ["NOTIFY_SOCKET": "relative"]).ready() }
    }
}

