import RiegelCore
@testable import RiegelCrypto
import XCTest

/// Known answers for the legacy import schemes. Every vector was made once with
/// Python 3.11 in a venv (`pip install passlib==1.7.4 bcrypt==5.0.0`), salt
/// `b"riegel-salt-16b!"` for pbkdf2/scrypt, and hard-coded here; the command is
/// beside each one. `hashlib` is Python's standard library (OpenSSL).
final class LegacyPasswordVerifierTests: XCTestCase {
    private let verifier = LegacyPasswordVerifier()

    // passlib.hash.pbkdf2_sha256.using(rounds=1000, salt=b"riegel-salt-16b!").hash("password")
    static let passlibSHA256 = "$pbkdf2-sha256$1000$cmllZ2VsLXNhbHQtMTZiIQ$iOsrwKbm8uAB/jwTzt3GT3FScBP.EdI8VbPVRXuVB.k"
    // passlib.hash.pbkdf2_sha256.using(salt=b"riegel-salt-16b!").hash("correct horse battery staple")  (passlib's default 29000 rounds)
    static let passlibSHA256Default = "$pbkdf2-sha256$29000$cmllZ2VsLXNhbHQtMTZiIQ$eKY4VTNewjiNt4bB392XRQco7OIU8XAlrj721/H49B0"
    // passlib.hash.pbkdf2_sha512.using(rounds=1000, salt=b"riegel-salt-16b!").hash("pässwörd")
    static let passlibSHA512 = "$pbkdf2-sha512$1000$cmllZ2VsLXNhbHQtMTZiIQ$tqvUG/jRGSV96YI5gspuIXtKxCtAsM.5T1U8PsE058DSy7cZrFkoi/ebVYbUDd1tovtm3AN6SmeznKdRGwGSuw"
    // "$pbkdf2-sha256$i=1000,l=32$%s$%s" % (b64(salt), b64(hashlib.pbkdf2_hmac("sha256", b"password", salt, 1000, 32)))
    // with b64 = base64.b64encode(...).rstrip("=")
    static let phcSHA256 = "$pbkdf2-sha256$i=1000,l=32$cmllZ2VsLXNhbHQtMTZiIQ$iOsrwKbm8uAB/jwTzt3GT3FScBP+EdI8VbPVRXuVB+k"
    // the same without ",l=32"
    static let phcSHA256NoLength = "$pbkdf2-sha256$i=1000$cmllZ2VsLXNhbHQtMTZiIQ$iOsrwKbm8uAB/jwTzt3GT3FScBP+EdI8VbPVRXuVB+k"
    // "$pbkdf2-sha512$i=1000,l=64$…" with hashlib.pbkdf2_hmac("sha512", b"password", salt, 1000, 64)
    static let phcSHA512 = "$pbkdf2-sha512$i=1000,l=64$cmllZ2VsLXNhbHQtMTZiIQ$kEoKhViXPz0YGb0uVEqIVIN3IKsI7+ntHeYmLsR8yM7M16CTzFmTpSQB0w8AUQ45b3nxPKWqUnd7wSg1NbkqUw"
    // bcrypt.hashpw(b"password", b"$2b$04$abcdefghijklmnopqrstuu")
    static let bcrypt2b = "$2b$04$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdm"
    // bcrypt.hashpw("pässwörd".encode(), b"$2a$04$abcdefghijklmnopqrstuu")
    static let bcrypt2a = "$2a$04$abcdefghijklmnopqrstuuyx2n0Zzopyr9QuYTMCfOJJOj526QVoC"
    // bcrypt.hashpw(b"password", b"$2b$04$ABCDEFGHIJKLMNOPQRSTUu") with "$2b$" replaced by "$2y$"
    // (same algorithm; bcrypt.checkpw(b"password", that) is True)
    static let bcrypt2y = "$2y$04$ABCDEFGHIJKLMNOPQRSTUuEjC/iPF3zJUw77/vM0sdh86VCS2RP7K"
    // bcrypt.hashpw(b"correct horse battery staple", b"$2b$10$abcdefghijklmnopqrstuu")
    static let bcryptCost10 = "$2b$10$abcdefghijklmnopqrstuuGGgFFcYeueaAql8Z7U7CnCTRw4DR77W"
    // bcrypt.hashpw(b"A" * 72, b"$2b$05$abcdefghijklmnopqrstuu")
    static let bcrypt72 = "$2b$05$abcdefghijklmnopqrstuu062DKYTkwNK/1d8JbV6sDE4KFJaUFbu"
    // passlib.hash.scrypt.using(rounds=4, salt=b"riegel-salt-16b!").hash("password");
    // its hash equals b64(hashlib.scrypt(b"password", salt=salt, n=16, r=8, p=1, dklen=32))
    static let scryptSmall = "$scrypt$ln=4,r=8,p=1$cmllZ2VsLXNhbHQtMTZiIQ$5hJY0u6Nhmjyc6rlNc2VFka62HVMOjH/Ydj1KrV3LOs"
    // passlib.hash.scrypt.using(salt=b"riegel-salt-16b!").hash("correct horse battery staple")  (passlib's default ln=16,r=8,p=1)
    static let scryptDefault = "$scrypt$ln=16,r=8,p=1$cmllZ2VsLXNhbHQtMTZiIQ$dIYV8QC68h6r1maW5S+Q5uiz4fSHImo2gwz7J1Bg2To"
    // passlib.hash.scrypt.using(rounds=5, block_size=4, parallelism=2, salt=b"riegel-salt-16b!").hash("pässwörd")
    static let scryptOddParameters = "$scrypt$ln=5,r=4,p=2$cmllZ2VsLXNhbHQtMTZiIQ$O/OT0Wlj6WAUrPYl6PwUgPc6ADjbBBJNiya0FAFdEug"

