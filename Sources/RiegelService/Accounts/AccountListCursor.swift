import RiegelCore

/// The opaque `next`/`after` cursor of `ListAccounts`: a list position
/// (``AccountListPosition``) with an HMAC under the active `otp` key, so a
/// cursor riegeld did not issue, or one changed by hand, is refused instead
/// of quietly starting somewhere else.
///
/// Form: `c1.<hex of "<created_at bits>:<user id>">.<key id>.<hex of the MAC>`.
/// A cursor stays valid while its key is usable (a rotation leaves the old
/// `otp` key decrypt_only; a retired key ends its cursors).
struct AccountListCursor {
    let digester: any KeyedDigester

    /// Binds the MAC to this use, so no other keyed digest of the `otp` key passes as a cursor.
    private static let context = Array("riegel account list cursor\u{0}".utf8)

    /// The cursor for the page that starts after `position`.
    func encode(_ position: AccountListPosition) -> String {
        let payload = Self.payload(position)
        let mac = digester.digest(Self.context + payload, purpose: .otp)
        return "c1.\(Hex.encode(payload)).\(mac.keyID.rawValue).\(Hex.encode(mac.bytes))"
    }

    /// The position `text` names.
    /// - Throws: `InvalidFilter` if it is malformed or its MAC does not verify.
    func decode(_ text: String) throws -> AccountListPosition {
        let refused = RiegelError.invalidFilter(
            reason: "after is not a cursor riegeld issued (use the next value of the previous page, unchanged)")
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "c1",
              let payload = Hex.decode(parts[1].utf8), let keyID = UInt32(parts[2]),
              let mac = Hex.decode(parts[3].utf8), mac.count == 32,
              digester.matches(Self.context + payload,
                               digest: KeyedDigest(bytes: mac, keyID: KeyID(rawValue: keyID)), purpose: .otp),
              let separator = payload.firstIndex(of: UInt8(ascii: ":")),
              let bits = UInt64(String(decoding: payload[..<separator], as: UTF8.self), radix: 16)
        else { throw refused }
        let createdAt = Double(bitPattern: bits)
        guard createdAt.isFinite else { throw refused }
        return AccountListPosition(createdAt: Instant(secondsSinceEpoch: createdAt),
                                   userID: UserID(rawValue: String(decoding: payload[(separator + 1)...], as: UTF8.self)))
    }

    private static func payload(_ position: AccountListPosition) -> [UInt8] {
        let bits = String(position.createdAt.secondsSinceEpoch.bitPattern, radix: 16)
        return Array((bits + ":" + position.userID.rawValue).utf8)
    }
}
