import Logging
import RiegelCore

extension AccountService {
    /// The password step of a login: verifies `password` against `account`'s
    /// stored hash, or the dummy hash when there is no account, and returns
    /// the stored PHC string when it matched.
    ///
    /// - Important: security rule 1 and issue 11 (items 7, 10). Every call
    ///   lasts at least ``VerificationFloor/floor`` (see ``verificationFloor``).
    ///   A stored hash over the cost caps or unreadable is not run: it fails
    ///   closed as a wrong password, is audited (`password.hash_refused`) and
    ///   logged, and the dummy hash is verified instead, so it costs what an
    ///   unknown user costs.
    func checkLoginPassword(_ password: String, of account: AccountRecord?) async throws -> String? {
        try await verificationFloor.padded(clock: ContinuousClock()) {
            guard let account else {
                try await verifyDummy(password)
                return (nil, isReference: true)
            }
            let stored = try storedHash(of: account)
            do {
                let matches = try await pooled { try await self.hashing.verify(password, against: stored) }
                return (matches ? stored : nil, isReference: !hashing.needsRehash(stored))
            } catch let error as PasswordHashError {
                let reason: String
                switch error {
                case .costAboveLimit: reason = "cost_above_limit"
                case .malformedHash: reason = "malformed"
                case .parametersOutOfRange, .hashingFailed: throw error
                }
                audit.record("password.hash_refused", .failure, user: account.id, username: account.username.value,
                             reason: reason)
                logger.warning("stored password hash refused without running it", metadata: [
                    "user_id": "\(account.id.rawValue)", "reason": "\(reason)", "detail": "\(error)"])
                try await verifyDummy(password)
                return (nil, isReference: true)
            }
        }
    }

    /// Verifies `password` against the dummy hash (the work of an unknown user).
    private func verifyDummy(_ password: String) async throws {
        let dummy = try await openDummyHash()
        _ = try await pooled { try await self.hashing.verify(password, against: dummy) }
    }
}