    private func assertVerifies(_ password: String, _ hash: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(try verifier.verify(password, against: hash), true, "right password", file: file, line: line)
        XCTAssertEqual(try verifier.verify(password + "x", against: hash), false, "longer password", file: file, line: line)
        XCTAssertEqual(try verifier.verify(String(password.dropLast()), against: hash), false, "shorter password", file: file, line: line)
        XCTAssertEqual(try verifier.verify("", against: hash), false, "empty password", file: file, line: line)
    }

    private func assertRejected(_ hash: String, as expected: (LegacyHashError) -> Bool,
                                file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try verifier.verify("password", against: hash), hash, file: file, line: line) { error in
            guard let error = error as? LegacyHashError, expected(error) else {
                return XCTFail("\(hash): unexpected \(error)", file: file, line: line)
            }
            if hash.count > 16 {
                XCTAssertFalse("\(error)".contains(hash), "the message must not repeat the hash", file: file, line: line)
            }
        }
        XCTAssertThrowsError(try verifier.validate(hash), hash, file: file, line: line)
    }

    private static func isMalformed(_ error: LegacyHashError) -> Bool {
        if case .malformed = error { return true } else { return false }
    }

    private static func isOutOfRange(_ error: LegacyHashError) -> Bool {
        if case .parametersOutOfRange = error { return true } else { return false }
    }

    private static func isUnsupported(_ error: LegacyHashError) -> Bool {
        if case .unsupportedScheme = error { return true } else { return false }
    }

    // MARK: known answers

    func testPasslibPBKDF2SHA256KnownAnswers() {
        assertVerifies("password", Self.passlibSHA256)
        assertVerifies("correct horse battery staple", Self.passlibSHA256Default)
    }

    func testPasslibPBKDF2SHA512KnownAnswerWithUnicodePassword() {
        assertVerifies("pässwörd", Self.passlibSHA512)
        XCTAssertEqual(try verifier.verify("passwörd", against: Self.passlibSHA512), false)
    }

    func testPHCSpelledPBKDF2KnownAnswers() {
        assertVerifies("password", Self.phcSHA256)
        assertVerifies("password", Self.phcSHA256NoLength)
        assertVerifies("password", Self.phcSHA512)
    }

    func testBcrypt2b2a2yKnownAnswers() {
        assertVerifies("password", Self.bcrypt2b)
        assertVerifies("pässwörd", Self.bcrypt2a)
        assertVerifies("password", Self.bcrypt2y)
        assertVerifies("correct horse battery staple", Self.bcryptCost10)
    }

    func testBcryptReadsOnlyTheFirst72BytesLikeTheSystemThatMadeTheHash() {
        let seventyTwo = String(repeating: "A", count: 72)
        XCTAssertEqual(try verifier.verify(seventyTwo, against: Self.bcrypt72), true)
        XCTAssertEqual(try verifier.verify(seventyTwo + "ignored by bcrypt", against: Self.bcrypt72), true)
        XCTAssertEqual(try verifier.verify(String(repeating: "A", count: 71), against: Self.bcrypt72), false)
    }

    func testBcryptPasswordWithANULByteNeverMatches() {
        XCTAssertEqual(try verifier.verify(Array("password".utf8) + [0, 65], against: Self.bcrypt2b), false)
        XCTAssertEqual(try verifier.verify(Array("password".utf8) + [0], against: Self.bcrypt2b), false)
    }

    func testPasslibScryptKnownAnswers() {
        assertVerifies("password", Self.scryptSmall)
        assertVerifies("pässwörd", Self.scryptOddParameters)
        XCTAssertEqual(try verifier.verify("correct horse battery staple", against: Self.scryptDefault), true)
        XCTAssertEqual(try verifier.verify("correct horse battery stapl", against: Self.scryptDefault), false)
    }

    func testATamperedHashByteFailsVerification() {
        // Last symbol changed to another whose trailing bits are also zero (stays canonical).
        XCTAssertEqual(try verifier.verify("password", against: String(Self.passlibSHA256.dropLast()) + "E"), false)
        XCTAssertEqual(try verifier.verify("password", against: String(Self.scryptSmall.dropLast()) + "c"), false)
        XCTAssertEqual(try verifier.verify("password", against: String(Self.bcrypt2b.dropLast()) + "e"), false)
    }

    // MARK: rejection

    func testSpellingsDoNotMixAlphabets() {
        // passlib spelling with standard base64 '+', PHC spelling with passlib's '.'.
        assertRejected("$pbkdf2-sha256$1000$cmllZ2VsLXNhbHQtMTZiIQ$iOsrwKbm8uAB/jwTzt3GT3FScBP+EdI8VbPVRXuVB+k", as: Self.isMalformed)
        assertRejected("$pbkdf2-sha256$i=1000,l=32$cmllZ2VsLXNhbHQtMTZiIQ$iOsrwKbm8uAB/jwTzt3GT3FScBP.EdI8VbPVRXuVB.k", as: Self.isMalformed)
    }

    func testMalformedLegacyHashesAreRejectedWithTypedErrors() {
        let salt = "cmllZ2VsLXNhbHQtMTZiIQ"
        let hash = "iOsrwKbm8uAB/jwTzt3GT3FScBP.EdI8VbPVRXuVB.k"
        let malformed = [
            "$pbkdf2-sha256$1000$\(salt)",
            "$pbkdf2-sha256$1000$\(salt)$\(hash)$",
            "$pbkdf2-sha256$01000$\(salt)$\(hash)",
            "$pbkdf2-sha256$+1000$\(salt)$\(hash)",
            "$pbkdf2-sha256$$\(salt)$\(hash)",
            "$pbkdf2-sha256$1000$$\(hash)",
            "$pbkdf2-sha256$1000$\(salt)$iOsrwKbm",
            "$pbkdf2-sha256$1000$\(salt)=$\(hash)",
            "$pbkdf2-sha256$1000$\(salt)$\(String(hash.dropLast()))l",
            "$pbkdf2-sha256$i=1000,l=64$\(salt)$iOsrwKbm8uAB/jwTzt3GT3FScBP+EdI8VbPVRXuVB+k",
            "$pbkdf2-sha256$l=32,i=1000$\(salt)$iOsrwKbm8uAB/jwTzt3GT3FScBP+EdI8VbPVRXuVB+k",
            "$pbkdf2-sha256$i=1000,l=32,x=1$\(salt)$iOsrwKbm8uAB/jwTzt3GT3FScBP+EdI8VbPVRXuVB+k",
            "$2b$04$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzd",
            "$2b$04$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdm=",
            "$2b$4$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdm0",
            "$2b$04$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb+Jzdm",
            "$2b$04xabcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdm",
            "$scrypt$ln=4,r=8$\(salt)$5hJY0u6Nhmjyc6rlNc2VFka62HVMOjH/Ydj1KrV3LOs",
            "$scrypt$r=8,ln=4,p=1$\(salt)$5hJY0u6Nhmjyc6rlNc2VFka62HVMOjH/Ydj1KrV3LOs",
            "$scrypt$ln=04,r=8,p=1$\(salt)$5hJY0u6Nhmjyc6rlNc2VFka62HVMOjH/Ydj1KrV3LOs",
            "$scrypt$ln=4,r=8,p=1$\(salt)",
            "$scrypt$ln=4,r=8,p=1$\(salt)$5hJY0u6N",
            "$scrypt$ln=4,r=8,p=1$\(salt)$5hJY0u6Nhmjyc6rlNc2VFka62HVMOjH.Ydj1KrV3LOs",
        ]
        for hash in malformed { assertRejected(hash, as: Self.isMalformed) }
    }

    func testUnsupportedSchemesAreNamedNotGuessed() {
        let unsupported = [
            "",
            "password",
            " $2b$04$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdm",
            "$2x$04$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdm",
            "$2$04$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdm",
            "$1$saltsalt$2vnaRpHa6Jxjz5n83ok8Z0",
            "$pbkdf2$1000$cmllZ2VsLXNhbHQtMTZiIQ$iOsrwKbm8uAB/jwTzt3GT3FScBP.EdI8",
            "$7$C6..../....SodiumChloride$kBGj9fHznVYFQMEn/qDCfrDevf9YDtcDdKvEqHJLV8D",
            "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            Argon2idHasherTests.referencePHC,
        ]
        for hash in unsupported { assertRejected(hash, as: Self.isUnsupported) }
        XCTAssertEqual("\(LegacyHashError.unsupportedScheme(identifier: "2x"))".contains("'2x'"), true)
    }

    func testAbsurdCostsAreRefusedBeforeAnyWork() {
        let salt = "cmllZ2VsLXNhbHQtMTZiIQ"
        let outOfRange = [
            "$pbkdf2-sha256$4294967295$\(salt)$iOsrwKbm8uAB/jwTzt3GT3FScBP.EdI8VbPVRXuVB.k",
            "$pbkdf2-sha256$5000001$\(salt)$iOsrwKbm8uAB/jwTzt3GT3FScBP.EdI8VbPVRXuVB.k",
            "$pbkdf2-sha512$i=9999999999$\(salt)$iOsrwKbm8uAB/jwTzt3GT3FScBP+EdI8VbPVRXuVB+k",
            "$pbkdf2-sha256$0$\(salt)$iOsrwKbm8uAB/jwTzt3GT3FScBP.EdI8VbPVRXuVB.k",
            "$2b$17$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdm",
            "$2b$31$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdm",
            "$2b$03$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdm",
            "$2b$99$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdm",
            "$scrypt$ln=30,r=8,p=1$\(salt)$5hJY0u6Nhmjyc6rlNc2VFka62HVMOjH/Ydj1KrV3LOs",
            "$scrypt$ln=21,r=8,p=1$\(salt)$5hJY0u6Nhmjyc6rlNc2VFka62HVMOjH/Ydj1KrV3LOs",
            "$scrypt$ln=18,r=16,p=1$\(salt)$5hJY0u6Nhmjyc6rlNc2VFka62HVMOjH/Ydj1KrV3LOs",
            "$scrypt$ln=17,r=8,p=4$\(salt)$5hJY0u6Nhmjyc6rlNc2VFka62HVMOjH/Ydj1KrV3LOs",
            "$scrypt$ln=16,r=1,p=1$\(salt)$5hJY0u6Nhmjyc6rlNc2VFka62HVMOjH/Ydj1KrV3LOs",
            "$scrypt$ln=0,r=8,p=1$\(salt)$5hJY0u6Nhmjyc6rlNc2VFka62HVMOjH/Ydj1KrV3LOs",
            "$scrypt$ln=4,r=0,p=1$\(salt)$5hJY0u6Nhmjyc6rlNc2VFka62HVMOjH/Ydj1KrV3LOs",
            "$scrypt$ln=4,r=8,p=99$\(salt)$5hJY0u6Nhmjyc6rlNc2VFka62HVMOjH/Ydj1KrV3LOs",
        ]
        for hash in outOfRange { assertRejected(hash, as: Self.isOutOfRange) }
    }

    func testLimitsAreConfigurable() {
        let strict = LegacyPasswordVerifier(limits: LegacyHashLimits(maxPBKDF2Iterations: 999, maxBcryptCost: 4,
                                                                     maxScryptMemoryBytes: 1 << 20, maxScryptWork: 64))
        XCTAssertThrowsError(try strict.verify("password", against: Self.passlibSHA256))
        XCTAssertThrowsError(try strict.verify("password", against: Self.bcryptCost10))
        XCTAssertEqual(try strict.verify("password", against: Self.bcrypt2b), true)
        XCTAssertThrowsError(try strict.verify("password", against: Self.scryptSmall), "N*r*p = 128 > 64")
    }

    // MARK: scheme, upgrade, validation

    func testSchemeIsIdentifiedByPrefix() {
        XCTAssertEqual(PasswordScheme(identifying: Self.passlibSHA256), .pbkdf2SHA256)
        XCTAssertEqual(PasswordScheme(identifying: Self.phcSHA512), .pbkdf2SHA512)
        XCTAssertEqual(PasswordScheme(identifying: Self.bcrypt2a), .bcrypt)
        XCTAssertEqual(PasswordScheme(identifying: Self.bcrypt2y), .bcrypt)
        XCTAssertEqual(PasswordScheme(identifying: Self.scryptSmall), .scrypt)
        XCTAssertEqual(PasswordScheme(identifying: Argon2idHasherTests.referencePHC), .argon2id)
        XCTAssertNil(PasswordScheme(identifying: "$2x$04$…"))
    }

    func testEveryNonArgon2idHashNeedsUpgrade() {
        for hash in [Self.passlibSHA256, Self.phcSHA512, Self.bcrypt2b, Self.bcrypt2y, Self.scryptSmall, "garbage"] {
            XCTAssertTrue(LegacyPasswordVerifier.needsUpgrade(hash), hash)
        }
        XCTAssertFalse(LegacyPasswordVerifier.needsUpgrade(Argon2idHasherTests.referencePHC))
        XCTAssertEqual(PasswordScheme.allCases.filter { !$0.needsUpgrade }, [.argon2id])
    }

    func testValidateChecksImportLinesWithoutDeriving() throws {
        XCTAssertEqual(try verifier.validate(Self.passlibSHA512), .pbkdf2SHA512)
        XCTAssertEqual(try verifier.validate(Self.phcSHA256), .pbkdf2SHA256)
        XCTAssertEqual(try verifier.validate(Self.bcrypt2a), .bcrypt)
        XCTAssertEqual(try verifier.validate(Self.scryptDefault), .scrypt)
    }

    func testErrorMessagesSayHowToFix() {
        XCTAssertTrue("\(LegacyHashError.malformed(.bcrypt, reason: "x"))".contains("reset the password"))
        XCTAssertTrue("\(LegacyHashError.parametersOutOfRange(.scrypt, reason: "x"))".contains("LegacyHashLimits"))
        XCTAssertTrue("\(LegacyHashError.unsupportedScheme(identifier: "1"))".contains("bcrypt"))
    }
}
