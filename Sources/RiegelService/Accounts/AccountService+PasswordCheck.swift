import Logging
import RiegelCore

extension AccountService {
    /// The password step of a login: verifies `password` against `account`'s
    /// stored hash, or, when there is no account, against the decoy that
    /// ``DecoyHashPool`` picks for `unknownName` (the dummy hash without a name
    /// or a decoy), and returns the stored PHC string when it matched.
    ///
    /// - Important: security rule 1 and issue 11 (items 7, 10). Every call
    ///   lasts at least ``VerificationFloor/floor`` (see ``verificationFloor``).
    ///   A stored hash over the cost caps or unreadable is not run: it fails
    ///   closed as a wrong password, is audited (`password.hash_refused`) and
    ///   logged, and the dummy hash is verified instead, so it costs what an
    ///   unknown user costs.
    func checkLoginPassword(_ password: String, of account: AccountRecord?,
                            unknownName: String? = nil) async throws -> String? {
        try await verificationFloor.padded(clock: ContinuousClock()) {
            guard let account else {
                if let unknownName, let decoy = try decoyHash(for: unknownName) {
                    do {
                        // Never a login: the result is dropped whatever it is.
                        _ = try await pooled { try await self.hashing.verify(password, against: decoy) }
                        return (nil, isReference: !hashing.needsRehash(decoy))
                    } catch is PasswordHashError {
                        // Refused without running (over the caps): the dummy's work instead.
                    }
                }
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
                audit.record(.passwordHashRefused, .failure, user: account.id, username: account.username.value,
                             reason: reason)
                logger.warning("stored password hash refused without running it", metadata: [
                    "user_id": "\(account.id.rawValue)", "reason": "\(reason)", "detail": "\(error)"])
                try await verifyDummy(password)
                return (nil, isReference: true)
            }
        }
    }

    /// The stored hash of the sampled account that stands in for `name`, if
    /// there is one that can be opened.
    private func decoyHash(for name: String) throws -> String? {
        let digest = keyedDigester.digest(Array(name.utf8), purpose: .pii).bytes
        guard let account = try decoys.decoy(forDigest: digest, store: accounts, now: clock.now()) else { return nil }
        return try? storedHash(of: account)
    }

    /// Verifies `password` against the dummy hash (the work of an unknown user).
    private func verifyDummy(_ password: String) async throws {
        let dummy = try await openDummyHash()
        _ = try await pooled { try await self.hashing.verify(password, against: dummy) }
    }
}
