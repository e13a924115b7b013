import Dispatch
import Logging
import RiegelCore
@testable import RiegelService
import RiegelTesting
import Synchronization

/// A hasher that counts verifications, around the fast fake.
final class CountingHasher: PasswordHasher, Sendable {
    let inner: FakePasswordHasher
    let verifications = Atomic<Int>(0)
    /// Every PHC string verified against, in order.
    let verified = Mutex<[String]>([])
    /// When set, the next verification signals `entered` and waits for
    /// `release` (on a pool thread): a test holds one login mid-hash.
    let hold = Mutex<(entered: DispatchSemaphore, release: DispatchSemaphore)?>(nil)

    init(cost: Int = 1) { inner = FakePasswordHasher(cost: cost) }

    func hash(_ password: [UInt8]) throws -> String { try inner.hash(password) }
    func verify(_ password: [UInt8], against phc: String) throws -> Bool {
        verifications.add(1, ordering: .relaxed)
        verified.withLock { $0.append(phc) }
        if let held = hold.withLock({ held in defer { held = nil }; return held }) {
            held.entered.signal()
            held.release.wait()
        }
        return try inner.verify(password, against: phc)
    }
    func needsRehash(_ phc: String) -> Bool { inner.needsRehash(phc) }
}

/// Accepts `$fake$` strings only.
struct FakeHashValidator: PasswordHashValidator {
    func validateImported(_ hash: String) throws {
        guard hash.hasPrefix("$fake$") else { throw RiegelError.invalidPasswordHash(reason: "not $fake$") }
    }
}

/// Tokens `tok-1`, `tok-2`, ... and a reversible "digest": enough to test use cases.
final class SequentialTokens: TokenGenerator, TokenDigester, Sendable {
    let counter = Atomic<Int>(0)
    func newToken() -> String { "tok-\(counter.add(1, ordering: .relaxed).newValue)" }
    func digest(ofToken token: String) -> [UInt8] { Array(("digest:" + token).utf8) }
}

/// Collects every log line (message and metadata) for secrecy checks.
final class LogCapture: Sendable {
    let lines = Mutex<[String]>([])

    var logger: Logger {
        Logger(label: "test") { _ in CapturingHandler(capture: self) }
    }

    struct CapturingHandler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
                 file: String, function: String, line: UInt) {
            let all = self.metadata.merging(metadata ?? [:]) { $1 }
            capture.lines.withLock { $0.append("\(message) \(all)") }
        }
    }
}

/// An AccountService over in-memory fakes with a manual clock.
struct AccountServiceFixture {
    let data = InMemoryStoreData()
    let clock = ManualClock()
    let random = SeededRandom()
    let hasher: CountingHasher
    let tokens = SequentialTokens()
    let throttles = InMemoryThrottleStore()
    let logs = LogCapture()
    let accounts: InMemoryAccountStore
    let resetTokens: InMemoryResetTokenStore
    let service: AccountService
    let sessions: SessionService
    let auditLog: InMemoryAuditLog
    let audit: AuditRecorder
    /// The SMS gateway: what was "sent", and whether sends fail.
    let gateway: InMemorySMSGateway
    let challengeStore = InMemorySMSChallengeStore()
    let counters = InMemorySMSCounterStore()
    /// The SMS service's digester (blind indexes of numbers: `pii`), for key rotations.
    let smsDigester = FakeKeyedDigester()
    let sms: SMSChallengeService
    let deviceStore: InMemoryDeviceStore
    let deviceNonces = InMemoryDeviceNonceStore()
    let verifier = FakeSignatureVerifier()
    let devices: DeviceService
    /// Authenticator apps and recovery codes (every factor is offered).
    let factorStore: InMemoryFactorStore
    let factors: FactorService
    /// The MAC the TOTP factor computes codes with.
    let mac = FakeOneTimePasswordMAC()

