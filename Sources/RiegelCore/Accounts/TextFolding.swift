import Foundation  // Only for Unicode normalization (NFC/NFKC): pure string work, no I/O.

/// Unicode normalization and case folding shared by usernames, e-mail
/// addresses and the password policy.
///
/// Foundation is used for normalization only; the stdlib has no public
/// normalization API yet. Nothing here touches I/O, the clock or randomness.
enum TextFolding {
    /// The NFC form of `text` (canonical composition).
    static func nfc(_ text: String) -> String {
        text.precomposedStringWithCanonicalMapping
    }

    /// A caseless, compatibility-normalized key for comparing text.
    ///
    /// NFKC, then full case mapping (`uppercased()` then `lowercased()`, which
    /// folds `ß`→`ss`, final `ς`→`σ`, long `ſ`→`s`), then NFKC again so the
    /// result is stable. Full-width and ligature forms (`ＡＢＣ`, `ﬁ`) map to
    /// their plain letters, so look-alikes of that kind share one key.
    static func caselessKey(_ text: String) -> String {
        let compatible = text.precomposedStringWithCompatibilityMapping
        let folded = compatible.uppercased().lowercased()
        return folded.precomposedStringWithCompatibilityMapping
    }
}
