import Logging
import Metrics
import RiegelCore
import RiegelService
import Varlink

/// Builds the varlink service riegeld serves: the riegel interfaces, the one
/// method tables bound to them, and role checks from peer credentials.
public enum RiegelRPCService {
    /// A service with every riegel interface registered.
    ///
    /// - Parameters:
    ///   - methods: the use cases the handlers call.
    ///   - authorizer: the current role table (read on every call, so a reload
    ///     takes effect at once).
    ///   - denials: where refused calls are audited (aggregated, off the event loop).
    ///   - logger: where refused calls are logged.
    ///
    /// With metrics on (``RiegelMetrics/enabled``), every bound method is timed
    /// (`riegel_varlink_request_duration_seconds{method}`); off, handlers run unwrapped.
    /// - Important: security rule 8. Every riegel interface requires its role;
    ///   only `org.varlink.service` is open to all peers.
    public static func make(methods: RiegelMethods,
                            authorizer: @escaping @Sendable () -> RoleAuthorizer,
                            denials: PermissionDeniedAuditor,
                            logger: Logger) throws -> VarlinkService {
        var service = VarlinkService(vendor: "riegel", product: "riegeld", version: RiegelVersion.current,
                                     url: "https://varlink.org")
        for interface in RiegelIDL.interfaces {
            let (name, role) = (interface.name, interface.role)
            var handlers = interface.table(methods)
            if methods.metrics.enabled {
                for (method, handler) in handlers {
                    let timer = Timer(label: "riegel_varlink_request_duration_seconds",
                                      dimensions: [("method", name + "." + method)], factory: methods.metrics.factory)
                    handlers[method] = handler.timed(timer)
                }
            }
            try service.register(interfaceDescription: interface.description,
                                 methods: handlers,
                                 authorize: { call in
                                     if authorizer().permits(call.peer, role) { return true }
                                     // On the event loop: only counted here, appended by the auditor's task.
                                     denials.denied(uid: call.peer.uid, pid: call.peer.pid, gid: call.peer.gid,
                                                    method: call.qualifiedMethod, role: role.rawValue)
                                     return false
                                 })
        }
        return service
    }
}
