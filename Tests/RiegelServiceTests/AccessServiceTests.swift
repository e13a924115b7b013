import RiegelCore
@testable import RiegelService
import RiegelTesting
import Testing

/// `AuthorizeAccess` on the session model: every outcome, the decay of a
/// proven second factor on a manual clock, and the audit trail it leaves.
struct AccessServiceTests {
    let f = AccountServiceFixture()
    let access: AccessService

    init() {
        access = AccessService(sessions: f.sessions, accounts: f.accounts, catalog: ResourceClassCatalog(),
                               clock: f.clock, audit: f.audit)
    }

    func with(_ catalog: ResourceClassCatalog) -> AccessService {
        AccessService(sessions: f.sessions, accounts: f.accounts, catalog: catalog, clock: f.clock, audit: f.audit)
    }

    /// An account (second factor on or off) and a session for it.
    func session(enrolled: Bool, assurance: Assurance = .password, method: AuthenticationMethod = .password,
                 name: String = "sam") throws -> NewSession {
        let account = AccountRecord(id: UserID(rawValue: "u_\(name)"), username: try Username(name), email: nil,
                                    emailIndex: nil, passwordHash: SealedSecret(bytes: [1], keyID: KeyID(rawValue: 1)),
                                    createdAt: f.clock.now(), secondFactorEnabled: enrolled)
        try f.accounts.create(account)
        return try f.sessions.open(for: account, assurance: assurance, method: method, client: .init())
    }

    func accessEvents() throws -> [AuditEntry] {
        try f.auditLog.query(AuditFilter(types: ["access.granted", "access.denied"]), limit: nil).entries
    }

    func expectError(_ expected: RiegelError, _ body: () throws -> Bool, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(throws: expected, sourceLocation: sourceLocation) { _ = try body() }
    }

    // MARK: outcomes

