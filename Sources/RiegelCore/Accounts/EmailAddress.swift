/// A loosely validated e-mail address, kept for display and normalized for look-up.
///
/// Validation is deliberately loose (the only real test of an address is a
/// message that arrives): after trimming surrounding whitespace and NFC
/// normalization, exactly one `@`; a non-empty local part; a domain with at
/// least one dot, no empty labels (`a..b`, leading or trailing dot); no
/// whitespace or control/format characters anywhere; at most 254 UTF-8 bytes.
///
/// - Important: the ``lookupKey`` lowercases the **whole** address, local part
///   included. RFC 5321 allows case-sensitive local parts, but virtually every
///   mailbox provider ignores case and users type it inconsistently; treating
///   `Max@x.de` and `max@x.de` as one address is the safer default for
///   uniqueness and for the blind index. ``address`` keeps the original case
///   for display and for sending.
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The most UTF-8 bytes an address may have (RFC 5321 path limit).
    public static let maximumLength = 254

    /// The address as entered (trimmed, NFC), for display and sending.
    public let address: String

    /// The key for look-up and uniqueness: ``address`` lowercased, NFC.
    public let lookupKey: String

    /// Validates and normalizes `raw`.
    /// - Throws: ``EmailAddressError`` saying why `raw` is not an address.
    public init(_ raw: String) throws(EmailAddressError) {
        let normalized = TextFolding.nfc(String(EmailAddress.trimmed(raw)))
        if normalized.isEmpty { throw .empty }
        if normalized.utf8.count > EmailAddress.maximumLength { throw .tooLong }
        for scalar in normalized.unicodeScalars where EmailAddress.isForbidden(scalar) {
            throw .invalidCharacter(scalar)
        }
        let parts = normalized.split(separator: "@", omittingEmptySubsequences: false)
        if parts.count < 2 { throw .missingAt }
        if parts.count > 2 { throw .multipleAt }
        if parts[0].isEmpty { throw .emptyLocalPart }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        if labels.count < 2 || labels.contains(where: { $0.isEmpty }) { throw .invalidDomain }
        address = normalized
        lookupKey = TextFolding.nfc(normalized.lowercased())
    }

    /// The part before the `@`, as entered.
    public var localPart: Substring {
        address[..<address.lastIndex(of: "@")!]
    }

    /// The part after the `@`, as entered.
    public var domain: Substring {
        address[address.index(after: address.lastIndex(of: "@")!)...]
    }

    /// The address for display (``address``).
    public var description: String { address }

    private static func trimmed(_ raw: String) -> Substring {
        let scalars = raw.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else {
            return ""
        }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return Substring(scalars[first...last])
    }

    private static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.properties.isWhitespace { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .spaceSeparator,
             .surrogate, .privateUse, .unassigned:
            return true
        default:
            return false
        }
    }
}

extension EmailAddress: Codable {
    /// Decodes an address from a single string, validating it again.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        do {
            try self.init(raw)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    /// Encodes the address as entered (``address``).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(address)
    }
}
