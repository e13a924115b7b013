/// Decides whether a new password is acceptable, and if not, every reason why.
///
/// Rules (stable names in ``PasswordRule``), evaluated on the NFC form:
/// - `too_short` / `too_long`: length in **Unicode scalars after NFC**
///   outside ``minimumLength``...``maximumLength`` (defaults 8...128).
/// - `contains_username`: the password, case-folded, contains the username's
///   ``Username/canonicalKey`` or a part of it (split at `. _ - @`) of at
///   least ``personalFragmentLength`` (4) scalars.
/// - `contains_email`: it contains the whole address, its local part, or a
///   part of the local part (split at `. _ - +`) of at least four scalars.
/// - `blocklisted`: its caseless key is on the ``blocklist``.
/// - `repeated_character`: it is one character repeated.
/// - `sequence`: it is a run of ascending or descending code points
///   (`abcdefgh`, `12345678`, `87654321`) or a stretch of a German or
///   English keyboard row, forwards or backwards (`qwertzui`, `asdfghjk`).
///
/// Case-insensitive comparisons use one caseless key for password, username,
/// e-mail and blocklist entries: NFKC, full case mapping, NFKC again (so
/// `PASSWORT`, `Passwort` and full-width `ｐａｓｓｗｏｒｔ` are one entry).
///
/// - Important: the result names rules only; it never contains or echoes the
///   password, so it may be logged, audited and returned to the caller.
/// - Important: a password over ``maximumLength`` is not searched for the
///   username or e-mail (those searches cost length × needle); it is refused
///   as `too_long` anyway, together with any other rule it breaks.
/// - Important: the length rules cannot be disabled; ``minimumLength`` is
///   never below 8 and ``maximumLength`` never below 64, whatever the config.
public struct PasswordPolicy: Sendable {
    /// The lowest minimum length a configuration may set (NIST SP 800-63B).
    public static let lowestMinimumLength = 8
    /// The lowest maximum length a configuration may set: long passphrases
    /// and generated passwords must fit.
    public static let lowestMaximumLength = 64
    /// The highest maximum length a configuration may set; bounds the work
    /// an unauthenticated caller can cause per request.
    public static let highestMaximumLength = 1024
    /// Username and e-mail parts shorter than this are not searched for.
    public static let personalFragmentLength = 4

    /// The fewest Unicode scalars (after NFC) a password may have.
    public let minimumLength: Int
    /// The most Unicode scalars (after NFC) a password may have.
    public let maximumLength: Int
    /// The normalized blocklist (caseless keys; see the type's discussion).
    public let blocklist: Set<String>
    /// The rules that are checked; always includes `too_short` and `too_long`.
    public let enabledRules: Set<PasswordRule>

    /// Creates a policy, refusing configurations that would weaken it.
    ///
    /// - Parameters:
    ///   - minimumLength: at least ``lowestMinimumLength``; default 8.
    ///   - maximumLength: ``lowestMaximumLength``...``highestMaximumLength``; default 128.
    ///   - blocklist: passwords to refuse, in any case and normalization form;
    ///     surrounding whitespace is trimmed and empty entries are dropped,
    ///     so the lines of a file can be passed as they are.
    ///   - includesBuiltInBlocklist: whether ``CommonPasswords/builtIn`` is added.
    ///   - enabledRules: rules to check; the length rules are always added.
    /// - Throws: ``PasswordPolicyError`` for a length limit out of range.
    public init(
        minimumLength: Int = 8,
        maximumLength: Int = 128,
        blocklist: Set<String> = [],
        includesBuiltInBlocklist: Bool = true,
        enabledRules: Set<PasswordRule> = Set(PasswordRule.allCases)
    ) throws(PasswordPolicyError) {
        guard minimumLength >= PasswordPolicy.lowestMinimumLength else {
            throw .minimumLengthTooLow(minimum: minimumLength)
        }
        guard maximumLength >= PasswordPolicy.lowestMaximumLength else {
            throw .maximumLengthTooLow(maximum: maximumLength)
        }
        guard maximumLength <= PasswordPolicy.highestMaximumLength else {
            throw .maximumLengthTooHigh(maximum: maximumLength)
        }
        guard minimumLength <= maximumLength else {
            throw .minimumAboveMaximum(minimum: minimumLength, maximum: maximumLength)
        }
        self.minimumLength = minimumLength
        self.maximumLength = maximumLength
        var entries = Set(blocklist.compactMap(PasswordPolicy.blocklistKey))
        if includesBuiltInBlocklist {
            entries.formUnion(CommonPasswords.builtIn.compactMap(PasswordPolicy.blocklistKey))
        }
        self.blocklist = entries
        self.enabledRules = enabledRules.union([.tooShort, .tooLong])
    }

