import Foundation

extension Duration {
    /// Seconds with one decimal ("4.2"), for `Status` details and logs.
    var secondsText: String {
        let parts = components
        return String(format: "%.1f", Double(parts.seconds) + Double(parts.attoseconds) / 1e18)
    }
}
