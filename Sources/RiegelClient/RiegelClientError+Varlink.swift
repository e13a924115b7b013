import Varlink

/// The one place where varlink error names become ``RiegelClientError`` cases
/// (and back, for the drift test and descriptions).
extension RiegelClientError {
    /// The typed error for an error reply. Errors of `io.riegel.*` and
    /// `org.varlink.service` map by their unqualified name; an unknown name, or
    /// parameters that do not fit the case, give ``unknownError(name:parameters:)``.
    init(_ reply: VarlinkError) {
        guard let name = Self.unqualifiedName(reply.name) else {
            self = .unknownError(name: reply.name, parameters: reply.parameters)
            return
        }
        let p = ErrorParameters(members: reply.parameters)
        do {
            switch name {
            case "InvalidCredentials": self = .invalidCredentials
            case "AccountLocked": self = .accountLocked(until: try p.optional("until"))
            case "TooManyAttempts": self = .tooManyAttempts(retryAfter: try p.required("retry_after"))
            case "WeakPassword": self = .weakPassword(reasons: try p.required("reasons"))
            case "UsernameTaken": self = .usernameTaken
            case "InvalidPhoneNumber": self = .invalidPhoneNumber(reason: try p.optional("reason"))
            case "SessionExpired": self = .sessionExpired(reason: try p.required("reason"))
            case "ChallengeExpired": self = .challengeExpired
            case "InvalidCode": self = .invalidCode(attemptsLeft: try p.required("attempts_left"))
            case "ResendTooSoon": self = .resendTooSoon(retryAfter: try p.required("retry_after"))
            case "SmsUnavailable": self = .smsUnavailable
            case "Overloaded": self = .overloaded(retryAfter: try p.required("retry_after"))
            case "StepUpRequired": self = .stepUpRequired
            case "SecondFactorNotEnrolled": self = .secondFactorNotEnrolled
            case "ReauthenticationRequired": self = .reauthenticationRequired
            case "InvalidToken": self = .invalidToken
            case "InvalidSignature": self = .invalidSignature
            case "UnknownResourceClass": self = .unknownResourceClass(resourceClass: try p.required("resource_class"))
            case "InvalidResourceID": self = .invalidResourceID(reason: try p.required("reason"))
            case "InvalidUsername": self = .invalidUsername(reason: try p.required("reason"))
            case "InvalidEmail": self = .invalidEmail(reason: try p.required("reason"))
            case "NoSuchDevice": self = .noSuchDevice
            case "NoSuchAccount": self = .noSuchAccount
            case "InvalidPublicKey": self = .invalidPublicKey(reason: try p.required("reason"))
            case "InvalidDeviceLabel": self = .invalidDeviceLabel(reason: try p.required("reason"))
            case "NoSuchFactor": self = .noSuchFactor
            case "FactorLabelTaken": self = .factorLabelTaken
            case "NoPendingEnrolment": self = .noPendingEnrolment
            case "MalformedCode": self = .malformedCode(reason: try p.required("reason"))
            case "CodeAlreadyUsed": self = .codeAlreadyUsed
            case "ChallengeNotResendable": self = .challengeNotResendable
            case "InvalidFactorLabel": self = .invalidFactorLabel(reason: try p.required("reason"))
            case "StorageUnavailable": self = .storageUnavailable
            case "InvalidPasswordHash": self = .invalidPasswordHash(reason: try p.required("reason"))
            case "NoSuchKey": self = .noSuchKey
            case "KeyInUse": self = .keyInUse(inUse: try p.required("in_use"))
            case "KeyActive": self = .keyActive
            case "CredentialUnavailable": self = .credentialUnavailable(credential: try p.required("credential"), reason: try p.required("reason"))
            case "MasterKeyRotationRefused": self = .masterKeyRotationRefused(reason: try p.required("reason"))
            case "RotationInProgress": self = .rotationInProgress(purpose: try p.required("purpose"))
            case "InvalidFilter": self = .invalidFilter(reason: try p.required("reason"))
            case "ChainBroken": self = .chainBroken(firstBadSeq: try p.required("first_bad_seq"), problem: try p.required("problem"))
            case "InterfaceNotFound": self = .interfaceNotFound(interface: try p.required("interface"))
            case "MethodNotFound": self = .methodNotFound(method: try p.required("method"))
            case "MethodNotImplemented": self = .methodNotImplemented(method: try p.required("method"))
            case "InvalidParameter": self = .invalidParameter(parameter: try p.required("parameter"))
            case "PermissionDenied": self = .permissionDenied
            case "ExpectedMore": self = .expectedMore
            default: self = .unknownError(name: reply.name, parameters: reply.parameters)
            }
        } catch {
            self = .unknownError(name: reply.name, parameters: reply.parameters)
        }
    }

