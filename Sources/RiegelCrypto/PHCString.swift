import RiegelCore

/// An argon2id PHC string: `$argon2id$v=19$m=<KiB>,t=<n>,p=<n>$<salt>$<hash>`
/// with salt and hash in unpadded standard base64 (the reference encoding).
struct PHCString: Sendable, Hashable {
    var memoryKiB: UInt32
    var iterations: UInt32
    var parallelism: UInt32
    var salt: [UInt8]
    var hash: [UInt8]

    /// The parameters this string was made with.
    var parameters: Argon2Parameters {
        Argon2Parameters(memoryKiB: memoryKiB, iterations: iterations, parallelism: parallelism,
                         saltLength: salt.count, hashLength: hash.count)
    }

    /// The canonical text, byte-identical to libargon2's encoder.
    var encoded: String {
        "$argon2id$v=19$m=\(memoryKiB),t=\(iterations),p=\(parallelism)$"
            + Base64Alphabet.standard.encode(salt) + "$" + Base64Alphabet.standard.encode(hash)
    }

    /// Parses strictly: only argon2id version 19, parameters in the order m,t,p,
    /// decimal without sign or leading zeros, canonical base64, values in range.
    static func parse(_ text: String) throws -> PHCString {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0].isEmpty else { throw PasswordHashError.malformedHash("expected 5 '$'-separated fields") }
        guard parts[1] == "argon2id" else { throw PasswordHashError.malformedHash("algorithm is not argon2id") }
        guard parts[2] == "v=19" else { throw PasswordHashError.malformedHash("version is not 19") }
        let params = parts[3].split(separator: ",", omittingEmptySubsequences: false)
        guard params.count == 3 else { throw PasswordHashError.malformedHash("expected m,t,p") }
        func value(_ field: Substring, _ name: String) throws -> UInt32 {
            guard field.hasPrefix(name + "=") else { throw PasswordHashError.malformedHash("expected \(name)=") }
            let digits = field.dropFirst(name.count + 1)
            guard !digits.isEmpty, digits.count <= 10, digits.utf8.allSatisfy({ (48...57).contains($0) }),
                  digits == "0" || !digits.hasPrefix("0"), let n = UInt32(digits) else {
                throw PasswordHashError.malformedHash("\(name) is not a decimal number")
            }
            return n
        }
        let m = try value(params[0], "m"), t = try value(params[1], "t"), p = try value(params[2], "p")
        guard let salt = Base64Alphabet.standard.decode(String(parts[4])),
              let hash = Base64Alphabet.standard.decode(String(parts[5])) else {
            throw PasswordHashError.malformedHash("salt or hash is not unpadded base64")
        }
        let phc = PHCString(memoryKiB: m, iterations: t, parallelism: p, salt: salt, hash: hash)
        do {
            try phc.parameters.validate()
        } catch {
            throw PasswordHashError.malformedHash("parameters out of range")
        }
        return phc
    }
}
