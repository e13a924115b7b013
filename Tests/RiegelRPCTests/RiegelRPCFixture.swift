import Logging
import RiegelCore
@testable import RiegelRPC
import RiegelService
import RiegelTesting
import Synchronization
import Varlink

/// riegel's varlink service over in-memory fakes, called in process (no
/// socket) as a peer of the given uid: uid 1001 holds `portal`, 1002 `admin`,
/// 1003 `audit`; any other uid holds no role.
struct RiegelRPCFixture {
    static let portal = PeerCredentials(pid: 10, uid: 1001, gid: 1001)
    static let admin = PeerCredentials(pid: 11, uid: 1002, gid: 1002)
    static let auditor = PeerCredentials(pid: 12, uid: 1003, gid: 1003)
    static let stranger = PeerCredentials(pid: 13, uid: 4242, gid: 4242)

    let data = InMemoryStoreData()
    let clock = ManualClock()
    let auditLog: InMemoryAuditLog
    let methods: RiegelMethods
    let service: VarlinkService
    let denials: PermissionDeniedAuditor

    init() throws {
        let random = SeededRandom()
        let logger = Logger(label: "test")
        let tokens = CountingTokens()
        let clock = self.clock
        auditLog = InMemoryAuditLog(clock: clock)
        let audit = AuditRecorder(log: auditLog, maintenance: auditLog, hasher: SoftwareSHA256(), logger: logger)
        let accounts = InMemoryAccountStore(data: data)
        let throttles = InMemoryThrottleStore()
        let sessions = SessionService(sessions: InMemorySessionStore(data: data), accounts: accounts, tokens: tokens,
                                      digester: tokens, clock: clock, random: random, policy: SessionPolicy(),
                                      audit: audit)
        let smsPolicy = SMSPolicy(templates: try SMSTemplateSet(product: "riegel", origin: nil))
        let challengeStore = InMemorySMSChallengeStore()
        let dispatcher = SMSDispatcher(store: challengeStore, gateway: InMemorySMSGateway(),
                                       sealer: TransparentSecretSealer(), clock: clock, policy: smsPolicy,
                                       logger: logger, sleep: { clock.advance(seconds: $0) })
        let sms = SMSChallengeService(store: challengeStore, counters: InMemorySMSCounterStore(),
                                      transactions: InMemoryTransactionRunner(), dispatcher: dispatcher,
                                      sealer: TransparentSecretSealer(), digester: FakeKeyedDigester(), random: random,
                                      clock: clock, policy: smsPolicy, audit: audit, logger: logger)
        let devices = DeviceService(devices: InMemoryDeviceStore(data: data), nonces: InMemoryDeviceNonceStore(),
                                    accounts: accounts, throttles: throttles, sessions: sessions,
                                    verifier: FakeSignatureVerifier(), tokens: tokens, digester: tokens, clock: clock,
                                    random: random, policy: DevicePolicy(), throttle: try LoginThrottle(), audit: audit)
        let factorStore = InMemoryFactorStore(data: data)
        let challenges = FactorChallenges(store: factorStore, sms: sms, random: random, clock: clock, audit: audit)
        let factors = FactorService([
            SMSFactor(sms: sms, accounts: accounts),
            TOTPFactor(store: factorStore, challenges: challenges, sealer: TransparentSecretSealer(),
                       mac: FakeOneTimePasswordMAC(), random: random, clock: clock, audit: audit,
                       policy: TOTPPolicy(issuer: "riegel")),
            RecoveryCodeFactor(store: factorStore, challenges: challenges, digester: FakeKeyedDigester(),
                               random: random, clock: clock, audit: audit),
        ], challenges: challenges)
        let accountService = AccountService(
            accounts: accounts, directory: InMemoryAccountDirectory(data: data), throttles: throttles,
            resetTokens: InMemoryResetTokenStore(data: data), activationCodes: InMemoryActivationCodeStore(data: data),
            sessions: sessions, sms: sms, devices: devices, transactions: InMemoryTransactionRunner(),
            hashing: PasswordHashingPool(hasher: FakePasswordHasher(), configuration: .init(workers: 1, queueLimit: 8)),
            hashValidator: FakeHashValidator(), sealer: TransparentSecretSealer(), keyedDigester: FakeKeyedDigester(),
            tokenDigester: tokens, tokens: tokens, clock: clock, random: random,
            policy: AccountPolicy(resetMinimumResponse: 0), audit: audit, logger: logger, factors: factors)
        let sealer = FakeCheckpointSealer()
        methods = RiegelMethods(
            status: { DaemonStatus(state: .serving, version: "test", startedAt: clock.now(), uptimeSeconds: 0, checks: []) },
            accounts: accountService, sessions: sessions, devices: devices,
            access: AccessService(sessions: sessions, accounts: accounts, catalog: ResourceClassCatalog(), clock: clock,
                                  audit: audit),
            sms: sms, clock: clock, audit: audit, auditReader: auditLog,
            auditExporter: AuditExporter(reader: auditLog, sealer: sealer, hasher: SoftwareSHA256(),
                                         checkpointInterval: 100, audit: audit),
            auditKeys: sealer,
            keys: KeyAdministration(ring: NoKeys(), store: NoRewraps(), sealer: TransparentSecretSealer(),
                                    digester: FakeKeyedDigester(), checkpoints: sealer, audit: audit, clock: clock,
                                    batchSize: 10, pause: .zero, logger: logger),
            masterKeys: MasterKeyService(rotator: RefusingMasterKeyRotator(), audit: audit),
            backups: DatabaseBackupService(backup: EmptyBackup(), audit: audit))
        let authorizer = RoleAuthorizer(roles: [.portal: [.uid(1001)], .admin: [.uid(1002)], .audit: [.uid(1003)]],
                                        database: NoUsers(), logger: logger)
        denials = PermissionDeniedAuditor(audit: audit, interval: .seconds(60))
        service = try RiegelRPCService.make(methods: methods, authorizer: { authorizer }, denials: denials,
                                            logger: logger)
    }

