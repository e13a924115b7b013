import RiegelCore

/// What a browser's device token is worth at a login (``DeviceService/redeem(token:for:client:)``).
public enum DeviceRedemption: Sendable, Hashable {
    /// A trusted device of this user: open a `second_factor` session (method
    /// `trusted_device`, with `deviceID`) and hand `nextToken` back to the
    /// browser (`Login`'s `device_token`); the presented token no longer works.
    case trusted(deviceID: DeviceID, nextToken: String)
    /// A new device: ask for the SMS code. Another user's, expired, revoked,
    /// unknown, forged or replayed tokens all land here; it is not an error.
    case notTrusted
}
