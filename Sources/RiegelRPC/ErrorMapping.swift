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
    /// The name is qualified with the calling interface when its IDL declares
    /// the error (`NoSuchAccount` is declared by Auth and Admin); otherwise with
    /// the first interface (in ``RiegelIDL/interfaces`` order) that declares it.
    public static func varlinkError(for error: RiegelError, in interface: String) -> VarlinkError {
        let (name, parameters) = nameAndParameters(error)
        return VarlinkError(name: declaringInterface(of: name, calledThrough: interface) + "." + name,
                            parameters: parameters)
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

    /// The interface whose declaration of the error `name` a call through
    /// `interface` answers with, from the parsed IDL.
    static func declaringInterface(of name: String, calledThrough interface: String) -> String {
        let declaring = declarers[name] ?? []
        if declaring.contains(interface) { return interface }
        // Every case is declared somewhere (ErrorMappingTests); Auth is the fallback.
        return declaring.first ?? RiegelIDL.interfaces[0].name
    }

    /// Every error name the IDL declares, with the interfaces declaring it in
    /// ``RiegelIDL/interfaces`` order.
    static let declarers: [String: [String]] = {
        var result: [String: [String]] = [:]
        for interface in RiegelIDL.interfaces {
            for name in interface.definition.errors.keys { result[name, default: []].append(interface.name) }
        }
        return result
    }()

    /// The error's unqualified name, as the IDL declares it, and its parameters.
    static func nameAndParameters(_ error: RiegelError) -> (String, [String: JSONValue]) {
        switch error {
        case .invalidCredentials: return ("InvalidCredentials", [:])
        case .accountLocked(let until):
            return ("AccountLocked", until.map { ["until": .string(RFC3339.format($0))] } ?? [:])
        case .tooManyAttempts(let s): return ("TooManyAttempts", ["retry_after": .int(Int64(s))])
        case .weakPassword(let reasons): return ("WeakPassword", ["reasons": .array(reasons.map { .string($0) })])
        case .usernameTaken: return ("UsernameTaken", [:])
        case .invalidPhoneNumber(let reason): return ("InvalidPhoneNumber", ["reason": .string(reason)])
        case .sessionExpired(let reason): return ("SessionExpired", ["reason": .string(reason.rawValue)])
        case .challengeExpired: return ("ChallengeExpired", [:])
        case .invalidCode(let left): return ("InvalidCode", ["attempts_left": .int(Int64(left))])
        case .resendTooSoon(let s): return ("ResendTooSoon", ["retry_after": .int(Int64(s))])
        case .smsUnavailable: return ("SmsUnavailable", [:])
        case .overloaded(let s): return ("Overloaded", ["retry_after": .int(Int64(s))])
        case .stepUpRequired: return ("StepUpRequired", [:])
        case .secondFactorNotEnrolled: return ("SecondFactorNotEnrolled", [:])
        case .reauthenticationRequired: return ("ReauthenticationRequired", [:])
        case .invalidToken: return ("InvalidToken", [:])
        case .invalidSignature: return ("InvalidSignature", [:])
        case .unknownResourceClass(let c): return ("UnknownResourceClass", ["resource_class": .string(c)])
        case .invalidResourceID(let reason): return ("InvalidResourceID", ["reason": .string(reason)])
        case .invalidUsername(let reason): return ("InvalidUsername", ["reason": .string(reason)])
        case .invalidEmail(let reason): return ("InvalidEmail", ["reason": .string(reason)])
        case .noSuchDevice: return ("NoSuchDevice", [:])
        case .noSuchAccount: return ("NoSuchAccount", [:])
        case .invalidPublicKey(let reason): return ("InvalidPublicKey", ["reason": .string(reason)])
        case .invalidDeviceLabel(let reason): return ("InvalidDeviceLabel", ["reason": .string(reason)])
        case .noSuchFactor: return ("NoSuchFactor", [:])
        case .factorLabelTaken: return ("FactorLabelTaken", [:])
        case .noPendingEnrolment: return ("NoPendingEnrolment", [:])
        case .malformedCode(let reason): return ("MalformedCode", ["reason": .string(reason)])
        case .codeAlreadyUsed: return ("CodeAlreadyUsed", [:])
        case .challengeNotResendable: return ("ChallengeNotResendable", [:])
        case .invalidFactorLabel(let reason): return ("InvalidFactorLabel", ["reason": .string(reason)])
        case .noSuchKey: return ("NoSuchKey", [:])
        case .invalidPasswordHash(let reason): return ("InvalidPasswordHash", ["reason": .string(reason)])
        case .keyInUse(let n): return ("KeyInUse", ["in_use": .int(Int64(n))])
        case .keyActive: return ("KeyActive", [:])
        case .credentialUnavailable(let c, let reason):
            return ("CredentialUnavailable", ["credential": .string(c), "reason": .string(reason)])
        case .masterKeyRotationRefused(let reason):
            return ("MasterKeyRotationRefused", ["reason": .string(reason)])
        case .rotationInProgress(let p): return ("RotationInProgress", ["purpose": .string(p.rawValue)])
        case .invalidFilter(let reason): return ("InvalidFilter", ["reason": .string(reason)])
        case .auditChainBroken(let seq, let problem):
            return ("ChainBroken", ["first_bad_seq": .int(seq), "problem": .string(problem)])
        case .storageUnavailable: return ("StorageUnavailable", [:])
        }
    }
}
