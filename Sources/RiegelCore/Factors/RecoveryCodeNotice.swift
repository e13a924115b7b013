/// The SMS sent to the phone on file when a recovery code was used: no code
/// and no digits (nothing in it can pass for a code), only the news and
/// what to do if it was not the user.
public enum RecoveryCodeNotice {
    /// The text in `language` (`de…` German, anything else English), naming `product`.
    public static func text(language: String?, product: String) -> String {
        if let language, language.lowercased().hasPrefix("de") {
            return "\(product): Für Ihre Anmeldung wurde ein Wiederherstellungscode verwendet. "
                + "Waren Sie das nicht, wenden Sie sich sofort an den Support."
        }
        return "\(product): a recovery code was used to sign in to your account. "
            + "If this was not you, contact support at once."
    }
}
