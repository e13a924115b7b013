import RiegelCore
import RiegelService

/// What the RPC layer needs from the daemon to answer riegel's methods.
///
/// The composition root fills it in; the RPC layer calls use cases and never
/// names a concrete store or adapter.
public struct RiegelMethods: Sendable {
    /// The daemon's current status (`io.riegel.Admin.Status`).
    public var status: @Sendable () -> DaemonStatus
    /// Account use cases (`Register`, `Login`, ...).
    public var accounts: AccountService
    /// Session use cases (`CheckSession`, ...).
    public var sessions: SessionService
    /// Trusted devices and app keys (`ListDevices`, `FinishDeviceLogin`, ...).
    public var devices: DeviceService
    /// Step-up access decisions (`AuthorizeAccess`).
    public var access: AccessService
    /// SMS challenges (`SmsStats`).
    public var sms: SMSChallengeService
    /// The daemon's wall clock.
    public var clock: any WallClock
    /// Records security events (refused callers, here).
    public var audit: AuditRecorder
    /// Reads and verifies the audit trail (`io.riegel.Audit`).
    public var auditReader: any AuditReader
    /// Signed exports of the audit trail (`Export`).
    public var auditExporter: AuditExporter
    /// The audit signing keys' public halves (`PublicKeys`).
    public var auditKeys: any CheckpointSealer
    /// Data keys: list, rotate, retire (`io.riegel.Admin`).
    public var keys: KeyAdministration
    /// Master-key rotation (`RotateMasterKey`).
    public var masterKeys: MasterKeyService
    /// Online backups of the database (`Backup`).
    public var backups: DatabaseBackupService
    /// Where calls are counted and timed (``RiegelMetrics/off``: nowhere).
    public var metrics: RiegelMetrics

    /// The counts of `io.riegel.Admin.Stats`, from the use cases above.
    public var stats: StatsService {
        StatsService(accounts: accounts, sessions: sessions, sms: sms, auditReader: auditReader, clock: clock)
    }

    /// Binds the use cases.
    public init(status: @escaping @Sendable () -> DaemonStatus, accounts: AccountService, sessions: SessionService,
                devices: DeviceService, access: AccessService, sms: SMSChallengeService, clock: any WallClock,
                audit: AuditRecorder,
                auditReader: any AuditReader, auditExporter: AuditExporter, auditKeys: any CheckpointSealer,
                keys: KeyAdministration, masterKeys: MasterKeyService, backups: DatabaseBackupService,
                metrics: RiegelMetrics = .off) {
        self.status = status
        self.accounts = accounts
        self.sessions = sessions
        self.devices = devices
        self.access = access
        self.sms = sms
        self.clock = clock
        self.audit = audit
        self.auditReader = auditReader
        self.auditExporter = auditExporter
        self.auditKeys = auditKeys
        self.keys = keys
        self.masterKeys = masterKeys
        self.backups = backups
        self.metrics = metrics
    }
}
