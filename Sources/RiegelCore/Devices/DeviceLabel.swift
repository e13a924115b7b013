/// The name a user gives a trusted device ("Firefox at home", "Anna's phone").
///
/// Rules, in order: leading and trailing white space is trimmed; the rest
/// must be 1–64 Unicode scalars; no control characters (`Cc`), no format
/// characters (`Cf`: bidi overrides, zero-width spaces; except U+200D, the
/// joiner inside emoji), no line or paragraph separators, no private-use or
/// unassigned code points. Such text would garble or spoof the device list.
public struct DeviceLabel: Sendable, Hashable, CustomStringConvertible {
    /// The most Unicode scalars a label may have.
    public static let maximumLength = 64

    /// The label as shown.
    public let value: String

    /// Validates `raw`.
    /// - Throws: ``DeviceLabelError`` saying why it is not a label.
    public init(_ raw: String) throws(DeviceLabelError) {
        let trimmed = Self.trimmed(raw)
        let scalars = trimmed.unicodeScalars
        if scalars.isEmpty { throw .empty }
        if scalars.count > Self.maximumLength { throw .tooLong }
        if let bad = scalars.first(where: { !Self.isAllowed($0) }) { throw .invalidCharacter(bad) }
        value = trimmed
    }

    /// A label for a browser whose user gave none: its user agent with
    /// disallowed characters dropped, cut to ``maximumLength``; "Browser"
    /// if nothing is left. Never fails.
    public static func derived(fromUserAgent userAgent: String?) -> DeviceLabel {
        var kept = String.UnicodeScalarView()
        kept.append(contentsOf: (userAgent ?? "").unicodeScalars.filter(isAllowed))
        let cut = String(String.UnicodeScalarView(trimmed(String(kept)).unicodeScalars.prefix(maximumLength)))
        return (try? DeviceLabel(cut)) ?? DeviceLabel(unchecked: "Browser")
    }

    private init(unchecked value: String) {
        self.value = value
    }

    public var description: String { value }

    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator, .privateUse, .unassigned, .surrogate:
            return false
        case .format:
            return scalar.value == 0x200D
        default:
            return true
        }
    }

    static func trimmed(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[first...last])
        return String(view)
    }
}
