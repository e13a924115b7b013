/// Why a calibration run could not start.
public enum Argon2CalibrationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The target time is zero, negative or absurdly long.
    case invalidTarget(String)

    /// A message that says what went wrong and how to fix it.
    public var description: String {
        switch self {
        case .invalidTarget(let why):
            return "calibration target \(why); give a duration between 1 ms and 60 s, for example --target 250ms"
        }
    }
}