    /// The default policy: 8...128, every rule, the built-in blocklist.
    public static let standard: PasswordPolicy = {
        do { return try PasswordPolicy() } catch { preconditionFailure("\(error)") }
    }()

    /// The normalized form of a blocklist entry, or nil for a blank line.
    ///
    /// Trimmed of surrounding whitespace, then the caseless key (NFKC, full
    /// case mapping, NFKC). A loader may use this to de-duplicate a file.
    public static func blocklistKey(_ entry: String) -> String? {
        let scalars = entry.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return nil }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return TextFolding.caselessKey(String(scalars[first...last]))
    }

    /// Every rule `password` breaks, in ``PasswordRule`` declaration order;
    /// empty if it is acceptable.
    ///
    /// - Parameters:
    ///   - password: the candidate, as the user typed it.
    ///   - username: the account's username (for `contains_username`).
    ///   - email: the account's e-mail address, if any (for `contains_email`).
    public func violations(
        of password: String, username: Username?, email: EmailAddress?
    ) -> [PasswordRule] {
        let length = TextFolding.nfc(password).unicodeScalars.count
        let folded = Array(TextFolding.caselessKey(password).unicodeScalars)
        var broken: Set<PasswordRule> = []
        if length < minimumLength { broken.insert(.tooShort) }
        if length > maximumLength { broken.insert(.tooLong) }
        // Substring searches cost length × needle; past the maximum length
        // they are skipped so an oversized input cannot buy CPU time.
        let searchable = length <= maximumLength
        if searchable, let username,
           PasswordPatterns.containsAny(folded, of: Self.usernameFragments(username)) {
            broken.insert(.containsUsername)
        }
        if searchable, let email, PasswordPatterns.containsAny(folded, of: Self.emailFragments(email)) {
            broken.insert(.containsEmail)
        }
        if blocklist.contains(String(String.UnicodeScalarView(folded))) {
            broken.insert(.blocklisted)
        }
        if PasswordPatterns.isRepeatedCharacter(folded) { broken.insert(.repeatedCharacter) }
        if PasswordPatterns.isSequence(folded) { broken.insert(.sequence) }
        return PasswordRule.allCases.filter { broken.contains($0) && enabledRules.contains($0) }
    }

    /// Whether `password` breaks no enabled rule.
    public func accepts(_ password: String, username: Username?, email: EmailAddress?) -> Bool {
        violations(of: password, username: username, email: email).isEmpty
    }

    private static func usernameFragments(_ username: Username) -> [[Unicode.Scalar]] {
        fragments(of: username.canonicalKey, separators: [".", "_", "-", "@"])
    }

    private static func emailFragments(_ email: EmailAddress) -> [[Unicode.Scalar]] {
        let whole = Array(TextFolding.caselessKey(email.lookupKey).unicodeScalars)
        let local = TextFolding.caselessKey(String(email.localPart))
        return [whole] + fragments(of: local, separators: [".", "_", "-", "+"])
    }

    /// The whole key plus each part between separators, keeping the whole
    /// always and parts only when at least ``personalFragmentLength`` long.
    private static func fragments(of key: String, separators: Set<Unicode.Scalar>) -> [[Unicode.Scalar]] {
        let whole = Array(key.unicodeScalars)
        let parts = whole.split(whereSeparator: { separators.contains($0) })
            .filter { $0.count >= personalFragmentLength && $0.count < whole.count }
            .map(Array.init)
        return [whole] + parts
    }
}
