import RiegelCore
import RiegelService
import Varlink

/// Encodes the replies of `io.riegel.Auth` methods.
enum AuthReplies {
    /// `SessionInfo`.
    static func sessionInfo(_ info: SessionInfo) -> JSONValue {
        var o: [String: JSONValue] = [
            "session_id": .string(info.sessionID.rawValue),
            "user_id": .string(info.userID.rawValue),
            "username": .string(info.username),
            "assurance": .string(info.assurance.rawValue),
            "authenticated_at": .string(RFC3339.format(info.authenticatedAt)),
            "idle_expires_at": .string(RFC3339.format(info.idleExpiresAt)),
            "expires_at": .string(RFC3339.format(info.expiresAt)),
        ]
        if let at = info.secondFactorAt { o["second_factor_at"] = .string(RFC3339.format(at)) }
        return .object(o)
    }

    /// `SessionInfo`, written member by member: the same object as
    /// ``sessionInfo(_:)``, for the CheckSession hot path.
    static func write(_ info: SessionInfo, to o: inout JSONObjectWriter) {
        o.write("session_id", info.sessionID.rawValue)
        o.write("user_id", info.userID.rawValue)
        o.write("username", info.username)
        o.write("assurance", info.assurance.rawValue)
        RFC3339.withUTF8(info.authenticatedAt) { o.write("authenticated_at", utf8: $0) }
        if let at = info.secondFactorAt { RFC3339.withUTF8(at) { o.write("second_factor_at", utf8: $0) } }
        RFC3339.withUTF8(info.idleExpiresAt) { o.write("idle_expires_at", utf8: $0) }
        RFC3339.withUTF8(info.expiresAt) { o.write("expires_at", utf8: $0) }
    }

    /// `NewSession`.
    static func newSession(_ session: NewSession) -> JSONValue {
        .object(["token": .string(session.token), "info": sessionInfo(session.info)])
    }

    /// `PhoneEnrolment`.
    static func phoneEnrolment(_ e: PhoneEnrolment) -> JSONValue {
        .object([
            "masked_phone": .string(e.maskedPhone),
            "replaced": .bool(e.replaced),
            "session_kept": .bool(e.sessionKept),
        ])
    }

    /// `Challenge`.
    static func challenge(_ c: ChallengeView) -> JSONValue {
        var o: [String: JSONValue] = [
            "challenge_id": .string(c.id.rawValue),
            "purpose": .string(c.purpose.rawValue),
            "expires_at": .string(RFC3339.format(c.expiresAt)),
            "resend_after": .string(RFC3339.format(c.resendAfter)),
            "attempts_left": .int(Int64(c.attemptsLeft)),
            "factor": .string(c.factor.rawValue),
        ]
        if let phone = c.maskedPhone { o["masked_phone"] = .string(phone) }
        if !c.factors.isEmpty { o["factors"] = .array(c.factors.map { .string($0.rawValue) }) }
        return .object(o)
    }

    /// `Factor`.
    static func factor(_ f: FactorInfo) -> JSONValue {
        var o: [String: JSONValue] = [
            "factor_id": .string(f.id.rawValue), "kind": .string(f.kind.rawValue), "label": .string(f.label),
        ]
        if let at = f.createdAt { o["created_at"] = .string(RFC3339.format(at)) }
        if let at = f.lastUsedAt { o["last_used_at"] = .string(RFC3339.format(at)) }
        if let left = f.codesLeft { o["codes_left"] = .int(Int64(left)) }
        return .object(o)
    }

    /// `EnrollFactor`'s reply.
    static func enrolment(_ e: FactorEnrolment) -> [String: JSONValue] {
        var o: [String: JSONValue] = ["factor_id": .string(e.factorID.rawValue)]
        if let secret = e.secret { o["secret"] = .string(secret) }
        if let uri = e.uri { o["uri"] = .string(uri) }
        if let codes = e.recoveryCodes { o["recovery_codes"] = .array(codes.map { .string($0) }) }
        return o
    }
}
