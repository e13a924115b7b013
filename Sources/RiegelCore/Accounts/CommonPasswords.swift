/// A small built-in blocklist of very common passwords, written for riegel.
///
/// A German insurance portal's users pick German as well as international
/// favourites. Operators add a large list (one password per line) through
/// ``PasswordPolicy/init(minimumLength:maximumLength:blocklist:includesBuiltInBlocklist:enabledRules:)``;
/// this list stays in unless they switch it off.
///
/// Entries shorter than the minimum length are refused as `too_short` anyway;
/// they stay so that such a password is also reported as `blocklisted`.
public enum CommonPasswords {
    /// The entries, as written (the policy normalizes them).
    public static let builtIn: [String] = [
        // Digits and keyboard walks.
        "123456", "1234567", "12345678", "123456789", "1234567890", "12345678910",
        "0123456789", "987654321", "11111111", "00000000", "12341234", "11223344",
        "123123123", "112233", "147258369", "159753", "246810",
        "qwertz", "qwertz123", "qwertzuiop", "qwerty", "qwerty123", "qwertyuiop",
        "asdfgh", "asdfghjkl", "yxcvbnm", "1q2w3e4r", "1q2w3e4r5t", "1qay2wsx",
        "1qaz2wsx", "q1w2e3r4", "a1b2c3d4", "abc12345", "abcd1234", "zaq12wsx",
        // Password itself, in both languages.
        "password", "password1", "password123", "passw0rd", "p@ssw0rd", "p@ssword",
        "passwort", "passwort1", "passwort123", "geheim", "geheim123", "kennwort",
        "kennwort1", "sicherheit", "sicher123", "letmein", "letmein1", "welcome",
        "welcome1", "willkommen", "willkommen1", "changeme", "admin123",
        // German everyday words, names, clubs and seasons.
        "hallo", "hallo123", "hallo1234", "hallihallo", "schatz", "schatzi",
        "schatz123", "liebe", "ichliebedich", "sonnenschein", "sommer", "sommer2024",
        "sommer2025", "winter2025", "fruehling", "herbst2025", "mausi", "hasi",
        "hase1234", "blume", "fussball", "fußball", "bayern", "fcbayern",
        "borussia", "schalke04", "werder", "hamburg", "berlin", "berlin123",
        "muenchen", "deutschland", "germany", "michael", "thomas", "andreas",
        "stefan", "sabine", "nicole", "daniel", "alexander", "lisa1234",
        "versicherung", "gesundheit", "krankenkasse", "meinkonto",
        // International classics.
        "iloveyou", "sunshine", "princess", "football", "baseball", "dragon",
        "monkey", "master", "shadow", "superman", "batman", "trustno1",
        "starwars", "pokemon", "whatever", "freedom", "computer", "internet",
        "test1234", "testtest", "abcdefgh", "aaaaaaaa", "asdf1234",
    ]
}
