/// Whether a session may open a resource of a class: the step-up decision
/// as a pure function of the class, the session, the account's enrolment and
/// the time (docs/flows/step-up.md has the table).
///
/// In order:
/// 1. unknown class → ``AccessDenial/unknownResourceClass(_:)``;
/// 2. class needs no second factor → granted (``AccessGrant/passwordSuffices``);
/// 3. no second factor enrolled → ``AccessDenial/secondFactorNotEnrolled``,
///    even if the session was elevated before the user turned it off;
/// 4. no proof in this session → step-up;
/// 5. proof older than the class's max age (activity does not extend it),
///    or in the future → step-up;
/// 6. otherwise granted (``AccessGrant/secondFactorProven``).
/// - Important: security rule 7; ages compare `age < maxAge`, so a 600 s
///   class is open at 599.x s and closed at 600 s exactly.
public enum AccessDecision: Sendable, Hashable {
    /// Access allowed, for this reason.
    case granted(AccessGrant)
    /// Access refused, for this reason.
    case denied(AccessDenial)

    /// The decision for the class called `name` in `catalog`.
    public static func decide(resourceClass name: String, in catalog: ResourceClassCatalog, session: AccessSession,
                              secondFactorEnrolled: Bool, now: Instant) -> AccessDecision {
        guard let resourceClass = catalog.resourceClass(named: name) else {
            return .denied(.unknownResourceClass(name))
        }
        return decide(resourceClass, session: session, secondFactorEnrolled: secondFactorEnrolled, now: now)
    }

    /// The decision for `resourceClass`.
    public static func decide(_ resourceClass: ResourceClass, session: AccessSession, secondFactorEnrolled: Bool,
                              now: Instant) -> AccessDecision {
        guard resourceClass.needsSecondFactor else { return .granted(.passwordSuffices) }
        guard secondFactorEnrolled else { return .denied(.secondFactorNotEnrolled) }
        guard let proven = session.secondFactorProvenAt else { return .denied(.noSecondFactorInSession) }
        let age = now.seconds(since: proven)
        if age < 0 { return .denied(.secondFactorInFuture) }
        if let maxAge = resourceClass.secondFactorMaxAge, age >= maxAge { return .denied(.secondFactorTooOld) }
        return .granted(.secondFactorProven)
    }

    /// Whether access is allowed.
    public var isGranted: Bool {
        if case .granted = self { return true }
        return false
    }

    /// The audit event's `reason`.
    public var reason: String {
        switch self {
        case .granted(let grant): grant.rawValue
        case .denied(let denial): denial.reason
        }
    }
}
