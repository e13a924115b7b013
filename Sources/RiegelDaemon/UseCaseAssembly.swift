import Foundation
import Logging
import RiegelCore
import RiegelCrypto
import RiegelService

/// Assembles the use cases riegeld serves (accounts, sessions, devices,
/// access, the audit trail, the password hashing pool and, through
/// ``SMSAssembly``, the SMS factor) from the config over the stores of the
/// configured back end (``StoreSet``) and the key ring.
struct UseCaseAssembly {
    let accounts: AccountService
    let sessions: SessionService
    let devices: DeviceService
    let access: AccessService
    let hashing: PasswordHashingPool
    let auditLog: any StoreSet.AuditStore
    let auditExporter: AuditExporter
    let checkpointSealer: KeyRingCheckpointSealer
    let audit: AuditRecorder
    let sms: SMSAssembly

    /// Builds everything; fails on an unreadable blocklist or bad parameters.
    static func make(config: RiegelConfig, stores: StoreSet, keyRing: KeyRing, clock: any WallClock,
                     random: any RandomSource, environment: [String: String],
                     metrics: RiegelMetrics = .off, logger: Logger) throws -> UseCaseAssembly {
        // New hashes are argon2id; imported legacy hashes verify and upgrade on the next login.
        let hasher = UpgradingPasswordHasher(argon2: try Argon2idHasher(parameters: config.password.argon2Parameters,
                                                                        random: random),
                                             legacy: LegacyPasswordVerifier())
        let hashing = PasswordHashingPool(hasher: hasher, configuration: config.password.hashingPool, metrics: metrics)
        let checkpointSealer = KeyRingCheckpointSealer(keyRing: keyRing)
        let auditLog = stores.auditLog(clock, SHA256AuditHasher(), checkpointSealer, stores.checkpointInterval)
        let syslog = try syslogForwarder(config.audit, logger: logger)
        let audit = AuditRecorder(log: auditLog, maintenance: auditLog, hasher: SHA256AuditHasher(), logger: logger,
                                  forwarder: syslog, metrics: metrics)
        let sessions = SessionService(
            sessions: stores.sessions, accounts: stores.accounts,
            tokens: SecureTokenGenerator(random: random), digester: SHA256TokenDigester(), clock: clock, random: random,
            policy: config.session.policy,
            audit: audit, metrics: metrics, sharedStore: stores.shared)
        let policy = try config.password.accountPolicy(throttle: try config.throttle.loginThrottle)
        let sms = try SMSAssembly.make(config: config.sms, stores: stores, keyRing: keyRing, clock: clock,
                                       random: random, audit: audit, environment: environment, metrics: metrics,
                                       logger: logger)
        let devices = DeviceService(
            devices: stores.devices, nonces: stores.nonces,
            accounts: stores.accounts, throttles: stores.throttles,
            sessions: sessions, verifier: P256SignatureVerifier(), tokens: SecureTokenGenerator(random: random),
            digester: SHA256TokenDigester(), clock: clock, random: random,
            policy: config.device.policy,
            throttle: policy.throttle, audit: audit)
        // Second factors besides SMS: apps and recovery codes, behind the factor seam.
        let factorStore = stores.factors
        let factorChallenges = FactorChallenges(store: factorStore, sms: sms.challenges, random: random, clock: clock,
                                                audit: audit)
        let factors = FactorService([
            SMSFactor(sms: sms.challenges, accounts: stores.accounts),
            TOTPFactor(store: factorStore, challenges: factorChallenges, sealer: KeyRingSealer(keyRing: keyRing, random: random),
                       mac: SwiftCryptoOneTimePasswordMAC(), random: random, clock: clock, audit: audit,
                       policy: config.factors.totpPolicy),
            RecoveryCodeFactor(store: factorStore, challenges: factorChallenges, digester: KeyRingDigester(keyRing: keyRing),
                               random: random, clock: clock, audit: audit, count: config.factors.recoveryCodes),
        ], challenges: factorChallenges)
        let accounts = AccountService(
            accounts: stores.accounts, directory: stores.directory,
            throttles: stores.throttles,
            resetTokens: stores.resetTokens,
            activationCodes: stores.activationCodes, sessions: sessions,
            sms: sms.challenges, devices: devices,
            transactions: stores.transactions, hashing: hashing,
            hashValidator: hasher,
            sealer: KeyRingSealer(keyRing: keyRing, random: random), keyedDigester: KeyRingDigester(keyRing: keyRing),
            tokenDigester: SHA256TokenDigester(), tokens: SecureTokenGenerator(random: random), clock: clock,
            random: random, policy: policy, audit: audit, logger: logger, factors: factors,
            metrics: metrics)
        let access = AccessService(sessions: sessions, accounts: stores.accounts,
                                   catalog: try config.resourceClassCatalog(), clock: clock, audit: audit)
        return UseCaseAssembly(accounts: accounts, sessions: sessions, devices: devices, access: access,
                                 hashing: hashing,
                                 auditLog: auditLog,
                                 auditExporter: AuditExporter(reader: auditLog, sealer: checkpointSealer,
                                                              hasher: SHA256AuditHasher(),
                                                              checkpointInterval: stores.checkpointInterval,
                                                              audit: audit),
                                 checkpointSealer: checkpointSealer, audit: audit, sms: sms)
    }

    /// The `[audit] syslog` sink, or nil when the key is not set.
    static func syslogForwarder(_ config: AuditConfig, logger: Logger) throws -> SyslogAuditForwarder? {
        guard let path = config.syslog else { return nil }
        let formatter = RFC5424Formatter(hostname: ProcessInfo.processInfo.hostName,
                                         procID: "\(ProcessInfo.processInfo.processIdentifier)")
        logger.info("audit events also go to syslog (RFC 5424, authpriv)", metadata: ["syslog_path": "\(path)"])
        return try SyslogAuditForwarder(path: path, formatter: formatter, logger: logger)
    }
}

/// A startup failure with a message that says how to fix it.
struct StartupError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
