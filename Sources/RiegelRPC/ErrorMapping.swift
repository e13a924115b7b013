import Logging
import RiegelCore
import Varlink

/// The one place where riegel's errors become varlink errors.
///
/// Every ``RiegelError`` case maps to the error of the same name in the
/// interface that declares it; a test checks this against the IDL.
/// - Important: parameters carry no secrets (security rule 9).
public enum ErrorMapping {
    /// The varlink error for `error`, raised by a method of `interface`.
    ///
    /// An error name both interfaces declare (`NoSuchAccount`) is qualified
    /// with the calling interface; others with the interface declaring them.
    public static func varlinkError(for error: RiegelError, in interface: String) -> VarlinkError {
        let (qualified, parameters) = nameAndParameters(error)
        let short = qualified.split(separator: ".").last.map(String.init) ?? qualified
        if interface != "io.riegel.Auth", declaredErrors[interface]?.contains(short) == true {
            return VarlinkError(name: interface + "." + short, parameters: parameters)
        }
        return VarlinkError(name: qualified, parameters: parameters)
    }

    /// What a handler of `interface` throws for `error`: the varlink error of
    /// a ``RiegelError``, `StorageUnavailable` for a ``StorageFailure`` that
    /// says the disk is full, read-only or failing, and any other error as it
    /// is (the server logs it and answers its generic error). Every riegel
    /// handler, plain or streaming, maps what it throws through here.
    /// A storage failure is logged (a warning with SQLite's message, which
    /// holds no values), so operators see the disk problem callers are told of.
    public static func mapped(_ error: any Error, in interface: String) -> any Error {
        if let error = error as? RiegelError {
            return varlinkError(for: error, in: interface)
        }
        if let failure = error as? any StorageFailure, failure.isStorageUnavailable {
            storageLogger.warning("database unavailable, call answered StorageUnavailable", metadata: [
                "interface": "\(interface)", "error": "\(error)"])
            return varlinkError(for: .storageUnavailable, in: interface)
        }
        return error
    }

    /// Where storage failures are logged.
    static let storageLogger = Logger(label: "riegel.storage")

    /// The errors each riegel interface declares, read from its IDL.
    static let declaredErrors: [String: Set<String>] = {
        var result: [String: Set<String>] = [:]
        for (name, _, description) in RiegelIDL.interfaces {
            var errors: Set<String> = []
            for line in description.split(separator: "\n") {
                let words = line.split(whereSeparator: { $0 == " " || $0 == "(" })
                if words.count >= 2, words[0] == "error" { errors.insert(String(words[1])) }
            }
            result[name] = errors
        }
        return result
    }()

    /// The error name (qualified with the interface that first declares it)
    /// and parameters for `error`.
    static func nameAndParameters(_ error: RiegelError) -> (String, [String: JSONValue]) {
        let auth = "io.riegel.Auth."
        let admin = "io.riegel.Admin."
        let audit = "io.riegel.Audit."
        switch error {
        case .invalidCredentials: return (auth + "InvalidCredentials", [:])
        case .accountLocked(let until):
            return (auth + "AccountLocked", until.map { ["until": .string(RFC3339.format($0))] } ?? [:])
        case .tooManyAttempts(let s): return (auth + "TooManyAttempts", ["retry_after": .int(Int64(s))])
        case .weakPassword(let reasons): return (auth + "WeakPassword", ["reasons": .array(reasons.map { .string($0) })])
        case .usernameTaken: return (auth + "UsernameTaken", [:])
        case .invalidPhoneNumber(let reason): return (auth + "InvalidPhoneNumber", ["reason": .string(reason)])
        case .sessionExpired(let reason): return (auth + "SessionExpired", ["reason": .string(reason.rawValue)])
        case .challengeExpired: return (auth + "ChallengeExpired", [:])
        case .invalidCode(let left): return (auth + "InvalidCode", ["attempts_left": .int(Int64(left))])
        case .resendTooSoon(let s): return (auth + "ResendTooSoon", ["retry_after": .int(Int64(s))])
        case .smsUnavailable: return (auth + "SmsUnavailable", [:])
        case .overloaded(let s): return (auth + "Overloaded", ["retry_after": .int(Int64(s))])
        case .stepUpRequired: return (auth + "StepUpRequired", [:])
        case .secondFactorNotEnrolled: return (auth + "SecondFactorNotEnrolled", [:])
        case .reauthenticationRequired: return (auth + "ReauthenticationRequired", [:])
        case .invalidToken: return (auth + "InvalidToken", [:])
        case .invalidSignature: return (auth + "InvalidSignature", [:])
        case .unknownResourceClass(let c): return (auth + "UnknownResourceClass", ["resource_class": .string(c)])
        case .invalidResourceID(let reason): return (auth + "InvalidResourceID", ["reason": .string(reason)])
        case .invalidUsername(let reason): return (auth + "InvalidUsername", ["reason": .string(reason)])
        case .invalidEmail(let reason): return (auth + "InvalidEmail", ["reason": .string(reason)])
        case .noSuchDevice: return (auth + "NoSuchDevice", [:])
        case .noSuchAccount: return (auth + "NoSuchAccount", [:])
        case .invalidPublicKey(let reason): return (auth + "InvalidPublicKey", ["reason": .string(reason)])
        case .invalidDeviceLabel(let reason): return (auth + "InvalidDeviceLabel", ["reason": .string(reason)])
        case .noSuchFactor: return (auth + "NoSuchFactor", [:])
        case .factorLabelTaken: return (auth + "FactorLabelTaken", [:])
        case .noPendingEnrolment: return (auth + "NoPendingEnrolment", [:])
        case .malformedCode(let reason): return (auth + "MalformedCode", ["reason": .string(reason)])
        case .codeAlreadyUsed: return (auth + "CodeAlreadyUsed", [:])
        case .challengeNotResendable: return (auth + "ChallengeNotResendable", [:])
        case .invalidFactorLabel(let reason): return (auth + "InvalidFactorLabel", ["reason": .string(reason)])
        case .noSuchKey: return (admin + "NoSuchKey", [:])
        case .invalidPasswordHash(let reason): return (admin + "InvalidPasswordHash", ["reason": .string(reason)])
        case .keyInUse(let n): return (admin + "KeyInUse", ["in_use": .int(Int64(n))])
        case .keyActive: return (admin + "KeyActive", [:])
        case .credentialUnavailable(let c, let reason):
            return (admin + "CredentialUnavailable", ["credential": .string(c), "reason": .string(reason)])
        case .masterKeyRotationRefused(let reason):
            return (admin + "MasterKeyRotationRefused", ["reason": .string(reason)])
        case .rotationInProgress(let p): return (admin + "RotationInProgress", ["purpose": .string(p.rawValue)])
        case .invalidFilter(let reason): return (audit + "InvalidFilter", ["reason": .string(reason)])
        case .auditChainBroken(let seq, let problem):
            return (audit + "ChainBroken", ["first_bad_seq": .int(seq), "problem": .string(problem)])
        case .storageUnavailable: return (auth + "StorageUnavailable", [:])
        }
    }
}
