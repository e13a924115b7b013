import RiegelCore
import Testing

/// `resource_id` is caller data bound for the audit trail: bounded and free
/// of characters that hide or forge what a reviewer reads.
struct ResourceIDTests {
    @Test func ordinaryIdsAreKeptAsGiven() throws {
        for id in ["doc-2026-0815", "Leistungsabrechnung Zahnarzt 03/2026.pdf", "Ärztebrief #7", "診断書-1",
                   String(repeating: "x", count: 256)] {
            #expect(try ResourceID(id).value == id)
        }
    }

    @Test func emptyIsRefused() {
        #expect(throws: ResourceIDError.empty) { try ResourceID("") }
    }

    @Test func moreThan256BytesOfUTF8IsRefused() {
        #expect(throws: ResourceIDError.tooLong) { try ResourceID(String(repeating: "x", count: 257)) }
        // 129 two-byte letters are 258 bytes.
        #expect(throws: ResourceIDError.tooLong) { try ResourceID(String(repeating: "ä", count: 129)) }
    }

    @Test func controlFormatAndSeparatorCharactersAreRefused() {
        for scalar: Unicode.Scalar in ["\u{0}", "\n", "\r", "\t", "\u{1B}", "\u{7F}", "\u{85}", "\u{200B}", "\u{202E}",
                                       "\u{2028}", "\u{2029}", "\u{FEFF}", "\u{E000}"] {
            #expect(throws: ResourceIDError.invalidCharacter(scalar)) { try ResourceID("doc\(Character(scalar))1") }
        }
    }

    @Test func messageNamesTheCharacterByCodePointOnly() {
        let message = ResourceIDError.invalidCharacter("\n").message
        #expect(message.contains("U+000A"))
        #expect(!message.contains("\n"))
    }
}
