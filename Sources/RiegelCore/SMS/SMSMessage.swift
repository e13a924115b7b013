/// One text message to one phone.
///
/// - Important: the text holds a one-time code: never log it, and never log
///   the full number (use a masked form).
public struct SMSMessage: Sendable, Hashable {
    /// The recipient in E.164 (`+4915112345678`).
    public var to: String
    /// The message text.
    public var text: String

    /// A message.
    public init(to: String, text: String) {
        self.to = to
        self.text = text
    }
}
