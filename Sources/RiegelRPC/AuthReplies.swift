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

    /// `NewSession`.
    static func newSession(_ session: NewSession) -> JSONValue {
        .object(["token": .string(session.token), "info": sessionInfo(session.info)])
    }

    /// `Challenge`.
    static func challenge(_ c: ChallengeView) -> JSONValue {
        .object([
            "challenge_id": .string(c.id.rawValue),
            "purpose": .string(c.purpose.rawValue),
            "masked_phone": .string(c.maskedPhone),
            "expires_at": .string(RFC3339.format(c.expiresAt)),
            "resend_after": .string(RFC3339.format(c.resendAfter)),
            "attempts_left": .int(Int64(c.attemptsLeft)),
        ])
    }
}