    @Test func standardIsGrantedToAPasswordSessionAndRecorded() throws {
        let s = try session(enrolled: false)
        #expect(try access.authorize(token: s.token, resourceClass: "standard", resourceID: "doc-1",
                                     client: .init(ip: "192.0.2.9", userAgent: "ua")))
        let e = try #require(try accessEvents().last)
        #expect(e.event.type == "access.granted")
        #expect(e.event.outcome == .success)
        #expect(e.event.reason == "password_suffices")
        #expect(e.event.userID == UserID(rawValue: "u_sam"))
        #expect(e.event.clientIP == "192.0.2.9")
        #expect(e.event.details["resource_class"] == "standard")
        #expect(e.event.details["resource_id"] == "doc-1")
        #expect(e.event.details["session_id"] == s.info.sessionID.rawValue)
    }

    @Test func healthDocumentWithoutASecondFactorIsSecondFactorNotEnrolledAndRecorded() throws {
        let s = try session(enrolled: false)
        expectError(.secondFactorNotEnrolled) {
            try access.authorize(token: s.token, resourceClass: "health_document", resourceID: "befund-7")
        }
        let e = try #require(try accessEvents().last)
        #expect(e.event.type == "access.denied")
        #expect(e.event.outcome == .failure)
        #expect(e.event.reason == "second_factor_not_enrolled")
        #expect(e.event.details["resource_class"] == "health_document")
        #expect(e.event.details["resource_id"] == "befund-7")
    }

    @Test func healthDocumentFromAPasswordSessionOfAnEnrolledUserIsStepUpRequired() throws {
        let s = try session(enrolled: true)
        expectError(.stepUpRequired) { try access.authorize(token: s.token, resourceClass: "health_document", resourceID: nil) }
        let e = try #require(try accessEvents().last)
        #expect(e.event.reason == "no_second_factor_in_session")
        #expect(e.event.details["resource_id"] == nil)
    }

    @Test func stepUpGrantsAt9m59AndRequiresItAgainAt10m() throws {
        let s = try session(enrolled: true)
        f.clock.advance(seconds: 120)
        let elevated = try f.sessions.elevate(id: s.info.sessionID, reason: "step_up")
        f.clock.advance(seconds: 599)
        #expect(try access.authorize(token: elevated.token, resourceClass: "health_document", resourceID: "d"))
        #expect(try accessEvents().last?.event.reason == "second_factor_proven")
        f.clock.advance(seconds: 1)
        expectError(.stepUpRequired) { try access.authorize(token: elevated.token, resourceClass: "health_document", resourceID: "d") }
        #expect(try accessEvents().last?.event.reason == "second_factor_too_old")
        // The session itself lives on: standard documents still open.
        #expect(try access.authorize(token: elevated.token, resourceClass: "standard", resourceID: "d"))
    }

    @Test func activityDoesNotExtendTheSecondFactorMaxAge() throws {
        let s = try session(enrolled: true)
        let elevated = try f.sessions.elevate(id: s.info.sessionID, reason: "step_up")
        for _ in 0..<9 {
            f.clock.advance(seconds: 60)
            _ = try f.sessions.check(token: elevated.token)
            #expect(try access.authorize(token: elevated.token, resourceClass: "health_document", resourceID: "d"))
        }
        f.clock.advance(seconds: 60)
        expectError(.stepUpRequired) { try access.authorize(token: elevated.token, resourceClass: "health_document", resourceID: "d") }
    }

    @Test(arguments: [AuthenticationMethod.trustedDevice, .deviceKey])
    func sessionFromATrustedDeviceOrDeviceKeyCountsAsProvenAtLogin(method: AuthenticationMethod) throws {
        let s = try session(enrolled: true, assurance: .secondFactor, method: method)
        // SessionService.open records the proof at creation for such sessions.
        #expect(s.info.secondFactorAt == s.info.authenticatedAt)
        f.clock.advance(seconds: 599)
        #expect(try access.authorize(token: s.token, resourceClass: "health_document", resourceID: "d"))
        f.clock.advance(seconds: 1)
        expectError(.stepUpRequired) { try access.authorize(token: s.token, resourceClass: "health_document", resourceID: "d") }
    }

    @Test func unknownClassIsUnknownResourceClassAndRecorded() throws {
        let s = try session(enrolled: true)
        expectError(.unknownResourceClass("x_ray")) { try access.authorize(token: s.token, resourceClass: "x_ray", resourceID: "d") }
        let e = try #require(try accessEvents().last)
        #expect(e.event.type == "access.denied")
        #expect(e.event.reason == "unknown_resource_class")
        #expect(e.event.details["resource_class"] == "x_ray")
    }

    @Test func disablingTheSecondFactorEndsAnElevatedSessionsHealthAccess() throws {
        let s = try session(enrolled: true)
        let elevated = try f.sessions.elevate(id: s.info.sessionID, reason: "step_up")
        #expect(try access.authorize(token: elevated.token, resourceClass: "health_document", resourceID: "d"))
        // Only the account's switch: even a session still at second_factor is refused.
        try f.accounts.setSecondFactor(id: UserID(rawValue: "u_sam"), phone: nil)
        #expect(try f.sessions.check(token: elevated.token).info.assurance == .secondFactor)
        expectError(.secondFactorNotEnrolled) {
            try access.authorize(token: elevated.token, resourceClass: "health_document", resourceID: "d")
        }
        #expect(try access.authorize(token: elevated.token, resourceClass: "standard", resourceID: "d"))
    }

    @Test func configuredMaxAgeOfHealthDocumentReplacesTheBuiltIn() throws {
        let access = with(try ResourceClassCatalog([
            ResourceClass(name: "health_document", needsSecondFactor: true, secondFactorMaxAge: 120)]))
        let s = try session(enrolled: true)
        let elevated = try f.sessions.elevate(id: s.info.sessionID, reason: "step_up")
        f.clock.advance(seconds: 119)
        #expect(try access.authorize(token: elevated.token, resourceClass: "health_document", resourceID: "d"))
        f.clock.advance(seconds: 1)
        expectError(.stepUpRequired) { try access.authorize(token: elevated.token, resourceClass: "health_document", resourceID: "d") }
    }

    @Test func classWithoutMaxAgeStaysOpenUntilTheSessionEnds() throws {
        let access = with(try ResourceClassCatalog([ResourceClass(name: "claims", needsSecondFactor: true)]))
        let s = try session(enrolled: true)
        expectError(.stepUpRequired) { try access.authorize(token: s.token, resourceClass: "claims", resourceID: "d") }
        let elevated = try f.sessions.elevate(id: s.info.sessionID, reason: "step_up")
        for _ in 0..<40 {  // 10 h of activity every 15 min minus a second
            f.clock.advance(seconds: 899)
            #expect(try access.authorize(token: elevated.token, resourceClass: "claims", resourceID: "d"))
        }
    }

    @Test func replacedCatalogAppliesToTheNextDecision() throws {
        let s = try session(enrolled: false)
        expectError(.unknownResourceClass("claims")) { try access.authorize(token: s.token, resourceClass: "claims", resourceID: nil) }
        access.replaceCatalog(try ResourceClassCatalog([ResourceClass(name: "claims", needsSecondFactor: false)]))
        #expect(try access.authorize(token: s.token, resourceClass: "claims", resourceID: nil))
    }

    // MARK: the session

    @Test func authorizeCountsAsSessionActivity() throws {
        let s = try session(enrolled: false)
        f.clock.advance(seconds: 600)
        #expect(try access.authorize(token: s.token, resourceClass: "standard", resourceID: nil))
        f.clock.advance(seconds: 600)  // 1200 s after login, 600 s after the call: alive with idle 900
        _ = try f.sessions.check(token: s.token)
    }

    @Test func sessionErrorsPropagateAndAreNotRecordedAsDecisions() throws {
        expectError(.invalidToken) { try access.authorize(token: "tok-never", resourceClass: "standard", resourceID: nil) }
        let s = try session(enrolled: false)
        f.clock.advance(seconds: 900)
        expectError(.sessionExpired(.idle)) { try access.authorize(token: s.token, resourceClass: "standard", resourceID: nil) }
        #expect(try accessEvents().isEmpty)
    }

    // MARK: bad input

    @Test(arguments: ["", String(repeating: "x", count: 257), "doc\n1", "doc\u{0}", "doc\u{202E}fdp.exe", "a\u{2028}b"])
    func badResourceIDIsInvalidResourceIDAndChangesNothing(id: String) throws {
        let s = try session(enrolled: false)
        let before = try f.auditLog.query(AuditFilter(), limit: nil).entries.count
        f.clock.advance(seconds: 600)
        #expect {
            _ = try access.authorize(token: s.token, resourceClass: "standard", resourceID: id)
        } throws: { error in
            guard case .invalidResourceID(let reason)? = error as? RiegelError else { return false }
            return !reason.contains(id) || id.isEmpty
        }
        #expect(try f.auditLog.query(AuditFilter(), limit: nil).entries.count == before)
        // Not touched: the session still ends 900 s after login.
        f.clock.advance(seconds: 300)
        #expect(throws: RiegelError.sessionExpired(.idle)) { _ = try f.sessions.check(token: s.token) }
    }

    @Test func malformedClassNameIsUnknownResourceClassAndChangesNothing() throws {
        let s = try session(enrolled: false)
        let before = try f.auditLog.query(AuditFilter(), limit: nil).entries.count
        for name in ["", "Standard\n", String(repeating: "a", count: 65), "health_document\u{0}"] {
            expectError(.unknownResourceClass(name)) { try access.authorize(token: s.token, resourceClass: name, resourceID: nil) }
        }
        #expect(try f.auditLog.query(AuditFilter(), limit: nil).entries.count == before)
    }

    // MARK: the whole flow with the SMS second factor

    /// The code in the last SMS the fake gateway delivered.
    func lastCode() throws -> String {
        let text = try #require(f.gateway.delivered.last?.text)
        return String(try #require(text.split { !$0.isASCII || !$0.isNumber }.first { $0.count == 6 }))
    }

    @Test func smsLoginStepUpAndDisableThroughTheAccountService() async throws {
        let strong = "Kl4vier-Sonate-Mond"
        let (_, enrol) = try await f.service.register(username: "sofia", password: strong, email: nil,
                                                      phone: "+49 151 23456789", client: .init())
        _ = try await f.service.verifyChallenge(id: try #require(enrol).id.rawValue, code: try lastCode(),
                                                rememberDevice: false, deviceLabel: nil, client: .init())
        // An SMS login is a second factor proven at login.
        let challenge = try await f.service.login(username: "sofia", password: strong, client: .init()).challenge
        let login = try #require(try await f.service.verifyChallenge(id: challenge.id.rawValue, code: try lastCode(),
                                                                     rememberDevice: false, deviceLabel: nil,
                                                                     client: .init()).session)
        #expect(try access.authorize(token: login.token, resourceClass: "health_document", resourceID: "d"))
        f.clock.advance(seconds: 600)
        expectError(.stepUpRequired) { try access.authorize(token: login.token, resourceClass: "health_document", resourceID: "d") }
        // Step-up: a step_up code renews the token; the old one stops working.
        let stepUp = try await f.service.beginStepUp(token: login.token)
        let renewed = try #require(try await f.service.verifyChallenge(id: stepUp.id.rawValue, code: try lastCode(),
                                                                       rememberDevice: false, deviceLabel: nil,
                                                                       client: .init()).session)
        #expect(try access.authorize(token: renewed.token, resourceClass: "health_document", resourceID: "d"))
        expectError(.invalidToken) { try access.authorize(token: login.token, resourceClass: "health_document", resourceID: "d") }
        // Turning the second factor off ends the elevation.
        try await f.service.disableSecondFactor(token: renewed.token, password: strong)
        expectError(.secondFactorNotEnrolled) {
            try access.authorize(token: renewed.token, resourceClass: "health_document", resourceID: "d")
        }
        #expect(try accessEvents().map(\.event.reason) == [
            "second_factor_proven", "second_factor_too_old", "second_factor_proven", "second_factor_not_enrolled"])
    }

    // MARK: secrecy

    @Test func noTokenReachesTheAuditTrailOrTheLog() throws {
        let s = try session(enrolled: true)
        _ = try? access.authorize(token: s.token, resourceClass: "health_document", resourceID: "d")
        let elevated = try f.sessions.elevate(id: s.info.sessionID, reason: "step_up")
        _ = try access.authorize(token: elevated.token, resourceClass: "health_document", resourceID: "d")
        _ = try? access.authorize(token: elevated.token, resourceClass: "x_ray", resourceID: "d")
        let events = try accessEvents()
        #expect(events.count == 3)
        for token in [s.token, elevated.token] {
            for e in events {
                #expect(!"\(e.event)".contains(token))
            }
            #expect(!f.logs.lines.withLock { $0 }.contains { $0.contains(token) })
        }
    }
}
