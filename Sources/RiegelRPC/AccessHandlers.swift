import RiegelCore
import RiegelService
import Varlink

/// The step-up access methods of `io.riegel.Auth`: one part of its method
/// table (see ``RiegelIDL/interfaces``).
enum AccessHandlers {
    static func table(_ m: RiegelMethods) -> [String: VarlinkMethodHandler] {
        [
            // Async: the decision reads the account and appends to the audit trail.
            "AuthorizeAccess": AuthHandlers.handler { call in
                let granted = try m.access.authorize(
                    token: call.string("token"), resourceClass: call.string("resource_class"),
                    resourceID: call.optionalString("resource_id"), client: call.client)
                return ["granted": .bool(granted)]
            },
        ]
    }
}
