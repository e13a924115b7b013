import RiegelCore
import RiegelService

/// `[sms]`: one-time codes by SMS and the gateways that send them. The
/// defaults of the code, cap and budget settings are the policies'
/// (``SMSChallengePolicy``, ``SMSSendCaps``, ``SecondFactorBudgetPolicy``,
/// ``SMSPolicy``): one source.
public struct SMSConfig: Sendable, Equatable {
    /// Gateway names tried in order (failover); each must be defined.
    public var gatewayOrder = ["outbox"]
    /// Every defined gateway by name, built-ins included.
    public var gateways: [String: SMSGatewayConfig]
    /// ResendChallenge before this is ResendTooSoon.
    public var resendCooldown = ConfigDuration.seconds(SMSChallengePolicy.default.resendCooldown)
    /// Host for the domain-bound `@host #code` line; nil: no such line.
    public var origin: String?
    /// Digits per code.
    public var codeLength = SMSChallengePolicy.default.codeLength
    /// How long a code is valid.
    public var codeTTL = ConfigDuration.seconds(SMSChallengePolicy.default.lifetime)
    /// Wrong codes per challenge before it is spent.
    public var maxAttempts = SMSChallengePolicy.default.maxAttempts
    /// Resends per challenge.
    public var maxResends = SMSChallengePolicy.default.maxResends
    /// Language of messages when the caller names none (`de`, `en`, or a configured template).
    public var defaultLanguage = "de"
    /// The `{product}` in message texts.
    public var productName = "riegel"
    /// Completes national numbers (`"49"`); nil: numbers must be international.
    public var defaultCountryCode: String?
    /// Country codes SMS may go to (default EU/EEA + CH).
    public var allowlist = CountryAllowlist.euEEAAndSwitzerland
    /// Sends per phone, user, country and overall within a window, for the
    /// login and the enrolment budget, and sign-ups with a phone per client.
    public var caps = SMSSendCaps.default
    /// Wrong codes per account across challenges before the second factor
    /// locks; the default (10 per 3 hours, then 30 minutes) is the policy's,
    /// see ``SecondFactorBudgetPolicy`` for why 3 hours.
    public var budget = SecondFactorBudgetPolicy.default
    /// How long a call waits for a gateway (retrying) before `SmsUnavailable`.
    public var sendDeadline = ConfigDuration.seconds(SMSPolicy.defaultSendDeadline)
    /// Message templates by language (`[sms.template.LANG] text = "..."`), built-ins included.
    public var templates: [String: SMSTemplate] = ["de": .german, "en": .english]

    /// The challenge policy these settings describe.
    public var challengePolicy: SMSChallengePolicy {
        get throws(SMSConfigError) {
            try SMSChallengePolicy(codeLength: codeLength, lifetime: codeTTL.seconds, maxAttempts: maxAttempts,
                                   resendCooldown: resendCooldown.seconds, maxResends: maxResends)
        }
    }

    /// The checked message texts these settings describe.
    public var templateSet: SMSTemplateSet {
        get throws(SMSConfigError) {
            try SMSTemplateSet(templates: templates.values.sorted { $0.language < $1.language },
                               defaultLanguage: defaultLanguage, product: productName, origin: origin,
                               codeLength: codeLength, minutes: (try challengePolicy).lifetimeMinutes)
        }
    }

    /// The defaults: only the built-in outbox under `stateDirectory`.
    public init(stateDirectory: String = DaemonConfig().stateDirectory) {
        gateways = SMSGatewayConfig.builtIns(stateDirectory: stateDirectory)
    }

    /// The gateways of ``gatewayOrder``, in that order.
    public var activeGateways: [SMSGatewayConfig] { gatewayOrder.compactMap { gateways[$0] } }

