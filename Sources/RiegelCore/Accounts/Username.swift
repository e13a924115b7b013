/// A validated username: 3–64 characters of letters, digits and `._-@`,
/// stored NFC-normalized.
///
/// Rules, in the order they are checked:
/// - The input is normalized to NFC first; nothing is trimmed (a space is an
///   invalid character, never silently removed).
/// - Length is counted in **Unicode scalars of the NFC form** (not grapheme
///   clusters): deterministic, independent of grapheme-breaking rules, and the
///   same count the store sees. `é` counts 1 (it composes); a letter with a
///   mark that has no precomposed form counts 2.
/// - Allowed: any Unicode **letter** (general category `L*`, so `Jürgen`,
///   `Łukasz`, `Σοφία` are fine); a **combining mark** (`M*`) only directly
///   after a letter or another mark; the **ASCII digits** `0`–`9` only (other
///   scripts' digits are rejected to avoid look-alike numbers); and `.` `_`
///   `-` `@`.
///
/// - Important: uniqueness is decided by ``canonicalKey`` only, never by
///   ``value``. Two usernames whose keys are equal belong to one account; the
///   store must hold a unique index on the key.
public struct Username: Sendable, Hashable, CustomStringConvertible {
    /// The fewest Unicode scalars a username may have.
    public static let minimumLength = 3
    /// The most Unicode scalars a username may have.
    public static let maximumLength = 64

    /// The username as the user chose it, NFC-normalized; for display.
    public let value: String

    /// The key that decides uniqueness: NFKC, full case mapping, NFKC again.
    ///
    /// `Max`, `MAX` and `max` share one key, as do composed and decomposed
    /// `é`, `Straße` and `STRASSE`, and full-width `ｍａｘ` and `max`.
    /// - Important: derived from Unicode tables; if a toolchain upgrade ever
    ///   changes them, stored keys must be recomputed in a migration.
    public let canonicalKey: String

    /// Validates and normalizes `raw`.
    /// - Throws: ``UsernameError`` saying why `raw` is not a username.
    public init(_ raw: String) throws(UsernameError) {
        let normalized = TextFolding.nfc(raw)
        let scalars = normalized.unicodeScalars
        let count = scalars.count
        if count < Username.minimumLength { throw .tooShort }
        if count > Username.maximumLength { throw .tooLong }
        var previousIsLetterOrMark = false
        for scalar in scalars {
            switch Username.classify(scalar) {
            case .letter:
                previousIsLetterOrMark = true
            case .mark where previousIsLetterOrMark:
                break
            case .digitOrPunctuation:
                previousIsLetterOrMark = false
            case .mark, .other:
                throw .invalidCharacter(scalar)
            }
        }
        value = normalized
        canonicalKey = TextFolding.caselessKey(normalized)
    }

    /// The username for display (``value``).
    public var description: String { value }

    /// Whether `other` names the same account (equal canonical keys).
    public func isSameAccount(as other: Username) -> Bool {
        canonicalKey == other.canonicalKey
    }

    private enum Kind { case letter, mark, digitOrPunctuation, other }

    private static func classify(_ scalar: Unicode.Scalar) -> Kind {
        switch scalar {
        case "0"..."9", ".", "_", "-", "@":
            return .digitOrPunctuation
        default:
            break
        }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .nonspacingMark, .spacingMark, .enclosingMark:
            return .mark
        default:
            return .other
        }
    }
}

extension Username: Codable {
    /// Decodes a username from a single string, validating it again.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        do {
            try self.init(raw)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    /// Encodes the username as its NFC ``value``.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