    /// The final reply of `method` called by `peer`; throws the varlink error it is answered with.
    func call(_ method: String, _ parameters: [String: JSONValue] = [:],
              as peer: PeerCredentials = portal) async throws(VarlinkError) -> [String: JSONValue] {
        try await service.answer(method, parameters, peer: peer).last ?? [:]
    }
}

/// Tokens `tok-1`, `tok-2`, ... and a reversible "digest".
final class CountingTokens: TokenGenerator, TokenDigester, Sendable {
    let counter = Atomic<Int>(0)
    func newToken() -> String { "tok-\(counter.add(1, ordering: .relaxed).newValue)" }
    func digest(ofToken token: String) -> [UInt8] { Array(("digest:" + token).utf8) }
}

/// Accepts `$fake$` strings only.
struct FakeHashValidator: PasswordHashValidator {
    func validateImported(_ hash: String) throws {
        guard hash.hasPrefix("$fake$") else { throw RiegelError.invalidPasswordHash(reason: "not $fake$") }
    }
}

/// A user database that knows no one (the fixture's roles are by uid).
struct NoUsers: UserDatabase {
    func uid(ofUser name: String) -> UInt32? { nil }
    func gid(ofGroup name: String) -> UInt32? { nil }
    func groups(ofUID uid: UInt32, primaryGid: UInt32) -> Set<UInt32> { [] }
}

/// A key ring without keys.
struct NoKeys: KeyRotator {
    struct Refused: Error {}
    func rotate(_ purpose: KeyPurpose) throws -> KeyID { throw Refused() }
    func keyInfos() -> [DataKeyInfo] { [] }
    func forgetRetired(_ id: KeyID) {}
    func refresh() throws -> Bool { false }
}

/// A re-wrap store with nothing stored.
struct NoRewraps: KeyRewrapStore {
    func usage(now: Instant) async throws -> [KeyID: Int] { [:] }
    func staleCount(_ purpose: KeyPurpose, current: KeyID) async throws -> Int { 0 }
    func staleSecrets(_ purpose: KeyPurpose, current: KeyID, limit: Int) async throws -> [StaleSecret] { [] }
    func replace(_ replacements: [RewrappedSecret], progress: KeyRewrap) async throws -> KeyRewrap { progress }
    func rewraps() async throws -> [KeyRewrap] { [] }
    func save(_ rewrap: KeyRewrap) async throws {}
    func exclusively(_ purpose: KeyPurpose, _ body: @Sendable () async throws -> Void) async throws -> Bool {
        try await body()
        return true
    }
    func retire(_ id: KeyID, now: Instant) async throws -> Bool { throw KeyRewrapStoreError.unknownKey(id) }
}

/// A master-key rotation that is always refused.
struct RefusingMasterKeyRotator: MasterKeyRotator {
    func rotateMaster(credential: String) throws -> MasterKeyRotation {
        throw RiegelError.credentialUnavailable(credential: credential, reason: "missing")
    }
}

/// A backup of an empty database.
struct EmptyBackup: DatabaseBackup {
    func copy(pieceSize: Int, emit: ([UInt8]) async throws -> Void) async throws -> DatabaseCopy {
        DatabaseCopy(bytes: 0, pages: 0, auditSeq: 0)
    }
}