    init(cost: Int = 1, policy: AccountPolicy = AccountPolicy(resetMinimumResponse: 0),
         sessionPolicy: SessionPolicy = SessionPolicy(), smsPolicy: SMSPolicy = AccountServiceFixture.smsPolicy(),
         gateway: InMemorySMSGateway = InMemorySMSGateway(), sendThrough: (any SMSGateway)? = nil,
         devicePolicy: DevicePolicy = DevicePolicy(), metrics: RiegelMetrics = .off,
         smsCounters: ((InMemorySMSCounterStore) -> any SMSCounterStore)? = nil) {
        hasher = CountingHasher(cost: cost)
        auditLog = InMemoryAuditLog(clock: clock)
        audit = AuditRecorder(log: auditLog, maintenance: auditLog, hasher: SoftwareSHA256(), logger: logs.logger,
                              metrics: metrics)
        accounts = InMemoryAccountStore(data: data)
        resetTokens = InMemoryResetTokenStore(data: data)
        sessions = SessionService(sessions: InMemorySessionStore(data: data), accounts: accounts, tokens: tokens,
                                  digester: tokens, clock: clock, random: random, policy: sessionPolicy,
                                  audit: audit, metrics: metrics)
        self.gateway = gateway
        let clock = self.clock
        let dispatcher = SMSDispatcher(store: challengeStore, gateway: sendThrough ?? gateway, sealer: TransparentSecretSealer(),
                                       clock: clock, policy: smsPolicy, logger: logs.logger,
                                       sleep: { clock.advance(seconds: $0) })
        sms = SMSChallengeService(store: challengeStore, counters: smsCounters?(counters) ?? counters,
                                  transactions: InMemoryTransactionRunner(), dispatcher: dispatcher,
                                  sealer: TransparentSecretSealer(), digester: smsDigester, random: random,
                                  clock: clock, policy: smsPolicy, audit: audit, logger: logs.logger, metrics: metrics)
        deviceStore = InMemoryDeviceStore(data: data)
        devices = DeviceService(devices: deviceStore, nonces: deviceNonces, accounts: accounts, throttles: throttles,
                                sessions: sessions, verifier: verifier, tokens: tokens, digester: tokens,
                                clock: clock, random: random, policy: devicePolicy, throttle: try! LoginThrottle(),
                                audit: audit)
        factorStore = InMemoryFactorStore(data: data)
        let factorChallenges = FactorChallenges(store: factorStore, sms: sms, random: random, clock: clock, audit: audit)
        factors = FactorService([
            SMSFactor(sms: sms, accounts: accounts),
            TOTPFactor(store: factorStore, challenges: factorChallenges, sealer: TransparentSecretSealer(), mac: mac,
                       random: random, clock: clock, audit: audit, policy: TOTPPolicy(issuer: "Nordversicherung")),
            RecoveryCodeFactor(store: factorStore, challenges: factorChallenges, digester: FakeKeyedDigester(),
                               random: random, clock: clock, audit: audit),
        ], challenges: factorChallenges)
        service = AccountService(
            accounts: accounts, directory: InMemoryAccountDirectory(data: data), throttles: throttles,
            resetTokens: resetTokens,
            activationCodes: InMemoryActivationCodeStore(data: data), sessions: sessions, sms: sms, devices: devices,
            transactions: InMemoryTransactionRunner(),
            hashing: PasswordHashingPool(hasher: hasher, configuration: .init(workers: 2, queueLimit: 16), metrics: metrics),
            hashValidator: FakeHashValidator(),
            sealer: TransparentSecretSealer(), keyedDigester: FakeKeyedDigester(), tokenDigester: tokens,
            tokens: tokens, clock: clock, random: random, policy: policy, audit: audit, logger: logs.logger,
            factors: factors, metrics: metrics)
    }
}

extension AccountServiceFixture {
    /// The default SMS policy with the built-in templates.
    static func smsPolicy(challenge: SMSChallengePolicy = .default, caps: SMSSendCaps = .default,
                          sendDeadline: Double = 15) -> SMSPolicy {
        SMSPolicy(challenge: challenge, caps: caps, templates: try! SMSTemplateSet(product: "riegel", origin: nil),
                  sendDeadline: sendDeadline)
    }

    /// A second SMS service over the same stores, as on another riegeld
    /// instance sharing the database: its own lock, the same clock and keys.
    /// `store`: what its checks read and write challenges through (a wrapper
    /// of ``challengeStore``; default: that store itself).
    func smsOnAnotherInstance(store: (any SMSChallengeStore)? = nil) -> SMSChallengeService {
        let clock = self.clock
        let dispatcher = SMSDispatcher(store: challengeStore, gateway: gateway, sealer: TransparentSecretSealer(),
                                       clock: clock, policy: sms.policy, logger: logs.logger,
                                       sleep: { clock.advance(seconds: $0) })
        return SMSChallengeService(store: store ?? challengeStore, counters: counters,
                                   transactions: InMemoryTransactionRunner(),
                                   dispatcher: dispatcher,
                                   sealer: TransparentSecretSealer(), digester: smsDigester, random: random,
                                   clock: clock, policy: sms.policy, audit: audit, logger: logs.logger)
    }

    /// A second session service over the same store, as after a restart (not yet loaded).
    func restartedSessions() -> SessionService {
        SessionService(sessions: InMemorySessionStore(data: data), accounts: accounts, tokens: tokens,
                       digester: tokens, clock: clock, random: random, policy: sessions.policy, audit: audit)
    }
}

/// A login that was expected to give a session gave a challenge.
struct UnexpectedChallenge: Error {}

extension LoginOutcome {
    /// The session; throws when the login asked for a code instead.
    var session: NewSession {
        get throws {
            guard case .session(let session, _) = self else { throw UnexpectedChallenge() }
            return session
        }
    }

    /// The challenge; throws when the login gave a session instead.
    var challenge: ChallengeView {
        get throws {
            guard case .challenge(let challenge) = self else { throw UnexpectedChallenge() }
            return challenge
        }
    }
}
