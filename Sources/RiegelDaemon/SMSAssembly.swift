import AsyncHTTPClient
import Foundation
import Logging
import RiegelCore
import RiegelCrypto
import RiegelService
import RiegelSMS

/// Assembles the SMS second factor from `[sms]`: the gateways of
/// `[sms] gateways` behind one failover gateway, the dispatcher and the
/// challenge service.
struct SMSAssembly {
    let challenges: SMSChallengeService
    let dispatcher: SMSDispatcher
    let gateway: FailoverSMSGateway
    /// The HTTP client of the http gateways (nil without one); shut down at stop.
    let httpClient: HTTPClient?

    /// Builds everything; fails on unusable gateway settings (a missing credential, say).
    static func make(config: SMSConfig, stores: StoreSet, keyRing: KeyRing, clock: any WallClock,
                     random: any RandomSource, audit: AuditRecorder, environment: [String: String],
                     metrics: RiegelMetrics = .off, logger: Logger) throws -> SMSAssembly {
        let needsHTTP = config.activeGateways.contains { if case .http = $0.kind { true } else { false } }
        let httpClient = needsHTTP ? HTTPSMSGateway.makeHTTPClient() : nil
        var gateways: [any SMSGateway] = []
        do {
            for g in config.activeGateways {
                switch g.kind {
                case .outbox(let path):
                    gateways.append(OutboxSMSGateway(name: g.name, path: path, clock: clock))
                case .http(let settings):
                    gateways.append(try HTTPSMSGateway(configuration: settings, httpClient: httpClient!, logger: logger,
                                                       environment: environment))
                case .command(let arguments):
                    gateways.append(CommandSMSGateway(name: g.name, arguments: arguments, timeout: g.timeout.duration,
                                                      logger: logger))
                }
            }
        } catch {
            try? httpClient?.syncShutdown()
            throw StartupError(message: "\(error)")
        }
        let gateway = FailoverSMSGateway(gateways: gateways, logger: logger, metrics: metrics.factory)
        let policy: SMSPolicy
        do {
            policy = SMSPolicy(challenge: try config.challengePolicy, budget: config.budget, caps: config.caps,
                               allowlist: config.allowlist, defaultCountryCode: config.defaultCountryCode,
                               templates: try config.templateSet, sendDeadline: config.sendDeadline.seconds)
        } catch {
            try? httpClient?.syncShutdown()
            throw StartupError(message: "[sms]: \(error)")
        }
        let store = stores.smsChallenges
        let sealer = KeyRingSealer(keyRing: keyRing, random: random)
        let dispatcher = SMSDispatcher(store: store, gateway: gateway, sealer: sealer, clock: clock, policy: policy,
                                       logger: logger)
        let challenges = SMSChallengeService(
            store: store, counters: stores.smsCounters, transactions: stores.transactions, dispatcher: dispatcher,
            sealer: sealer,
            digester: KeyRingDigester(keyRing: keyRing), random: random, clock: clock, policy: policy, audit: audit,
            logger: logger, metrics: metrics)
        return SMSAssembly(challenges: challenges, dispatcher: dispatcher, gateway: gateway, httpClient: httpClient)
    }
}
