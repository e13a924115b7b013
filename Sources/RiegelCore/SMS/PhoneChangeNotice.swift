/// The SMS sent to the old number when the second factor moves to another
/// phone: it carries no code and no digits at all (so nothing in it can be
/// mistaken for a code), only the news and what to do if it was not the user.
public enum PhoneChangeNotice {
    /// The text in `language` (`de…` German, anything else English), naming
    /// `product` (which holds no digits, see ``SMSTemplateSet``).
    public static func text(language: String?, product: String) -> String {
        if let language, language.lowercased().hasPrefix("de") {
            return "\(product): Die Telefonnummer für Ihre Anmeldung wurde geändert. "
                + "Codes gehen ab jetzt an die neue Nummer. Waren Sie das nicht, wenden Sie sich sofort an den Support."
        }
        return "\(product): the phone number for your sign-in was changed. "
            + "Codes now go to the new number. If this was not you, contact support at once."
    }
}
