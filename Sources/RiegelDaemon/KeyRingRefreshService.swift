import Logging
import RiegelCrypto
import ServiceLifecycle

/// On a shared store (PostgreSQL), reloads the key ring every
/// ``interval`` so that a rotation or retirement made through another
/// riegeld reaches this one: it seals new data under the new active key and
/// opens what the other instance sealed. A value under a key newer than the
/// ring knows also refreshes it at once (``KeyRing/key(_:)``).
///
/// `RetireKey` on a shared store waits ``retireGrace`` after the rotation
/// (``KeyAdministration``), longer than two refreshes, so that no instance
/// still seals under a key when it is retired.
struct KeyRingRefreshService: Service, CustomStringConvertible {
    let ring: KeyRing
    let logger: Logger

    /// How often the ring reloads.
    static let interval: Duration = .seconds(2)
    /// How long after a rotation a shared store's old key may be retired.
    static let retireGrace: Duration = .seconds(5)

    var description: String { "KeyRingRefreshService" }

    func run() async throws {
        var failing = false
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.interval) }
            } catch {
                break
            }
            do {
                if try ring.refresh() {
                    logger.notice("adopted key changes made by another riegeld on the shared store",
                                  metadata: ["keys": "\(ring.keyInfos().map { "\($0.id) \($0.purpose.rawValue) \($0.state.rawValue)" })"])
                }
                if failing { logger.notice("key ring refresh works again") }
                failing = false
            } catch {
                if !failing {
                    logger.error("key ring refresh failed; this riegeld may seal under an old key until it works",
                                 metadata: ["error": "\(error)"])
                }
                failing = true
            }
        }
    }
}
