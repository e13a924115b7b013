import Foundation
import Logging
import RiegelCore
import RiegelService
import ServiceLifecycle

/// Loads the stored sessions into the in-memory table after start, page by
/// page, while riegeld already serves: until it is done, checks of sessions
/// not yet loaded are looked up in the database (``SessionService/beginLoading()``),
/// so start-up no longer waits for a million rows. Records its progress in
/// the `sessions` check of `Status`.
struct SessionLoaderService: Service, CustomStringConvertible {
    var description: String { "SessionLoaderService" }
    let sessions: SessionService
    let state: DaemonState
    let pageSize: Int
    let logger: Logger

    func run() async throws {
        let started = ContinuousClock.now
        var cursor: SessionID?
        var loaded = 0
        do {
            repeat {
                if Task.isCancelled || Task.isShuttingDownGracefully { return }
                let page = try sessions.loadStoredPage(after: cursor, limit: pageSize)
                loaded += page.added
                cursor = page.next
                // Let requests in between pages (the load shares the cores with them).
                await Task.yield()
            } while cursor != nil
        } catch {
            // Checks keep falling back to the database; the table stays incomplete.
            logger.error("loading stored sessions failed; checks go on against the database",
                         metadata: ["error": "\(error)"])
            state.record(.init(name: "sessions", ok: false, detail: "loading failed after \(loaded): \(error)"))
            try await gracefulShutdown()
            return
        }
        state.record(.init(name: "sessions", ok: true,
                           detail: "\(loaded) live sessions loaded in \((ContinuousClock.now - started).secondsText) s"))
        logger.info("stored sessions loaded", metadata: ["sessions": "\(loaded)"])
        try await gracefulShutdown()
    }
}