    static func read(_ s: inout ConfigSection, stateDirectory: String) -> SMSConfig {
        var c = SMSConfig(stateDirectory: stateDirectory)
        c.gatewayOrder = s.stringList("gateways", c.gatewayOrder)
        c.resendCooldown = s.duration("resend_cooldown", c.resendCooldown)
        c.origin = s.value("origin", nil) { node in
            ConfigValueError.string(node).flatMap { host in
                let ok = !host.isEmpty && host.count <= 253 && !host.hasPrefix(".") && !host.hasSuffix(".")
                    && host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }
                return ok ? .success(Optional(host))
                    : .failure(.init("\"\(host)\" is not a host name; use the portal's domain, e.g. \"portal.example\""))
            }
        }
        c.codeLength = s.int("code_length", c.codeLength, in: 4...10)
        c.codeTTL = s.duration("code_ttl", c.codeTTL)
        c.maxAttempts = s.int("max_attempts", c.maxAttempts, in: 1...100)
        c.maxResends = s.int("max_resends", c.maxResends, in: 0...100)
        c.defaultLanguage = s.nonEmptyString("default_language", c.defaultLanguage).lowercased()
        c.productName = s.nonEmptyString("product_name", c.productName)
        c.defaultCountryCode = s.value("default_country_code", nil) { node in
            ConfigValueError.string(node).flatMap { code in
                let digits = code.hasPrefix("+") ? String(code.dropFirst()) : code
                return CountryPlans.plan(forCountryCode: digits) != nil ? .success(Optional(digits))
                    : .failure(.init("\"\(code)\" is not a country calling code we have a numbering plan for, e.g. \"49\""))
            }
        }
        if s.has("allowed_country_codes") {
            let codes = s.stringList("allowed_country_codes", [])
            do {
                c.allowlist = try CountryAllowlist(countryCodes: codes)
                if codes.isEmpty { s.report("allowed_country_codes", "is empty, so no SMS could be sent; list codes such as [\"49\", \"43\", \"41\"]") }
            } catch {
                s.report("allowed_country_codes", "\(codes) holds a code we have no numbering plan for; use codes such as \"49\"")
            }
        }
        let perPhone = s.int("cap_per_phone", c.caps.perPhone, in: 1...1_000_000)
        let perUser = s.int("cap_per_user", c.caps.perUser, in: 1...1_000_000)
        let perCountry = s.int("cap_per_country", c.caps.perCountry, in: 1...100_000_000)
        let global = s.int("cap_global", c.caps.global, in: 1...100_000_000)
        let enrolPerPhone = s.int("enrol_cap_per_phone", c.caps.enrolmentPerPhone, in: 1...1_000_000)
        let enrolPerCountry = s.int("enrol_cap_per_country", c.caps.enrolmentPerCountry, in: 1...100_000_000)
        let enrolGlobal = s.int("enrol_cap_global", c.caps.enrolmentGlobal, in: 1...100_000_000)
        let enrolPerClient = s.int("enrol_cap_per_client", c.caps.enrolmentPerClient, in: 1...1_000_000)
        let capWindow = s.duration("cap_window", .seconds(c.caps.window))
        if let caps = try? SMSSendCaps(perPhone: perPhone, perUser: perUser, perCountry: perCountry, global: global,
                                       enrolmentPerPhone: enrolPerPhone, enrolmentPerCountry: enrolPerCountry,
                                       enrolmentGlobal: enrolGlobal, enrolmentPerClient: enrolPerClient,
                                       window: capWindow.seconds) {
            c.caps = caps
        }
        let failures = s.int("failure_limit", c.budget.threshold, in: 1...1000)
        let failureWindow = s.duration("failure_window", .seconds(c.budget.window))
        let lockout = s.duration("failure_lockout", .seconds(c.budget.lockDuration))
        if let budget = try? SecondFactorBudgetPolicy(threshold: failures, window: failureWindow.seconds,
                                                      lockDuration: lockout.seconds) {
            c.budget = budget
        }
        c.sendDeadline = s.duration("send_deadline", c.sendDeadline)
        for (language, var ts) in s.tables("template") {
            let text = ts.nonEmptyString("text", "")
            if !text.isEmpty {
                do {
                    c.templates[language.lowercased()] = try SMSTemplate(language: language.lowercased(), text: text)
                } catch {
                    ts.report("text", "\(error)")
                }
            }
            ts.finish()
        }
        do {
            _ = try c.templateSet
        } catch {
            switch error {
            case .invalidText(setting: "default language", _): s.report("default_language", "\(error)")
            case .invalidText(setting: "product name", _): s.report("product_name", "\(error)")
            case .invalidText(setting: "sms origin", _): s.report("origin", "\(error)")
            default: s.reportSection("\(error)")
            }
        }
        if c.resendCooldown >= c.codeTTL {
            s.report("resend_cooldown", "\(c.resendCooldown) is not shorter than code_ttl (\(c.codeTTL)), so no resend could ever happen; shorten it")
        }
        var written: Set<String> = []  // tables in the file, valid or not
        for (name, var gs) in s.tables("gateway") {
            written.insert(name)
            if let g = SMSGatewayConfig.read(&gs, name: name, base: c.gateways[name], stateDirectory: stateDirectory) {
                c.gateways[name] = g
            }
            gs.finish()
        }
        if c.gatewayOrder.isEmpty {
            s.report("gateways", "is empty; list at least one gateway, e.g. [\"outbox\"]")
        }
        var seen: Set<String> = []
        for name in c.gatewayOrder {
            if !seen.insert(name).inserted {
                s.report("gateways", "\"\(name)\" is listed twice; list each gateway once")
            } else if c.gateways[name] == nil, !written.contains(name) {
                let defined = c.gateways.keys.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
                s.report("gateways", "\"\(name)\" is not defined; add a [sms.gateway.\(name)] table or use one of \(defined)")
            }
        }
        return c
    }
}
