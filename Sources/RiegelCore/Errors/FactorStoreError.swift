/// Failures of a ``FactorStore`` that callers act on.
public enum FactorStoreError: Error, Sendable, Hashable {
    /// The account has an active TOTP factor with this label.
    case labelTaken
}
