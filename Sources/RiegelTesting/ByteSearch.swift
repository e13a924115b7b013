/// Finds secrets in stored bytes: a test that a value is *not* in a file
/// must search the way this does, and show on a control that it finds one.
public enum ByteSearch {
    /// Whether `needle` (not empty) occurs in `haystack`.
    public static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let first = needle[0]
        var i = 0
        while i <= haystack.count - needle.count {
            if haystack[i] == first, haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}
