import Hummingbird
import NIOCore

/// The request context: Hummingbird's basics plus the peer's address, which
/// riegel gets as `ClientInfo.ip` (its per-client throttle key).
struct PortalContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}
