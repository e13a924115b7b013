import RiegelCore
import Testing

/// Security rule 7 as a pure function: every outcome of the step-up decision
/// and the decay of a proven second factor, on explicit times.
struct AccessDecisionTests {
    let login = Instant(secondsSinceEpoch: 1_767_225_600)
    let catalog = ResourceClassCatalog()

    func passwordSession() -> AccessSession {
        AccessSession(assurance: .password, method: .password, authenticatedAt: login, secondFactorAt: nil)
    }

    func elevated(at proof: Instant) -> AccessSession {
        AccessSession(assurance: .secondFactor, method: .password, authenticatedAt: login, secondFactorAt: proof)
    }

    func decide(_ name: String, _ session: AccessSession, enrolled: Bool = true, after seconds: Double,
                in catalog: ResourceClassCatalog? = nil) -> AccessDecision {
        AccessDecision.decide(resourceClass: name, in: catalog ?? self.catalog, session: session,
                              secondFactorEnrolled: enrolled, now: login.adding(seconds: seconds))
    }

    @Test func standardNeedsThePasswordOnly() {
        #expect(decide("standard", passwordSession(), enrolled: false, after: 0) == .granted(.passwordSuffices))
        #expect(decide("standard", passwordSession(), enrolled: true, after: 11 * 3600) == .granted(.passwordSuffices))
    }

    @Test func unknownClassIsUnknownResourceClassWithItsName() {
        let d = decide("claims", elevated(at: login), after: 0)
        #expect(d == .denied(.unknownResourceClass("claims")))
        #expect(d.reason == "unknown_resource_class")
        if case .denied(let denial) = d { #expect(denial.error == .unknownResourceClass("claims")) }
    }

    @Test func classNamesMatchExactly() {
        #expect(decide("Standard", passwordSession(), after: 0) == .denied(.unknownResourceClass("Standard")))
    }

    @Test func healthDocumentWithoutEnrolmentIsSecondFactorNotEnrolled() {
        let d = decide("health_document", passwordSession(), enrolled: false, after: 0)
        #expect(d == .denied(.secondFactorNotEnrolled))
        if case .denied(let denial) = d { #expect(denial.error == .secondFactorNotEnrolled) }
    }

    @Test func elevatedSessionOfAUserWhoDisabledTheSecondFactorIsNotEnrolled() {
        #expect(decide("health_document", elevated(at: login), enrolled: false, after: 1) == .denied(.secondFactorNotEnrolled))
    }

    @Test func passwordSessionOfAnEnrolledUserIsStepUpRequired() {
        let d = decide("health_document", passwordSession(), after: 0)
        #expect(d == .denied(.noSecondFactorInSession))
        if case .denied(let denial) = d { #expect(denial.error == .stepUpRequired) }
    }

    @Test func proofIsGrantedAt9m59AndStepUpRequiredAt10m() {
        let proof = login.adding(seconds: 300)
        #expect(decide("health_document", elevated(at: proof), after: 300 + 599) == .granted(.secondFactorProven))
        #expect(decide("health_document", elevated(at: proof), after: 300 + 599.999) == .granted(.secondFactorProven))
        let d = decide("health_document", elevated(at: proof), after: 300 + 600)
        #expect(d == .denied(.secondFactorTooOld))
        if case .denied(let denial) = d { #expect(denial.error == .stepUpRequired) }
    }

    @Test func proofInTheFutureAfterAClockStepBackIsStepUpRequired() {
        let proof = login.adding(seconds: 3600)
        #expect(decide("health_document", elevated(at: proof), after: 60) == .denied(.secondFactorInFuture))
    }

    @Test func sessionsOpenedByASecondFactorCountAsProvenAtLoginEvenWithoutAProofTime() {
        for method in [AuthenticationMethod.sms, .trustedDevice, .deviceKey] {
            let s = AccessSession(assurance: .secondFactor, method: method, authenticatedAt: login, secondFactorAt: nil)
            #expect(s.secondFactorProvenAt == login)
            #expect(decide("health_document", s, after: 599) == .granted(.secondFactorProven))
            #expect(decide("health_document", s, after: 600) == .denied(.secondFactorTooOld))
        }
    }

    @Test func passwordMethodClaimingSecondFactorWithoutAProofTimeHasNoProof() {
        let s = AccessSession(assurance: .secondFactor, method: .password, authenticatedAt: login, secondFactorAt: nil)
        #expect(s.secondFactorProvenAt == nil)
        #expect(decide("health_document", s, after: 0) == .denied(.noSecondFactorInSession))
    }

    @Test func demotedSessionHasNoProofWhateverItsMethod() {
        for method in AuthenticationMethod.allCases {
            let s = AccessSession(assurance: .password, method: method, authenticatedAt: login, secondFactorAt: login)
            #expect(s.secondFactorProvenAt == nil)
            #expect(decide("health_document", s, after: 1) == .denied(.noSecondFactorInSession))
        }
    }

    @Test func configuredMaxAgeReplacesTheBuiltInTen() throws {
        let short = try ResourceClassCatalog([ResourceClass(name: "health_document", needsSecondFactor: true,
                                                             secondFactorMaxAge: 120)])
        #expect(decide("health_document", elevated(at: login), after: 119, in: short) == .granted(.secondFactorProven))
        #expect(decide("health_document", elevated(at: login), after: 120, in: short) == .denied(.secondFactorTooOld))
    }

    @Test func classWithoutMaxAgeStaysOpenForTheRestOfTheSession() throws {
        let c = try ResourceClassCatalog([ResourceClass(name: "claims", needsSecondFactor: true)])
        #expect(decide("claims", elevated(at: login), after: 11 * 3600, in: c) == .granted(.secondFactorProven))
        #expect(decide("claims", passwordSession(), after: 0, in: c) == .denied(.noSecondFactorInSession))
    }

    @Test func reasonsAreTheStoredAuditValues() {
        #expect(AccessDecision.granted(.passwordSuffices).reason == "password_suffices")
        #expect(AccessDecision.granted(.secondFactorProven).reason == "second_factor_proven")
        #expect(AccessDenial.secondFactorNotEnrolled.reason == "second_factor_not_enrolled")
        #expect(AccessDenial.noSecondFactorInSession.reason == "no_second_factor_in_session")
        #expect(AccessDenial.secondFactorTooOld.reason == "second_factor_too_old")
        #expect(AccessDenial.secondFactorInFuture.reason == "second_factor_in_future")
    }
}
