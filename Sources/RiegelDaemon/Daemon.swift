import Foundation
import Logging
import NIOCore
import NIOPosix
import RiegelCore
import RiegelCrypto
import RiegelPostgres
import RiegelRPC
import RiegelService
import RiegelStore
import ServiceLifecycle
import UnixSignals
import Varlink

/// The composition root: the one place that names concrete types.
///
/// It reads the config, runs the startup checks (each fails closed), takes or
/// binds the socket, tells systemd `READY=1`, and runs the services until
/// SIGTERM/SIGINT.
public enum Daemon {
    /// The version riegeld reports.
    public static let version = RiegelVersion.current

    /// Runs riegeld with the config at `configPath`; returns the exit status.
    public static func main(configPath: String) async -> Int32 {
        let environment = ProcessInfo.processInfo.environment
        let config: RiegelConfig
        do {
            config = try RiegelConfig.load(path: configPath)
        } catch let error as ConfigError {
            for problem in error.problems { writeStderr(problem.description) }
            return 1
        } catch {
            writeStderr("\(configPath): \(error)")
            return 1
        }
        RiegelLogging.bootstrap(level: config.daemon.logLevel, environment: environment)
        let logger = Logger(label: "riegeld")
        let notifier = SystemdNotifier(environment: environment)
        do {
            try await run(config: config, configPath: configPath, environment: environment,
                          notifier: notifier, logger: logger)
            logger.notice("stopped")
            return 0
        } catch {
            logger.critical("riegeld cannot run: \(error)")
            try? notifier.status("failed: \(String(describing: error).split(separator: "\n").first ?? "")")
            return 1
        }
    }

