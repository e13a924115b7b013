/// Pattern checks behind ``PasswordPolicy``, on caseless Unicode scalars.
enum PasswordPatterns {
    /// Keyboard rows (German QWERTZ and English QWERTY, letters and digits)
    /// whose stretches count as a `sequence`, read forwards or backwards.
    static let keyboardRows: [[Unicode.Scalar]] = [
        "1234567890ß", "qwertzuiopü", "qwertyuiop", "asdfghjklöä", "asdfghjkl",
        "yxcvbnm", "zxcvbnm",
    ].map { Array(TextFolding.caselessKey($0).unicodeScalars) }  // caseless like the password: ß → ss

    /// Whether `text` contains any of `needles` (empty needles never match).
    static func containsAny(_ text: [Unicode.Scalar], of needles: [[Unicode.Scalar]]) -> Bool {
        needles.contains { !$0.isEmpty && contains(text, $0) }
    }

    /// Whether `needle` occurs in `text`.
    static func contains(_ text: [Unicode.Scalar], _ needle: [Unicode.Scalar]) -> Bool {
        guard needle.count <= text.count else { return false }
        for start in 0...(text.count - needle.count)
        where text[start..<(start + needle.count)].elementsEqual(needle) {
            return true
        }
        return false
    }

    /// Whether `text` has at least two scalars, all the same.
    static func isRepeatedCharacter(_ text: [Unicode.Scalar]) -> Bool {
        guard let first = text.first, text.count >= 2 else { return false }
        return text.allSatisfy { $0 == first }
    }

    /// Whether `text` (three scalars or more) steps by +1 or −1 throughout,
    /// or is a stretch of a keyboard row read either way.
    static func isSequence(_ text: [Unicode.Scalar]) -> Bool {
        guard text.count >= 3 else { return false }
        let step = Int(text[1].value) - Int(text[0].value)
        if step == 1 || step == -1 {
            let stepsEvenly = zip(text, text.dropFirst()).allSatisfy {
                Int($1.value) - Int($0.value) == step
            }
            if stepsEvenly { return true }
        }
        let reversed = Array(text.reversed())
        return keyboardRows.contains { contains($0, text) || contains($0, reversed) }
    }
}
