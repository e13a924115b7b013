import RiegelCore
@testable import RiegelRPC
import Varlink
import XCTest

/// The one error mapping agrees with the IDL, both ways.
final class ErrorMappingTests: XCTestCase {
    /// One example of every RiegelError case (the mapping's switch is exhaustive,
    /// so a new case fails to compile there; this list must grow with it).
    static let examples: [RiegelError] = [
        .invalidCredentials, .accountLocked(until: Instant(secondsSinceEpoch: 0)), .accountLocked(until: nil),
        .tooManyAttempts(retryAfterSeconds: 3), .weakPassword(reasons: ["too_short"]), .usernameTaken,
        .invalidPhoneNumber(reason: "the phone number is empty"), .sessionExpired(.idle), .challengeExpired, .invalidCode(attemptsLeft: 2),
        .resendTooSoon(retryAfterSeconds: 30), .smsUnavailable, .overloaded(retryAfterSeconds: 1),
        .stepUpRequired, .secondFactorNotEnrolled, .reauthenticationRequired, .invalidToken,
        .invalidSignature, .unknownResourceClass("x"), .invalidResourceID(reason: "too long"),
        .invalidUsername(reason: "too short"), .invalidEmail(reason: "no @"),
        .noSuchDevice, .noSuchAccount, .invalidPublicKey(reason: "r"), .invalidDeviceLabel(reason: "r"), .noSuchKey,
        .invalidPasswordHash(reason: "r"), .keyInUse(inUse: 4), .keyActive,
        .credentialUnavailable(credential: "c", reason: "missing"), .masterKeyRotationRefused(reason: "same_key"),
        .rotationInProgress(purpose: .pii), .invalidFilter(reason: "r"), .storageUnavailable,
        .auditChainBroken(firstBadSeq: 7, problem: "entry 7 was altered"),
        .noSuchFactor, .factorLabelTaken, .noPendingEnrolment, .malformedCode(reason: "a code is 6 digits"),
        .codeAlreadyUsed, .challengeNotResendable, .invalidFactorLabel(reason: "r"),
    ]

    /// Every case, raised by a method of any interface, maps to an error the
    /// interface it is qualified with declares, with the parameters declared.
    func testEveryMappedErrorIsDeclaredWithMatchingParameters() throws {
        let defs = Dictionary(uniqueKeysWithValues: RiegelIDL.interfaces.map { ($0.name, $0.definition) })
        for calling in defs.keys {
            for error in Self.examples {
                let mapped = ErrorMapping.varlinkError(for: error, in: calling)
                let dot = try XCTUnwrap(mapped.name.lastIndex(of: "."))
                let interface = String(mapped.name[..<dot])
                let short = String(mapped.name[mapped.name.index(after: dot)...])
                XCTAssertEqual(short, ErrorMapping.nameAndParameters(error).0)
                let fields = try XCTUnwrap(defs[interface]?.errors[short], "\(mapped.name) is not declared in the IDL")
                XCTAssertNoThrow(try defs[interface]!.validate(mapped.parameters, against: fields),
                                 "parameters of \(mapped.name) do not match the IDL")
            }
        }
    }

    func testEveryErrorTheIDLDeclaresHasACase() {
        let mapped = Set(Self.examples.map { ErrorMapping.nameAndParameters($0).0 })
        for interface in RiegelIDL.interfaces {
            for name in interface.errors {
                XCTAssertTrue(mapped.contains(name), "\(interface.name).\(name) has no RiegelError case")
            }
        }
    }

    /// An error the calling interface does not declare is named after the one that does.
    func testAnErrorTheCallingInterfaceLacksIsNamedAfterTheDeclaringOne() {
        XCTAssertEqual(ErrorMapping.varlinkError(for: .noSuchKey, in: "io.riegel.Auth").name, "io.riegel.Admin.NoSuchKey")
        XCTAssertEqual(ErrorMapping.varlinkError(for: .auditChainBroken(firstBadSeq: 1, problem: "p"),
                                                 in: "io.riegel.Admin").name, "io.riegel.Audit.ChainBroken")
        XCTAssertEqual(ErrorMapping.varlinkError(for: .invalidCredentials, in: "io.riegel.Audit").name,
                       "io.riegel.Auth.InvalidCredentials")
    }

    func testErrorDeclaredByTwoInterfacesIsQualifiedWithTheCallingOne() {
        XCTAssertEqual(ErrorMapping.varlinkError(for: .noSuchAccount, in: "io.riegel.Admin").name,
                       "io.riegel.Admin.NoSuchAccount")
        XCTAssertEqual(ErrorMapping.varlinkError(for: .noSuchAccount, in: "io.riegel.Auth").name,
                       "io.riegel.Auth.NoSuchAccount")
        XCTAssertEqual(ErrorMapping.varlinkError(for: .keyActive, in: "io.riegel.Auth").name,
                       "io.riegel.Admin.KeyActive")
        XCTAssertEqual(ErrorMapping.varlinkError(for: .invalidFilter(reason: "r"), in: "io.riegel.Admin").name,
                       "io.riegel.Admin.InvalidFilter")
        XCTAssertEqual(ErrorMapping.varlinkError(for: .invalidFilter(reason: "r"), in: "io.riegel.Audit").name,
                       "io.riegel.Audit.InvalidFilter")
        for interface in ["io.riegel.Auth", "io.riegel.Admin", "io.riegel.Audit"] {
            XCTAssertEqual(ErrorMapping.varlinkError(for: .storageUnavailable, in: interface).name,
                           interface + ".StorageUnavailable")
        }
    }

    private struct DiskFailure: StorageFailure {
        let isStorageUnavailable: Bool
    }

    /// Issue 14: what any handler throws goes through `mapped`; a storage
    /// failure that means the disk is out is StorageUnavailable, others pass.
    func testStorageFailureBecomesStorageUnavailableOfTheCallingInterfaceAndOthersPass() {
        for interface in ["io.riegel.Auth", "io.riegel.Admin", "io.riegel.Audit"] {
            let e = ErrorMapping.mapped(DiskFailure(isStorageUnavailable: true), in: interface) as? VarlinkError
            XCTAssertEqual(e?.name, interface + ".StorageUnavailable")
            XCTAssertEqual(e?.parameters, [:])
        }
        XCTAssertTrue(ErrorMapping.mapped(DiskFailure(isStorageUnavailable: false), in: "io.riegel.Auth") is DiskFailure)
        XCTAssertEqual((ErrorMapping.mapped(RiegelError.noSuchAccount, in: "io.riegel.Admin") as? VarlinkError)?.name,
                       "io.riegel.Admin.NoSuchAccount")
    }

    func testExpiredSessionCarriesItsReason() {
        let e = ErrorMapping.varlinkError(for: .sessionExpired(.absolute), in: "io.riegel.Auth")
        XCTAssertEqual(e.parameters["reason"], .string("absolute"))
    }
}
