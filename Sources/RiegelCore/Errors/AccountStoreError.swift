/// Failures of an ``AccountStore`` that callers act on.
public enum AccountStoreError: Error, Sendable, Hashable {
    /// Another account has the same canonical username.
    case usernameTaken
}
