import RiegelCore
import Synchronization

/// The tables behind the in-memory account, reset-token, activation-code,
/// session and device fakes. Fakes made on one `InMemoryStoreData` share it, so deleting
/// an account also drops its sessions, devices, reset tokens and activation codes, as
/// `ON DELETE CASCADE` does in SQLite. Fakes made without one each get their
/// own (independent) tables.
///
/// - Note: unlike SQLite, the fakes do not refuse a session, token or code
///   for an account that does not exist (no foreign-key check), so a service
///   test may use a session fake without creating accounts first.
public final class InMemoryStoreData: Sendable {
    struct ResetToken: Sendable {
        var userID: UserID
        var createdAt: Instant
        var expiresAt: Instant
        var usedAt: Instant?
    }

    struct Tables: Sendable {
        var accounts: [UserID: AccountRecord] = [:]
        var resetTokens: [[UInt8]: ResetToken] = [:]
        /// Keyed by digest bytes, as the SQLite primary key.
        var activationCodes: [[UInt8]: ActivationCodeRecord] = [:]
        var sessions: [SessionID: SessionRecord] = [:]
        var devices: [DeviceID: DeviceRecord] = [:]

        /// Deletes the account and everything that belongs to it.
        mutating func deleteAccount(_ id: UserID) -> Bool {
            guard accounts.removeValue(forKey: id) != nil else { return false }
            resetTokens = resetTokens.filter { $0.value.userID != id }
            activationCodes = activationCodes.filter { $0.value.userID != id }
            sessions = sessions.filter { $0.value.userID != id }
            devices = devices.filter { $0.value.userID != id }
            return true
        }
    }

    let tables = Mutex(Tables())

    /// Empty tables.
    public init() {}
}
