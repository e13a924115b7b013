import Crypto
import Foundation
import _CryptoExtras
import RiegelCore

/// Verifies signed audit checkpoints with public keys alone, as the security
/// team does offline (`riegelctl audit verify FILE --public-key KEY`).
///
/// A signature counts when any of the given keys verifies it: every key given
/// is trusted. Legacy HMAC seals never verify here (they need the daemon's
/// secret key).
public struct AuditPublicKeySet: CheckpointSealVerifier {
    private let keys: [Curve25519.Signing.PublicKey]

    /// Why a public key could not be read.
    public struct ParseError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The keys in `pems`, each a PEM `PUBLIC KEY` block (as `riegelctl audit
    /// public-key` prints it); text around the blocks is ignored.
    public init(pems: [String]) throws {
        var keys: [Curve25519.Signing.PublicKey] = []
        for pem in pems {
            let blocks = Self.blocks(pem)
            guard !blocks.isEmpty else {
                throw ParseError(description: "no \"-----BEGIN PUBLIC KEY-----\" block found")
            }
            for block in blocks {
                do {
                    keys.append(try Curve25519.Signing.PublicKey(pemRepresentation: block))
                } catch {
                    throw ParseError(description: "not an Ed25519 public key in PEM form")
                }
            }
        }
        self.keys = keys
    }

    public func verifies(_ message: [UInt8], seal: CheckpointSeal) -> Bool {
        guard case .signature(let bytes, _) = seal else { return false }
        return keys.contains { $0.isValidSignature(bytes, for: message) }
    }

    private static func blocks(_ text: String) -> [String] {
        var out: [String] = []
        var current: [Substring]?
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed == "-----BEGIN PUBLIC KEY-----" {
                current = [Substring(trimmed)]
            } else if current != nil {
                current!.append(Substring(trimmed))
                if trimmed == "-----END PUBLIC KEY-----" {
                    out.append(current!.joined(separator: "\n"))
                    current = nil
                }
            }
        }
        return out
    }
}
