import RiegelCore

/// Re-seals one stale value under the active key of its purpose: the crypto
/// of a re-wrap, without storage.
///
/// - Important: the associated data of each column is the one its writer
///   binds (``AccountService/sealingAAD(_:)``, ``SMSChallengeService/accountAAD(_:)``,
///   ``FactorRecord/totpAAD(_:)``);
///   a checkpoint (or the anchor) is re-signed only if its seal verifies
///   under its old key (signature, or legacy HMAC), so a re-wrap never
///   launders a forged checkpoint.
struct KeyRewrapper: Sendable {
    let sealer: any SecretSealer
    let digester: any KeyedDigester
    let checkpoints: any CheckpointSealer

    /// Why a value could not be re-sealed: where it is, never what it holds.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func rewrap(_ stale: StaleSecret) throws -> RewrappedSecret {
        switch stale {
        case .passwordHash(let user, let sealed):
            let aad = AccountService.sealingAAD(user)
            let plain = try open(sealed, .password, aad, "user \(user.rawValue) password_hash")
            return RewrappedSecret(stale: stale, sealed: try sealer.seal(plain, purpose: .password, associatedData: aad),
                                   digest: nil)
        case .email(let user, let sealed):
            let aad = AccountService.sealingAAD(user)
            let plain = try open(sealed, .pii, aad, "user \(user.rawValue) email")
            guard let address = try? EmailAddress(String(decoding: plain, as: UTF8.self)) else {
                throw Failure(description: "user \(user.rawValue) email: stored address does not parse")
            }
            return RewrappedSecret(stale: stale, sealed: try sealer.seal(plain, purpose: .pii, associatedData: aad),
                                   digest: digester.digest(Array(address.lookupKey.utf8), purpose: .pii))
        case .phone(let user, let sealed):
            let aad = SMSChallengeService.accountAAD(user)
            let plain = try open(sealed, .pii, aad, "user \(user.rawValue) phone")
            guard let number = try? PhoneNumber(parsing: String(decoding: plain, as: UTF8.self)) else {
                throw Failure(description: "user \(user.rawValue) phone: stored number does not parse")
            }
            return RewrappedSecret(stale: stale, sealed: try sealer.seal(plain, purpose: .pii, associatedData: aad),
                                   digest: digester.digest(number.lookupKey, purpose: .pii))
        case .totpSecret(let id, let sealed):
            let aad = FactorRecord.totpAAD(id)
            let plain = try open(sealed, .otp, aad, "factor \(id.rawValue) secret")
            return RewrappedSecret(stale: stale, sealed: try sealer.seal(plain, purpose: .otp, associatedData: aad),
                                   digest: nil)
        case .checkpoint(let checkpoint), .anchor(let checkpoint):
            let name = if case .anchor = stale { "audit anchor" } else { "audit checkpoint" }
            guard checkpoints.verifies(checkpoint.message, seal: checkpoint.seal) else {
                let what = checkpoint.seal.isSignature ? "signature" : "MAC"
                throw Failure(description: "\(name) \(checkpoint.seq): \(what) does not verify under \(checkpoint.seal.keyID)")
            }
            return RewrappedSecret(stale: stale, seal: checkpoints.seal(checkpoint.message))
        }
    }

    private func open(_ sealed: SealedSecret, _ purpose: KeyPurpose, _ aad: [UInt8], _ place: String) throws -> [UInt8] {
        do {
            return try sealer.open(sealed.bytes, purpose: purpose, associatedData: aad)
        } catch let error as SealingError {
            throw Failure(description: "\(place): \(Self.name(error))")
        }
    }

    private static func name(_ error: SealingError) -> String {
        switch error {
        case .unknownKey(let id): "its key \(id) is not usable"
        case .authenticationFailed: "does not authenticate"
        case .malformed: "malformed"
        case .cipherFailure: "cipher failure"
        }
    }
}
