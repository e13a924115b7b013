import RiegelSMS
import XCTest

/// Placeholder suite until the gateways land; replaced by their tests.
final class SMSModuleTests: XCTestCase {}