    static func run(config: RiegelConfig, configPath: String, environment: [String: String],
                    notifier: SystemdNotifier, logger: Logger) async throws {
        let clock = SystemWallClock()
        let random = SystemRandom()
        let state = DaemonState(clock: clock)

        // Startup checks, in order; each refuses to start on failure.
        let directory = try StateDirectory.prepare(at: config.daemon.stateDirectory)
        state.record(.init(name: "state_directory", ok: true, detail: directory.path))
        let stores = try openStores(config.storage, directory: directory, environment: environment, random: random)
        state.record(.init(name: "database", ok: true, detail: stores.detail))
        state.record(.init(name: "database_check", ok: true, detail: stores.checkDetail))
        let masterKeyLoader = MasterKeyLoader(environment: environment, stateDirectory: directory.path,
                                              allowDevelopmentKeyFile: config.daemon.allowMasterKeyFile,
                                              random: random)
        // A database with keys never gets a fresh development key: it could not open them.
        let keysStored = try stores.keys.load().masterKeyCheck != nil
        let masterKey = try masterKeyLoader.load(mayCreate: !keysStored)
        let keyRing = try KeyRing.open(masterKey: masterKey, store: stores.keys,
                                       random: random, clock: clock)
        state.record(.init(name: "keys", ok: true,
                           detail: "\(keyRing.keyInfos().count) data keys, master key \(masterKey.id) from \(masterKey.origin)"))

        // Socket activation is read once: the varlink fd and, if passed, the metrics fd.
        let passed = try ListenFDs.take()
        let metricsEndpoint = try MetricsEndpoint.choose(passed: passed, config: config.metrics)
        let metrics = metricsEndpoint?.metrics ?? .off

        let userDatabase = SystemUserDatabase()
        let authorizer = AuthorizerHolder(RoleAuthorizer(roles: config.roleTable, database: userDatabase, logger: logger))
        let components = try UseCaseAssembly.make(config: config, stores: stores, keyRing: keyRing,
                                                  clock: clock, random: random, environment: environment,
                                                  metrics: metrics, logger: logger)
        try await components.accounts.prepare()
        // Loaded after READY=1 (SessionLoaderService); until then checks fall back to the database.
        components.sessions.beginLoading()
        state.record(.init(name: "sessions", ok: true, detail: "loading in the background"))
        state.record(.init(name: "password_hashing", ok: true,
                           detail: "argon2id m=\(config.password.memoryKiB) KiB t=\(config.password.iterations) p=\(config.password.parallelism), \(components.hashing.configuration.workers) workers"))
        for gateway in components.sms.gateway.gateways {
            // Not fatal: a provider down at start may be back before the
            // first code; failover and SmsUnavailable handle it per send.
            do {
                try await gateway.checkReadiness()
                state.record(.init(name: "sms_gateway.\(gateway.name)", ok: true, detail: nil))
            } catch {
                logger.warning("SMS gateway not ready", metadata: ["gateway": "\(gateway.name)", "error": "\(error)"])
                state.record(.init(name: "sms_gateway.\(gateway.name)", ok: false, detail: "\(error)"))
            }
        }
        let keys = KeyAdministration(
            ring: keyRing, store: stores.keyRewrap,
            sealer: KeyRingSealer(keyRing: keyRing, random: random), digester: KeyRingDigester(keyRing: keyRing),
            checkpoints: KeyRingCheckpointSealer(keyRing: keyRing), audit: components.audit, clock: clock, batchSize: config.keys.rewrapBatchSize,
            pause: config.keys.rewrapPause.duration,
            retireGrace: stores.shared ? KeyRingRefreshService.retireGrace : .zero, logger: logger, metrics: metrics)
        let resumed = try await keys.resumeInterrupted()
        let running = try await keys.rewraps().filter { $0.state == .running }.map(\.purpose.rawValue)
        state.record(.init(name: "key_rewrap", ok: true,
                           detail: running.isEmpty ? "none running" : "running: \(running.joined(separator: ", "))"
                               + (resumed.isEmpty ? "" : " (started at start: \(resumed.map(\.rawValue).joined(separator: ", ")))")))
        let masterKeys = MasterKeyService(
            rotator: KeyRingMasterRotator(keyRing: keyRing, loader: masterKeyLoader), audit: components.audit,
            rotated: { result in
                logger.notice("master key rotated; restart riegeld only with the new key", metadata: [
                    "old_master_key_id": "\(result.oldKeyID)", "new_master_key_id": "\(result.newKeyID)",
                    "rewrapped": "\(result.rewrapped)",
                ])
                state.record(.init(name: "keys", ok: true,
                                   detail: "\(keyRing.keyInfos().count) data keys, master key \(result.newKeyID) from \(result.source)"))
            })
        let leftovers = (stores.backup as? SQLiteDatabaseBackup)?.removeLeftovers() ?? 0
        if leftovers > 0 {
            logger.notice("removed backup copies an interrupted Backup left in the state directory",
                          metadata: ["files": "\(leftovers)"])
        }
        let backups = DatabaseBackupService(backup: stores.backup, audit: components.audit)
        let methods = RiegelMethods(status: { state.status() }, accounts: components.accounts,
                                    sessions: components.sessions, devices: components.devices,
                                    access: components.access, sms: components.sms.challenges, clock: clock,
                                    audit: components.audit,
                                    auditReader: components.auditLog, auditExporter: components.auditExporter,
                                    auditKeys: components.checkpointSealer, keys: keys, masterKeys: masterKeys,
                                    backups: backups, metrics: metrics)
        let denials = PermissionDeniedAuditor(audit: components.audit,
                                              interval: config.daemon.permissionDeniedAuditInterval.duration)
        let service = try RiegelRPCService.make(methods: methods, authorizer: { authorizer.get() },
                                                denials: denials, logger: logger)

        // The stores are synchronous (a GRDB write waits for its fsync, a
        // PostgreSQL call for its answer): handler tasks and services run on
        // threads that may wait, not on the cooperative pool (one thread per
        // core, which every other task then waits behind). `blocking_threads = 0`
        // keeps the cooperative pool (for comparison: Benchmarks/blocking_pool_bench.py).
        let blockingWork = config.daemon.blockingThreads == 0
            ? nil : ThreadPoolTaskExecutor(threads: config.daemon.blockingThreads, name: "riegel-io")
        let group = config.daemon.eventLoops == 0
            ? MultiThreadedEventLoopGroup.singleton
            : MultiThreadedEventLoopGroup(numberOfThreads: config.daemon.eventLoops)
        let server = VarlinkServer(service: service, group: group, configuration: .init(
            maxMessageSize: config.daemon.maxMessageSize,
            maxConnections: config.daemon.maxConnections,
            maxConnectionsPerUID: config.daemon.maxConnectionsPerUID,
            idleTimeout: .nanoseconds(Int64(config.daemon.idleConnectionTimeout.seconds * 1e9)),
            writeStallTimeout: .nanoseconds(Int64(config.daemon.writeStallTimeout.seconds * 1e9)),
            maxPendingCalls: config.daemon.maxPendingCalls,
            messageTimeout: .nanoseconds(Int64(config.daemon.messageTimeout.seconds * 1e9)),
            handlerExecutor: blockingWork
        ), logger: logger)
        let listening = try await listen(server, passed: passed, config: config.daemon, logger: logger)
        state.record(.init(name: "socket", ok: true, detail: listening))
        // Its own thread and event loop: a scrape never runs on a varlink loop.
        let metricsServer = try await metricsEndpoint?.start()
        state.record(.init(name: "metrics", ok: true, detail: metricsServer.map { "serving on \($0.address)" } ?? "off"))

        // Trapped now, before READY=1 can go out (see ReloadService).
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        // In order: they stop in reverse.
        var services: [any Service] = [
            // First, so it stops last: it writes the denial counts still open after the server stopped.
            PermissionDeniedAuditService(auditor: denials),
            DatabaseCheckService(check: stores.deferredCheck, state: state, notifier: notifier, logger: logger),
            SessionLoaderService(sessions: components.sessions, state: state, pageSize: 1000, logger: logger),
        ]
        if let makeFeed = stores.sessionChanges {
            services.append(SessionChangeFeedService(
                feed: makeFeed(clock, SessionChangeFeedService.pollInterval(staleness: config.session.sharedCacheStaleness.seconds),
                               logger),
                sessions: components.sessions, logger: logger))
        }
        services += [
            SessionMaintenanceService(sessions: components.sessions, devices: components.devices,
                                      accounts: components.accounts,
                                      flushInterval: config.session.activityFlushInterval.duration,
                                      sweepInterval: .seconds(60), logger: logger),
            SMSDispatcherService(dispatcher: components.sms.dispatcher, challenges: components.sms.challenges,
                                 interval: .seconds(1), purgeInterval: .seconds(300), logger: logger),
            AuditSealService(log: components.auditLog, interval: .seconds(60), logger: logger,
                             retention: config.audit.retention.map {
                                 .init(keep: $0.seconds, batchSize: config.audit.pruneBatchSize, clock: clock,
                                       audit: components.audit)
                             }),
            KeyRewrapService(keys: keys, schedule: config.keys.schedule, clock: clock, poll: .seconds(1), logger: logger),
        ]
        if stores.shared {
            services.append(KeyRingRefreshService(ring: keyRing, logger: logger))
        }
        services.append(RPCServerService(server: server))
        if let metricsServer { services.append(MetricsServerService(server: metricsServer)) }
        services += [
            WatchdogService(environment: environment, notifier: notifier, logger: logger,
                            healthy: { await eventLoopsAnswer(group) }),
            ReloadService(hangups: hangups, configPath: configPath, running: config, authorizer: authorizer, access: components.access,
                          userDatabase: userDatabase, notifier: notifier, state: state, logger: logger),
            LifecycleNotifierService(notifier: notifier, state: state, readyStatus: "serving on \(listening)",
                                     logger: logger),
        ]
        let serviceGroup = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))

        logger.notice("serving", metadata: ["socket": "\(listening)", "version": "\(RiegelVersion.current)"])
        do {
            try await withTaskExecutorPreference(blockingWork) { try await serviceGroup.run() }
        } catch {
            await components.hashing.shutdown()
            try? await components.sms.httpClient?.shutdown()
            if config.daemon.eventLoops != 0 { try? await group.shutdownGracefully() }
            try? stores.close(false)
            throw error
        }
        await components.hashing.shutdown()
        try? await components.sms.httpClient?.shutdown()
        if config.daemon.eventLoops != 0 { try? await group.shutdownGracefully() }
        // Seal the tail of the audit chain, so a stop leaves nothing unsealed.
        do { try components.auditLog.checkpoint() } catch {
            logger.error("audit checkpoint at stop failed", metadata: ["error": "\(error)"])
        }
        // Every check passed and every service stopped: SQLite's clean-stop
        // record lets the next start check the unchanged file after serving.
        do { try stores.close(true) } catch {
            logger.error("closing the database failed", metadata: ["error": "\(error)"])
        }
    }

    /// Opens the database of `[storage] backend` (migrating it) and its stores.
    /// On PostgreSQL the password comes from its file or credential.
    static func openStores(_ storage: StorageConfig, directory: StateDirectory, environment: [String: String],
                           random: any RandomSource) throws -> StoreSet {
        switch storage.backend {
        case .sqlite:
            return try .sqlite(try RiegelDatabase.open(in: directory), directory: directory, random: random)
        case .postgresql:
            let database = try PostgresDatabase.open(try storage.postgresSettings(environment: environment))
            do {
                return try .postgresql(database)
            } catch {
                database.close()
                throw error
            }
        }
    }

    /// Adopts the socket systemd passed (named `varlink`, else fd 3) or binds
    /// `socket_path`; returns a description for logs and `STATUS=`.
    static func listen(_ server: VarlinkServer, passed: ListenFDs.Passed?, config: DaemonConfig,
                       logger: Logger) async throws -> String {
        if let fd = passed?.varlink {
            try ListenFDs.requireListeningUnixStream(fd)
            try await server.adopt(listeningSocket: fd)
            return "socket-activated fd \(fd)"
        }
        let parent = (config.socketPath as NSString).deletingLastPathComponent
        if !parent.isEmpty, !FileManager.default.fileExists(atPath: parent) {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o755])
        }
        try await server.bind(unixPath: config.socketPath, mode: mode_t(config.socketMode))
        return config.socketPath
    }

    /// Whether an event loop still runs work: a wedged loop stops the watchdog pings.
    static func eventLoopsAnswer(_ group: any EventLoopGroup) async -> Bool {
        (try? await group.any().submit { true }.get()) ?? false
    }
}
