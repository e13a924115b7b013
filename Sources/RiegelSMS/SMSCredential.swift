import Foundation

/// Reads the secret an http gateway's `credential` names: a systemd
/// credential in `$CREDENTIALS_DIRECTORY` (a bare name) or a file (a path,
/// anything containing `/`). One trailing line break is dropped.
///
/// - Important: secrets are never inline in the config and never logged.
enum SMSCredential {
    /// The secret `reference` points to; throws with a fix-it when it cannot be read.
    static func load(_ reference: String, gateway: String, environment: [String: String]) throws -> String {
        let path: String
        if reference.contains("/") {
            path = reference
        } else if let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty {
            path = directory.hasSuffix("/") ? directory + reference : directory + "/" + reference
        } else {
            throw SMSGatewaySetupError(gateway: gateway,
                "credential \"\(reference)\" names a systemd credential but $CREDENTIALS_DIRECTORY is not set; "
                + "add LoadCredential=\(reference):/etc/riegel/\(reference) to the unit, or set credential to a file path")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SMSGatewaySetupError(gateway: gateway,
                "cannot read the credential file \(path); create it (mode 0600, owned by the riegel user) with the secret on one line")
        }
        var secret = String(decoding: data, as: UTF8.self)
        if secret.hasSuffix("\r\n") { secret.removeLast(1) } else if secret.hasSuffix("\n") { secret.removeLast() }
        guard !secret.isEmpty else {
            throw SMSGatewaySetupError(gateway: gateway, "the credential file \(path) is empty; write the secret into it")
        }
        guard !secret.contains("\n"), !secret.contains("\r") else {
            throw SMSGatewaySetupError(gateway: gateway, "the credential file \(path) holds more than one line; keep only the secret")
        }
        return secret
    }
}
