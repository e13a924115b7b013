import Foundation
import RiegelCore
@testable import RiegelService
import RiegelTesting

/// A DeviceService over in-memory fakes sharing the account fixture's data,
/// clock, sessions and audit trail.
struct DeviceServiceFixture {
    let base: AccountServiceFixture
    let store: InMemoryDeviceStore
    let nonces: InMemoryDeviceNonceStore
    let verifier: FakeSignatureVerifier
    let service: DeviceService

    /// The account fixture's device service (the one login and VerifyChallenge use).
    init(policy: DevicePolicy = DevicePolicy(), sessionPolicy: SessionPolicy = SessionPolicy()) {
        base = AccountServiceFixture(sessionPolicy: sessionPolicy, devicePolicy: policy)
        store = base.deviceStore
        nonces = base.deviceNonces
        verifier = base.verifier
        service = base.devices
    }

    var clock: ManualClock { base.clock }
    var sessions: SessionService { base.sessions }

    /// An account stored directly (these tests never check its password).
    func account(_ name: String, secondFactor: Bool = true) throws -> AccountRecord {
        let record = AccountRecord(id: UserID.random(using: base.random), username: try Username(name), email: nil,
                                   emailIndex: nil, passwordHash: SealedSecret(bytes: [0], keyID: KeyID(rawValue: 1)),
                                   createdAt: clock.now(), secondFactorEnabled: secondFactor)
        try base.accounts.create(record)
        return record
    }

    /// A session as if the user had just passed the SMS code (or only the password).
    func session(_ account: AccountRecord, assurance: Assurance = .secondFactor,
                 deviceID: DeviceID? = nil) throws -> NewSession {
        try sessions.open(for: account, assurance: assurance, method: assurance == .secondFactor ? .sms : .password,
                          client: ClientContext(ip: "192.0.2.1"), deviceID: deviceID)
    }

    /// Enrols an app key with a fresh fake key; returns the device id and the key.
    func enrolKey(_ account: AccountRecord, seed: UInt8 = 1, label: String = "Anna's phone") throws -> (DeviceID, [UInt8]) {
        let key = FakeSignatureVerifier.publicKey(seed: seed)
        let id = try service.enrollKey(token: try session(account).token, publicKey: Self.base64(key), label: label)
        return (id, key)
    }

    /// The base64 of a fake signature of `nonce` by `key`.
    func signature(_ nonce: String, _ key: [UInt8]) -> String {
        Self.base64(FakeSignatureVerifier.sign(Array(nonce.utf8), publicKey: key))
    }

    static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    /// Audit events of `type`, oldest first.
    func events(_ type: String) throws -> [AuditEvent] {
        try base.auditLog.query(AuditFilter(types: [type]), limit: nil).entries.map(\.event)
    }

    /// Every audit event.
    func allEvents() throws -> [AuditEvent] {
        try base.auditLog.query(AuditFilter(), limit: nil).entries.map(\.event)
    }
}
