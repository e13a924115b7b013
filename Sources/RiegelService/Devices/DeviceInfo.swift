import RiegelCore

/// What a user sees of a trusted device (`io.riegel.Auth.Device`).
public struct DeviceInfo: Sendable, Hashable {
    public var deviceID: DeviceID
    public var kind: DeviceKind
    public var label: String
    public var createdAt: Instant
    public var lastUsedAt: Instant?
    public var expiresAt: Instant

    /// Describes a stored device.
    init(_ record: DeviceRecord) {
        deviceID = record.id
        kind = record.kind
        label = record.label
        createdAt = record.createdAt
        lastUsedAt = record.lastUsedAt
        expiresAt = record.expiresAt
    }
}