    /// The unqualified IDL name and the wire parameters of a declared error;
    /// `nil` for the client's own failures and unknown errors.
    var declaredError: (name: String, parameters: [String: JSONValue])? {
        switch self {
        case .invalidCredentials: ("InvalidCredentials", [:])
        case .accountLocked(let until): ("AccountLocked", Self.parameters(["until": until]))
        case .tooManyAttempts(let retryAfter): ("TooManyAttempts", Self.parameters(["retry_after": retryAfter]))
        case .weakPassword(let reasons): ("WeakPassword", Self.parameters(["reasons": reasons]))
        case .usernameTaken: ("UsernameTaken", [:])
        case .invalidPhoneNumber(let reason): ("InvalidPhoneNumber", Self.parameters(["reason": reason]))
        case .sessionExpired(let reason): ("SessionExpired", Self.parameters(["reason": reason]))
        case .challengeExpired: ("ChallengeExpired", [:])
        case .invalidCode(let attemptsLeft): ("InvalidCode", Self.parameters(["attempts_left": attemptsLeft]))
        case .resendTooSoon(let retryAfter): ("ResendTooSoon", Self.parameters(["retry_after": retryAfter]))
        case .smsUnavailable: ("SmsUnavailable", [:])
        case .overloaded(let retryAfter): ("Overloaded", Self.parameters(["retry_after": retryAfter]))
        case .stepUpRequired: ("StepUpRequired", [:])
        case .secondFactorNotEnrolled: ("SecondFactorNotEnrolled", [:])
        case .reauthenticationRequired: ("ReauthenticationRequired", [:])
        case .invalidToken: ("InvalidToken", [:])
        case .invalidSignature: ("InvalidSignature", [:])
        case .unknownResourceClass(let resourceClass): ("UnknownResourceClass", Self.parameters(["resource_class": resourceClass]))
        case .invalidResourceID(let reason): ("InvalidResourceID", Self.parameters(["reason": reason]))
        case .invalidUsername(let reason): ("InvalidUsername", Self.parameters(["reason": reason]))
        case .invalidEmail(let reason): ("InvalidEmail", Self.parameters(["reason": reason]))
        case .noSuchDevice: ("NoSuchDevice", [:])
        case .noSuchAccount: ("NoSuchAccount", [:])
        case .invalidPublicKey(let reason): ("InvalidPublicKey", Self.parameters(["reason": reason]))
        case .invalidDeviceLabel(let reason): ("InvalidDeviceLabel", Self.parameters(["reason": reason]))
        case .noSuchFactor: ("NoSuchFactor", [:])
        case .factorLabelTaken: ("FactorLabelTaken", [:])
        case .noPendingEnrolment: ("NoPendingEnrolment", [:])
        case .malformedCode(let reason): ("MalformedCode", Self.parameters(["reason": reason]))
        case .codeAlreadyUsed: ("CodeAlreadyUsed", [:])
        case .challengeNotResendable: ("ChallengeNotResendable", [:])
        case .invalidFactorLabel(let reason): ("InvalidFactorLabel", Self.parameters(["reason": reason]))
        case .storageUnavailable: ("StorageUnavailable", [:])
        case .invalidPasswordHash(let reason): ("InvalidPasswordHash", Self.parameters(["reason": reason]))
        case .noSuchKey: ("NoSuchKey", [:])
        case .keyInUse(let inUse): ("KeyInUse", Self.parameters(["in_use": inUse]))
        case .keyActive: ("KeyActive", [:])
        case .credentialUnavailable(let credential, let reason): ("CredentialUnavailable", Self.parameters(["credential": credential, "reason": reason]))
        case .masterKeyRotationRefused(let reason): ("MasterKeyRotationRefused", Self.parameters(["reason": reason]))
        case .rotationInProgress(let purpose): ("RotationInProgress", Self.parameters(["purpose": purpose]))
        case .invalidFilter(let reason): ("InvalidFilter", Self.parameters(["reason": reason]))
        case .chainBroken(let firstBadSeq, let problem): ("ChainBroken", Self.parameters(["first_bad_seq": firstBadSeq, "problem": problem]))
        case .interfaceNotFound(let interface): ("InterfaceNotFound", Self.parameters(["interface": interface]))
        case .methodNotFound(let method): ("MethodNotFound", Self.parameters(["method": method]))
        case .methodNotImplemented(let method): ("MethodNotImplemented", Self.parameters(["method": method]))
        case .invalidParameter(let parameter): ("InvalidParameter", Self.parameters(["parameter": parameter]))
        case .permissionDenied: ("PermissionDenied", [:])
        case .expectedMore: ("ExpectedMore", [:])
        case .connectionFailed, .malformedReply, .unknownError: nil
        }
    }

    /// The name after `io.riegel.<Interface>.` or `org.varlink.service.`; nil for other interfaces.
    static func unqualifiedName(_ qualified: String) -> String? {
        guard qualified.hasPrefix("io.riegel.") || qualified.hasPrefix("org.varlink.service."),
              let dot = qualified.lastIndex(of: ".") else { return nil }
        return String(qualified[qualified.index(after: dot)...])
    }

    /// Wire parameters from the case's values, absent optionals left out.
    private static func parameters(_ values: [String: (any Encodable)?]) -> [String: JSONValue] {
        var members: [String: JSONValue] = [:]
        for (name, value) in values {
            guard let value, let json = try? JSONValueEncoder().encode(value) else { continue }
            members[name] = json
        }
        return members
    }
}

/// Reads an error's parameters into the types its case declares.
private struct ErrorParameters {
    let members: [String: JSONValue]

    /// A parameter the IDL declares non-optional; missing or `null` throws.
    func required<Value: Decodable>(_ name: String) throws -> Value {
        guard let value = members[name], !value.isNull else {
            throw DecodingError.keyNotFound(JSONKey(stringValue: name), .init(codingPath: [], debugDescription:
                "the error has no '\(name)'"))
        }
        return try JSONValueDecoder().decode(Value.self, from: value)
    }

    /// An optional parameter: absent and `null` are `nil`.
    func optional<Value: Decodable>(_ name: String) throws -> Value? {
        guard let value = members[name], !value.isNull else { return nil }
        return try JSONValueDecoder().decode(Value.self, from: value)
    }
}
