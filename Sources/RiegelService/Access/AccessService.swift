import RiegelCore
import Synchronization

/// Decides whether a session may open a resource (`AuthorizeAccess`) and
/// records every decision in the audit trail.
///
/// Health documents are GDPR art. 9 data: each decision, granted or denied,
/// becomes an `access.granted` / `access.denied` event naming the class, the
/// portal's resource id, the session and the reason, so access stays
/// reviewable. The rules are ``AccessDecision``'s; the classes come from a
/// ``ResourceClassCatalog`` that a config reload may replace.
/// - Important: the call counts as session activity (the user is opening
///   something), but activity never extends a second factor's max age. Bad
///   input (`resource_id`, a malformed class name) is refused before the
///   session is touched and leaves no trace; no token reaches the audit trail.
public final class AccessService: Sendable {
    let sessions: SessionService
    let accounts: any AccountStore
    let clock: any WallClock
    let audit: AuditRecorder
    private let current: Mutex<ResourceClassCatalog>

    /// A service deciding with `catalog` at `clock`'s time.
    public init(sessions: SessionService, accounts: any AccountStore, catalog: ResourceClassCatalog,
                clock: any WallClock, audit: AuditRecorder) {
        self.sessions = sessions
        self.accounts = accounts
        self.clock = clock
        self.audit = audit
        current = Mutex(catalog)
    }

    /// The classes in force.
    public var catalog: ResourceClassCatalog {
        current.withLock { $0 }
    }

    /// Puts `catalog` in force for every later decision (config reload).
    public func replaceCatalog(_ catalog: ResourceClassCatalog) {
        current.withLock { $0 = catalog }
    }

    /// Whether the session of `token` may open `resourceID` of class
    /// `resourceClass`; true when granted, every denial is an error.
    ///
    /// - Throws: `InvalidResourceID(reason)` for a bad id and
    ///   `UnknownResourceClass(name)` for a malformed class name (both before
    ///   anything else, unrecorded); `InvalidToken` / `SessionExpired` from the
    ///   session check; then, recorded as `access.denied`:
    ///   `UnknownResourceClass`, `SecondFactorNotEnrolled`, `StepUpRequired`.
    public func authorize(token: String, resourceClass name: String, resourceID rawID: String?,
                          client: ClientContext = ClientContext()) throws -> Bool {
        let resourceID: ResourceID?
        do {
            resourceID = try rawID.map { raw throws(ResourceIDError) in try ResourceID(raw) }
        } catch {
            throw RiegelError.invalidResourceID(reason: error.message)
        }
        guard ResourceClass.isValidName(name) else { throw RiegelError.unknownResourceClass(name) }
        let checked = try sessions.check(token: token, touch: true)
        let catalog = self.catalog
        let needsEnrolment = catalog.resourceClass(named: name)?.needsSecondFactor ?? false
        let enrolled = needsEnrolment ? try secondFactorEnrolled(checked.userID) : false
        let info = checked.info
        let decision = AccessDecision.decide(
            resourceClass: name, in: catalog,
            session: AccessSession(assurance: info.assurance, method: checked.method,
                                   authenticatedAt: info.authenticatedAt, secondFactorAt: info.secondFactorAt),
            secondFactorEnrolled: enrolled, now: clock.now())
        var details = ["resource_class": name, "session_id": checked.id.rawValue]
        if let resourceID { details["resource_id"] = resourceID.value }
        if let provenAt = info.secondFactorAt { details["second_factor_at"] = RFC3339.format(provenAt) }
        audit.record(decision.isGranted ? .accessGranted : .accessDenied, decision.isGranted ? .success : .failure,
                     user: checked.userID, username: info.username, reason: decision.reason, client: client,
                     details: details)
        if case .denied(let denial) = decision { throw denial.error }
        return true
    }

    /// Whether the account has a second factor on; an account gone under a
    /// live session ends that session's use.
    private func secondFactorEnrolled(_ user: UserID) throws -> Bool {
        guard let account = try accounts.account(id: user) else { throw RiegelError.sessionExpired(.revoked) }
        return account.secondFactorEnabled
    }
}
