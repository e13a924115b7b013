/// Whether a device is trusted at a given time (see ``DeviceRecord/state(at:)``).
public enum DeviceState: String, Sendable, Hashable {
    /// Trusted: its token or key logs in with a second factor.
    case active
    /// Past ``DeviceRecord/expiresAt``: a new device again (SMS).
    case expired
    /// Revoked by the user, an admin, a reset, a cap eviction or a replay.
    case revoked
}
