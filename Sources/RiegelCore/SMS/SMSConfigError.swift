/// A refused SMS setting (challenge policy, budget, caps, templates); the
/// message says which setting and how to fix it.
public enum SMSConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A count or duration that must be positive and finite is not.
    case notPositive(setting: String)
    /// A value outside its allowed range.
    case outOfRange(setting: String, allowed: String)
    /// A message template that could break the outbox contract or does not parse.
    case invalidTemplate(language: String, reason: String)
    /// A product name or origin that could put a digit run into a message.
    case invalidText(setting: String, reason: String)

    /// A message that says what is wrong and how to fix it.
    public var description: String {
        switch self {
        case .notPositive(let s): "\(s) must be a positive, finite value"
        case .outOfRange(let s, let a): "\(s) must be within \(a)"
        case .invalidTemplate(let l, let r): "SMS template for language \"\(l)\": \(r)"
        case .invalidText(let s, let r): "\(s): \(r)"
        }
    }
}
