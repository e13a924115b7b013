import RiegelCore
import Testing

/// Which sessions may add or change a credential (issue 11, item 1): only a
/// fresh proof by an actual factor — an SMS code or an app key — never a
/// remembered browser's token, however fresh.
struct CredentialChangeRuleTests {
    let proof = Instant(secondsSinceEpoch: 1_767_225_600)

    func decide(_ method: AuthenticationMethod?, assurance: Assurance = .secondFactor, provenAt: Instant? = nil,
                after seconds: Double) -> CredentialChangeRule.Decision {
        CredentialChangeRule.decide(assurance: assurance, proofMethod: method, provenAt: provenAt ?? proof,
                                    now: proof.adding(seconds: seconds), maxAge: 600)
    }

    @Test func freshSMSOrDeviceKeyProofAllowsTheChange() {
        #expect(decide(.sms, after: 0) == .allowed)
        #expect(decide(.deviceKey, after: 599.9) == .allowed)
    }

    @Test func copiedBrowserTokenNeverAllowsTheChangeHoweverFresh() {
        #expect(decide(.trustedDevice, after: 0) == .stepUpRequired(reason: "proven_by_trusted_device_only"))
    }

    @Test func proofDecaysAtTheMaxAgeExactlyAndAFutureProofCountsForNothing() {
        #expect(decide(.sms, after: 600) == .stepUpRequired(reason: "second_factor_too_old"))
        #expect(decide(.sms, after: -1) == .stepUpRequired(reason: "second_factor_in_future"))
    }

    @Test func passwordOnlyOrUnprovenSessionsNeedAStepUp() {
        let none = CredentialChangeRule.Decision.stepUpRequired(reason: "no_second_factor_in_session")
        #expect(decide(.sms, assurance: .password, after: 0) == none)
        #expect(decide(nil, after: 0) == none, "second_factor without a recorded method fails closed")
        #expect(decide(.password, after: 0) == none)
        #expect(CredentialChangeRule.decide(assurance: .secondFactor, proofMethod: .sms, provenAt: nil, now: proof,
                                            maxAge: 600) == none)
    }
}
