/// What presenting a browser device token did (``DeviceRecord/presentToken(digest:by:successorDigest:policy:now:)``).
///
/// Only ``rotated`` means "trusted"; every other case means "new device": the
/// login asks for an SMS code, no error is raised.
public enum DeviceTokenOutcome: String, Sendable, Hashable {
    /// The current token of an active device of this user: the record now
    /// holds the successor digest and keeps the presented one as a previous
    /// digest. Persist with a compare-and-swap on the presented digest.
    case rotated
    /// A previous (already rotated) token of an active device of this user:
    /// someone holds a copy (theft signal). The record is now revoked
    /// (reason `token_replay`); end its sessions and audit.
    case replayed
    /// The device belongs to another user; nothing changed.
    case otherUser = "other_user"
    /// The device was revoked before; nothing changed.
    case revoked
    /// The device is past its expiry; nothing changed.
    case expired
    /// The digest is neither the current nor a retained previous one of this
    /// device (or the device has no token); nothing changed.
    case unknown
}
