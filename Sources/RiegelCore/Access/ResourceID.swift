/// The portal's identifier of the resource being opened (`resource_id`),
/// checked before it reaches the audit trail.
///
/// Rules: 1–256 bytes of UTF-8; no control characters (`Cc`), no invisible
/// format characters (`Cf`: bidi overrides, zero-width joiners), no line or
/// paragraph separators and no private-use or unassigned code points, so an
/// audit reviewer sees exactly what was opened and no id can forge a line in
/// a log.
public struct ResourceID: Sendable, Hashable, CustomStringConvertible {
    /// The most UTF-8 bytes an id may have.
    public static let maximumLength = 256

    /// The id as given.
    public let value: String

    /// Checks `raw`.
    /// - Throws: ``ResourceIDError`` saying why `raw` is not accepted.
    public init(_ raw: String) throws(ResourceIDError) {
        let length = raw.utf8.count
        if length == 0 { throw .empty }
        if length > ResourceID.maximumLength { throw .tooLong }
        for scalar in raw.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
                throw .invalidCharacter(scalar)
            default:
                continue
            }
        }
        value = raw
    }

    /// The ``value``.
    public var description: String { value }
}
