import Logging
import RiegelCore
import RiegelService
@testable import RiegelStore
import RiegelTesting
import GRDB
import Testing

/// `SMSChallengeService.start` on the SQLite stores: the send slot and the
/// challenge commit together.
@Suite struct SMSStartCommitTests {
    /// A challenge that cannot be stored (here: its account does not exist,
    /// so the row's foreign key refuses it) leaves the send windows as they
    /// were. Before, the slot committed on its own first and stayed taken.
    @Test func aChallengeThatCannotBeStoredTakesNoSendSlot() async throws {
        let db = try RiegelDatabase.inMemory()
        let store = SQLiteSMSChallengeStore(database: db)
        let clock = ManualClock()
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let policy = SMSPolicy(challenge: .default, caps: .default,
                               templates: try SMSTemplateSet(product: "riegel", origin: nil), sendDeadline: 15)
        let auditLog = InMemoryAuditLog(clock: clock)
        let sms = SMSChallengeService(
            store: store, counters: SQLiteSMSCounterStore(database: db),
            transactions: SQLiteTransactionRunner(database: db),
            dispatcher: SMSDispatcher(store: store, gateway: InMemorySMSGateway(), sealer: TransparentSecretSealer(),
                                      clock: clock, policy: policy, logger: logger),
            sealer: TransparentSecretSealer(), digester: FakeKeyedDigester(), random: SeededRandom(), clock: clock,
            policy: policy,
            audit: AuditRecorder(log: auditLog, maintenance: auditLog, hasher: SoftwareSHA256(), logger: logger),
            logger: logger)
        let phone = try PhoneNumber(parsing: "+4915112345678")
        await #expect(throws: (any Error).self) {
            _ = try await sms.start(.login, user: UserID(rawValue: "u_none"), username: "nobody", phone: phone)
        }
        let windows = try await db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM sms_send_window") }
        #expect(windows == 0, "the send windows were written without the challenge")
        #expect(try store.pendingCount(now: clock.now()) == 0)
    }
}
