/// The version riegeld reports in `GetInfo` and `--version`.
public enum RiegelVersion {
    /// Semantic version of this build.
    public static let current = "0.1.0"
}
