import RiegelCore
import RiegelService
import Varlink

/// The device methods of `io.riegel.Auth` (trusted browsers, app keys),
/// one part of its method table (see ``RiegelIDL/interfaces``).
enum DeviceHandlers {
    static func table(_ m: RiegelMethods) -> [String: VarlinkMethodHandler] {
        [
            "ListDevices": handler { call in
                ["devices": .array(try m.devices.list(token: call.string("token")).map(device))]
            },
            "RevokeDevice": handler { call in
                try m.devices.revoke(token: call.string("token"), deviceID: DeviceID(rawValue: call.string("device_id")))
                return [:]
            },
            "EnrollDeviceKey": handler { call in
                let id = try m.devices.enrollKey(token: call.string("token"), publicKey: call.string("public_key"),
                                                 label: call.string("label"))
                return ["device_id": .string(id.rawValue)]
            },
            "BeginDeviceLogin": handler { call in
                let (nonce, expiresAt) = try m.devices.beginDeviceLogin(deviceID: DeviceID(rawValue: call.string("device_id")))
                return ["nonce": .string(nonce), "expires_at": .string(RFC3339.format(expiresAt))]
            },
            "FinishDeviceLogin": handler { call in
                let session = try m.devices.finishDeviceLogin(
                    deviceID: DeviceID(rawValue: call.string("device_id")), nonce: call.string("nonce"),
                    signature: call.string("signature"), client: call.client)
                return ["session": AuthReplies.newSession(session)]
            },
        ]
    }

    /// `Device`.
    static func device(_ d: DeviceInfo) -> JSONValue {
        var o: [String: JSONValue] = [
            "device_id": .string(d.deviceID.rawValue),
            "kind": .string(d.kind.rawValue),
            "label": .string(d.label),
            "created_at": .string(RFC3339.format(d.createdAt)),
            "expires_at": .string(RFC3339.format(d.expiresAt)),
        ]
        if let at = d.lastUsedAt { o["last_used_at"] = .string(RFC3339.format(at)) }
        return .object(o)
    }

    static func handler(_ body: @escaping @Sendable (VarlinkCall) async throws -> [String: JSONValue]) -> VarlinkMethodHandler {
        .riegel(AuthHandlers.interface, body)
    }
}
