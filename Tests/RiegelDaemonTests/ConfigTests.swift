import Foundation
import RiegelCore
import Testing
@testable import RiegelDaemon
import RiegelCore
import RiegelRPC
import RiegelService

/// Problems of `text`, as `LINE: message` strings, for compact assertions.
private func problems(_ text: String) -> [ConfigProblem] {
    RiegelConfig.check(text: text, fileName: "t.toml")
}

private func repoFile(_ relative: String) -> String {
    URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(relative).path
}

@Suite struct ConfigDefaultsTests {
    @Test func emptyFileGivesDefaults() throws {
        let c = try RiegelConfig.parse(text: "", fileName: "empty.toml")
        #expect(c == RiegelConfig())
        #expect(c.daemon.stateDirectory == "/var/lib/riegel")
        #expect(c.daemon.socketPath == "/run/riegel/riegel.sock")
        #expect(c.daemon.eventLoops == 0)
        #expect(c.daemon.blockingThreads == 8)
        #expect(c.roles.portal == [.group("riegel-portal")])
        #expect(c.roles.admin == [.uid(0), .group("riegel-admin")])
        #expect(c.roles.audit == [.uid(0), .group("riegel-audit")])
        #expect(c.session.idleTimeout.seconds == 900)
        #expect(c.session.absoluteTimeout.seconds == 43_200)
        #expect(c.session.activityFlushInterval.seconds == 5)
        #expect(c.session.maxPerUser == 50)
        #expect(c.session.sharedCacheStaleness.seconds == 3)
        #expect(c.session.policy == SessionPolicy())
        #expect(c.resourceClasses["standard"] == ResourceClassConfig(secondFactor: false))
        #expect(c.resourceClasses["health_document"] == ResourceClassConfig(secondFactor: true, secondFactorMaxAge: .minutes(10)))
        #expect(c.sms.gatewayOrder == ["outbox"])
        #expect(c.sms.gateways["outbox"]?.kind == .outbox(path: "/var/lib/riegel/sms-outbox.jsonl"))
        #expect(c.sms.resendCooldown.seconds == 30)
        #expect(c.sms.origin == nil)
        #expect(c.sms.codeLength == 6 && c.sms.codeTTL.seconds == 300)
        #expect(c.sms.maxAttempts == 5 && c.sms.maxResends == 3)
        #expect(c.password.minLength == 8 && c.password.memoryKiB == 19_456)
        #expect(c.password.iterations == 2 && c.password.parallelism == 1 && c.password.blocklist == nil)
        #expect(c.password.hashNice == 10 && c.password.hashingPool.workerNice == 10)
        #expect(!c.password.hashIdle && !c.password.hashingPool.workerIdle)
        // hash_workers = 0: as many as the event loops get (NIO counts a container's CPU limit).
        #expect(c.password.hashWorkers == 0 && c.password.hashingPool.workers == PasswordConfig.defaultHashWorkers)
        #expect(c.throttle.failuresBeforeDelay == 5 && c.throttle.window.seconds == 900)
        #expect(c.throttle.maxDelay.seconds == 900 && c.throttle.lockoutFailures == 20)
        #expect(c.throttle.lockoutWindow.seconds == 3600 && c.throttle.lockoutDuration.seconds == 1800)
        #expect(c.device.lifetime.seconds == 90 * 86_400 && c.device.maxPerUser == 10)
        #expect(c.device.appKeyIdleLifetime.seconds == 180 * 86_400 && c.device.nonceLifetime.seconds == 120)
    }

    /// `[session] shared_cache_staleness` reaches the session policy; a bad value is located.
    @Test func sharedCacheStalenessIsReadIntoThePolicy() throws {
        let c = try RiegelConfig.parse(text: "[session]\nshared_cache_staleness = \"0.5s\"\n", fileName: "t.toml")
        #expect(c.session.policy.sharedCacheStaleness == 0.5)
        #expect(problems("[session]\nshared_cache_staleness = \"0s\"\n").map(\.line) == [2])
    }

    /// The default sections make the policies' defaults: one source each.
    @Test func defaultSectionsMakeTheDefaultPolicies() throws {
        let c = RiegelConfig()
        let throttle = try c.throttle.loginThrottle
        #expect(throttle.accountPolicy == .accountDefault)
        #expect(throttle.clientPolicy == .clientAddressDefault)
        #expect(c.device.policy == DevicePolicy())
        #expect(try c.sms.challengePolicy == .default)
    }

    @Test func outboxDefaultFollowsStateDirectory() throws {
        let c = try RiegelConfig.parse(text: "[daemon]\nstate_directory = \"/srv/r\"\n")
        #expect(c.sms.gateways["outbox"]?.kind == .outbox(path: "/srv/r/sms-outbox.jsonl"))
    }

    @Test(arguments: ["config/riegel.toml", "config/dev.toml"])
    func exampleFilesLoad(_ file: String) throws {
        #expect(RiegelConfig.check(path: repoFile(file)) == [])
        _ = try RiegelConfig.load(path: repoFile(file))
    }

    @Test func exampleFileShowsTheDefaults() throws {
        var c = try RiegelConfig.load(path: repoFile("config/riegel.toml"))
        #expect(c.sms.gateways["kannel"] != nil)
        c.sms.gateways["kannel"] = nil
        #expect(c == RiegelConfig())
    }

    /// Values the file shows as comments under "(defaults shown)" are the
    /// defaults too: uncommented, they leave the config as it was.
    @Test func exampleFileCommentedDefaultsAreTheDefaults() throws {
        let example = try String(contentsOfFile: repoFile("config/riegel.toml"), encoding: .utf8)
        var lines = example.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var (shown, taken) = (false, 0)
        var uncommented: [String] = []
        for (i, line) in lines.enumerated() {
            if line.hasPrefix("#"), line.contains("(defaults shown)") { (shown, taken) = (true, 0); continue }
            guard shown else { continue }
            let key = line.dropFirst(2).prefix { $0 == "_" || ("a"..."z").contains($0) }
            let isKey = line.hasPrefix("# ") && !key.isEmpty && line.dropFirst(2 + key.count).hasPrefix(" = ")
            if isKey {
                lines[i] = String(line.dropFirst(2))
                uncommented.append(lines[i])
                taken += 1
            } else if !line.hasPrefix("#") || taken > 0 {
                shown = false  // prose after the marker is skipped; the first line after the keys ends them
            }
        }
        #expect(uncommented.count >= 4, "no commented defaults found: \(uncommented)")
        var c = try RiegelConfig.parse(text: lines.joined(separator: "\n"), fileName: "riegel.toml")
        c.sms.gateways["kannel"] = nil
        #expect(c == RiegelConfig(), "a commented default differs: \(uncommented)")
    }

    /// Keeps config/riegel.toml the complete reference: a key added to the
    /// schema must be shown there (set or as a `# key = ...` comment).
    @Test func exampleFileDocumentsEveryKey() throws {
        let example = try String(contentsOfFile: repoFile("config/riegel.toml"), encoding: .utf8)
        let everyGatewayType = example + """

            [sms.gateway.t1]
            type = "command"
            command = ["x"]
            [sms.gateway.t2]
            type = "http"
            url = "http://x/"
            """
        let paths = RiegelConfig.schemaKeyPaths(text: everyGatewayType)
        #expect(paths.count > 40)
        let undocumented = paths.filter { path in
            let key = path.last!
            return !example.contains("\n\(key) =") && !example.contains("\n# \(key) =") && !example.contains("[\(path.joined(separator: "."))")
                && !example.contains("\(key) = {") && !example.contains("\(key) = [")
        }
        #expect(undocumented.isEmpty, "not in config/riegel.toml: \(undocumented.map { $0.joined(separator: ".") }.sorted())")
    }

    @Test func devFileUsesRelativePaths() throws {
        let c = try RiegelConfig.load(path: repoFile("config/dev.toml"))
        #expect(c.daemon.stateDirectory == "./run/state")
        #expect(c.daemon.socketPath == "./run/riegel.sock")
        #expect(c.sms.gateways["outbox"]?.kind == .outbox(path: "./run/state/sms-outbox.jsonl"))
        #expect(c.roles.admin.contains(.uid(0)))
    }

    @Test func missingFileIsAProblem() {
        let p = RiegelConfig.check(path: "/nonexistent/riegel.toml")
        #expect(p.count == 1)
        #expect(p.first?.line == 0)
        #expect(p.first?.description.hasPrefix("/nonexistent/riegel.toml:0: cannot read") == true)
        #expect(throws: ConfigError.self) { try RiegelConfig.load(path: "/nonexistent/riegel.toml") }
    }
}

@Suite struct ConfigProblemTests {
    @Test func tomlSyntaxErrorHasItsLine() {
        let p = problems("[daemon]\nstate_directory = \"/x\"\nsocket_path = = 3\n")
        #expect(p.count == 1)
        #expect(p.first?.line == 3)
        #expect(p.first?.message.hasPrefix("not valid TOML") == true)
    }

    @Test func unknownTopLevelKey() {
        let p = problems("# c\n\nfrobnicate = 1\n[session]\nidle_timeout = \"5m\"\n")
        #expect(p.map(\.description) == [
            "t.toml:3: frobnicate: unknown key; allowed in the top level: daemon, storage, roles, session, password, throttle, device, factors, keys, audit, metrics, sms, resource_class",
        ])
    }

    @Test func unknownTable() {
        let p = problems("[session]\nidle_timeout = \"5m\"\n\n[sesion]\nmax_per_user = 3\n")
        #expect(p.map(\.line) == [4])
        #expect(p.first?.message.hasPrefix("sesion: unknown key") == true)
    }

    @Test func unknownNestedKey() {
        let p = problems("[session]\nidle_timeout = \"5m\"\nidle_timout = \"5m\"\n")
        #expect(p.map(\.description) == [
            "t.toml:3: session.idle_timout: unknown key; allowed in [session]: idle_timeout, absolute_timeout, activity_flush_interval, max_per_user, shared_cache_staleness",
        ])
    }

    @Test func badDuration() {
        let p = problems("[session]\n\nidle_timeout = \"15x\"\n")
        #expect(p.map(\.description) == [
            #"t.toml:3: session.idle_timeout: "15x" is not a duration; use a number with s, m, h or d, e.g. "15m""#,
        ])
    }

    @Test func badPrincipal() {
        let p = problems("[roles]\nportal = [\"group:ok\"]\nadmin = [\n  \"uid:0\",\n  \"wheel\",\n]\n")
        #expect(p.count == 1)
        #expect(p.first?.line == 3)
        #expect(p.first?.message.contains(#"admin: item 2: "wheel" is not a principal; use "uid:N""#) == true)
    }

    @Test func wrongType() {
        let p = problems("[session]\nmax_per_user = \"50\"\n[resource_class.x]\nsecond_factor = \"yes\"\n")
        #expect(p.map(\.description) == [
            #"t.toml:2: session.max_per_user: expected an integer from 1 to 10000, got a string "50""#,
            #"t.toml:4: resource_class.x.second_factor: expected true or false, got a string "yes""#,
        ])
    }

    @Test func resourceClassNameOutsideTheNamingRule() {
        let p = problems("[session]\nmax_per_user = 5\n\n[resource_class.Health]\nsecond_factor = true\n[resource_class.\"a\tb\"]\n")
        #expect(p.map(\.description) == [
            "t.toml:4: resource_class.Health: a resource class name starts with a lowercase letter a-z (rename the table)",
            "t.toml:6: resource_class.aU+0009b: a resource class name has only lowercase letters a-z, digits 0-9 and _ - . (rename the table)",
        ])
    }

    @Test func gatewayListedButUndefined() {
        let p = problems("[sms]\norigin = \"a.example\"\ngateways = [\"outbox\", \"kannel\"]\n")
        #expect(p.map(\.description) == [
            #"t.toml:3: sms.gateways: "kannel" is not defined; add a [sms.gateway.kannel] table or use one of "outbox""#,
        ])
    }

    @Test func httpGatewayWithoutURL() {
        let p = problems("[sms]\ngateways = [\"kannel\"]\n\n[sms.gateway.kannel]\ntype = \"http\"\ntimeout = \"5s\"\n")
        #expect(p.map(\.line) == [4])
        #expect(p.last?.message == #"sms.gateway.kannel: an http gateway needs url = "http://HOST:PORT/PATH""#)
    }

    @Test func gatewayKeyOfAnotherType() {
        let p = problems("[sms.gateway.outbox]\ntype = \"outbox\"\nurl = \"http://x/\"\n")
        #expect(p.map(\.line) == [3])
        #expect(p.first?.message.hasPrefix("sms.gateway.outbox.url: unknown key") == true)
    }

    @Test func unknownGatewayTypeAndPlaceholder() {
        let p = problems("""
            [sms.gateway.a]
            type = "smpp"
            [sms.gateway.b]
            type = "http"
            url = "http://127.0.0.1/send"
            query = { to = "{to}", text = "{txt}" }
            """)
        #expect(p.map(\.line) == [2, 6])
        #expect(p.first?.message == #"sms.gateway.a.type: "smpp" is not a gateway type; use "outbox", "http" or "command""#)
        #expect(p.last?.message == "sms.gateway.b.query: text: unknown placeholder {txt}; use {to}, {text}, {credential}")
    }

    @Test func severalProblemsAreAllReportedInLineOrder() {
        let p = problems("""
            [daemon]
            log_level = "loud"
            [session]
            idle_timeout = "0s"
            absolute_timeout = "-1h"
            [password]
            min_length = 0
            colour = "blue"
            """)
        #expect(p.map(\.line) == [2, 4, 5, 7, 8])
        #expect(p[1].message == #"session.idle_timeout: "0s" must be greater than zero; use a number with s, m, h or d, e.g. "15m""#)
    }

    @Test func crossFieldChecks() {
        let p = problems("""
            [session]
            idle_timeout = "13h"
            [sms]
            gateways = []
            resend_cooldown = "5m"
            [daemon]
            socket_path = "/\(String(repeating: "x", count: 120))"
            [password]
            blocklist = ""
            """)
        #expect(p.map(\.line) == [2, 4, 5, 7, 9])
    }

    @Test func dottedAndQuotedKeysAreLocated() {
        let p = problems("""
            session.idle_timeout = "5m"
            session.bogus = 1
            [sms.gateway."my gw"]
            type = "command"
            command = []
            """)
        #expect(p.map(\.line) == [2, 5])
        #expect(p.last?.message.hasPrefix(#"sms.gateway."my gw".command: a command gateway needs"#) == true)
    }

    @Test func multiLineValuesDoNotConfuseTheLocator() {
        let p = problems("""
            [sms]
            gateways = [
              "outbox",
            ]
            x = \"\"\"
            max_attempts = 1
            \"\"\"
            max_attempts = 0
            """)
        #expect(p.map(\.line) == [5, 8])
    }

    /// toml++ (in TOMLKit) asserts, and so aborts the process, on a table
    /// header whose first character cannot start a key (found by the config
    /// fuzzer, docs/reliability.md): riegel refuses those with their line
    /// before TOMLKit parses. Without the check each of these kills the test run.
    @Test(arguments: [
        ("[~a]\n", 1),
        ("[session]\nidle_timeout = \"5m\"\n[[~a]]\n", 3),
        ("[ ~a]\n", 1),
        ("[[ ~a]]\n", 1),
        ("[[[a]]]\n", 1),
        ("# c\n[\n", 2),
        ("[\r\n", 1),
        ("\u{FEFF}[~a]\n", 1),
        ("[\u{301}a]\n", 1),
        ("x = 1\n[+a]\n", 2),
    ])
    func headersThatWouldAbortTOMLKitAreRefusedWithTheirLine(text: String, line: Int) {
        let p = problems(text)
        #expect(p.map(\.line) == [line])
        #expect(p.first?.message.hasPrefix("not valid TOML: a table header must start with a key") == true)
        #expect(throws: ConfigError.self) { try RiegelConfig.parse(text: text) }
    }

    @Test func theInputTheFuzzerFoundIsRefusedNotAnAbort() throws {
        let text = try String(contentsOfFile: repoFile("Fuzz/Findings/config-toml-assert-tilde-table.toml"), encoding: .utf8)
        #expect(problems(text).map(\.line) == [1])
    }

    /// Each of these aborted the process in toml++'s `parse_value` (an
    /// assertion that no array element starts with a value terminator).
    @Test(arguments: [
        ("a = [}]\n", 1),
        ("x = 1\na = [ # c\n }]\n", 3),
        ("a = [{},}]\n", 1),
        ("a = { b = [}] }\n", 1),
        ("a = [[}]]\n", 1),
        ("a = [1 , }\n", 1),
    ])
    func aBraceWhereAnArrayElementIsExpectedIsRefusedWithItsLine(text: String, line: Int) {
        let p = problems(text)
        #expect(p.map(\.line) == [line])
        #expect(p.first?.message == "not valid TOML: '}' where an array element is expected")
        #expect(throws: ConfigError.self) { try RiegelConfig.parse(text: text) }
    }

    /// Braces that toml++ reads itself stay its business (or are fine).
    @Test func bracesAfterAnElementOrInsideStringsAreLeftToTheParser() throws {
        #expect(!problems("[roles]\nportal = [\"uid:1\", \"}\"]\n").contains { $0.message.contains("where an array element") })
        #expect(!problems("a = [1 }]\n").contains { $0.message.contains("where an array element is expected") })
        #expect(!problems("a = [{ b = 1 }]\n").contains { $0.message.contains("where an array element is expected") })
    }

    @Test func theArrayBraceInputsTheFuzzerFoundAreRefusedNotAnAbort() throws {
        for name in ["config-toml-assert-array-brace.toml", "config-toml-assert-array-brace-fuzzed.toml"] {
            // Read as the loader reads a file the fuzzer made: not UTF-8 in places.
            let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: repoFile("Fuzz/Findings/\(name)"))),
                              as: UTF8.self)
            #expect(problems(text).contains { $0.message.contains("where an array element is expected") }, "\(name)")
        }
    }

    /// Lines that start with `[` inside a value are no headers: TOMLKit reads them.
    @Test func bracketLinesInsideValuesAreNotTakenForHeaders() {
        let p = problems("x = [\n[+1],\n  [ {a = 1} ],\n]\ny = \"\"\"\n[~ text\n\"\"\"\n[session]\nidle_timeout = \"5m\"\n")
        #expect(p.map(\.line) == [1, 5])
        #expect(p.allSatisfy { !$0.message.hasPrefix("not valid TOML") })
    }
}

@Suite struct ConfigValueTests {
    @Test func builtInResourceClassesSurviveAndCanBeOverridden() throws {
        let c = try RiegelConfig.parse(text: """
            [resource_class.health_document]
            second_factor_max_age = "2m"
            [resource_class.claims]
            second_factor = true
            """)
        #expect(c.resourceClasses["standard"] == ResourceClassConfig(secondFactor: false))
        #expect(c.resourceClasses["health_document"] == ResourceClassConfig(secondFactor: true, secondFactorMaxAge: .minutes(2)))
        #expect(c.resourceClasses["claims"] == ResourceClassConfig(secondFactor: true))
        let off = try RiegelConfig.parse(text: "[resource_class.standard]\nsecond_factor = true\n")
        #expect(off.resourceClasses["standard"]?.secondFactor == true)
    }

    @Test func resourceClassCatalogHasTheBuiltInsTheOverridesAndTheAddedClasses() throws {
        let c = try RiegelConfig.parse(text: """
            [resource_class.health_document]
            second_factor_max_age = "2m"
            [resource_class.claims]
            second_factor = true
            [resource_class.newsletter]
            second_factor = false
            """).resourceClassCatalog()
        #expect(c.names == ["claims", "health_document", "newsletter", "standard"])
        #expect(c.resourceClass(named: "health_document") == (try ResourceClass(
            name: "health_document", needsSecondFactor: true, secondFactorMaxAge: 120)))
        #expect(c.resourceClass(named: "claims") == (try ResourceClass(name: "claims", needsSecondFactor: true)))
        #expect(c.resourceClass(named: "standard") == .standard)
        #expect(try RiegelConfig().resourceClassCatalog() == ResourceClassCatalog())
    }

    @Test func hostileClientLimitsAreReadAndCheckedWithSafeDefaults() throws {
        let defaults = RiegelConfig().daemon
        #expect(defaults.maxPendingCalls == 64 && defaults.messageTimeout.seconds == 10)
        let c = try RiegelConfig.parse(text: "[daemon]\nmax_pending_calls = 8\nmessage_timeout = \"2s\"\n").daemon
        #expect(c.maxPendingCalls == 8 && c.messageTimeout.seconds == 2)
        #expect(problems("[daemon]\nmax_pending_calls = 0\n").map(\.description) == [
            "t.toml:2: daemon.max_pending_calls: 0 is out of range; use an integer from 1 to 4096",
        ])
        #expect(problems("[daemon]\nmessage_timeout = \"0s\"\n").first?.line == 2)
    }

    @Test func hashNiceReachesThePoolAndStaysWithinNiceValues() throws {
        #expect(try RiegelConfig.parse(text: "[password]\nhash_nice = 0\n").password.hashingPool.workerNice == 0)
        #expect(problems("[password]\nhash_nice = 20\n").map(\.description) == [
            "t.toml:2: password.hash_nice: 20 is out of range; use an integer from 0 to 19",
        ])
    }

    @Test func hashIdleReachesThePoolAndIsABoolean() throws {
        #expect(try RiegelConfig.parse(text: "[password]\nhash_idle = true\n").password.hashingPool.workerIdle)
        #expect(problems("[password]\nhash_idle = 1\n").map(\.description) == [
            "t.toml:2: password.hash_idle: expected true or false, got an integer 1",
        ])
    }

    @Test func blockingThreadsAreReadAndZeroMeansTheCooperativePool() throws {
        #expect(try RiegelConfig.parse(text: "[daemon]\nblocking_threads = 0\n").daemon.blockingThreads == 0)
        #expect(try RiegelConfig.parse(text: "[daemon]\nblocking_threads = 32\n").daemon.blockingThreads == 32)
        #expect(problems("[daemon]\nblocking_threads = 257\n").map(\.description) == [
            "t.toml:2: daemon.blocking_threads: 257 is out of range; use an integer from 0 to 256",
        ])
    }

    @Test func eventLoopsAreReadAndOutOfRangeCountsAreReported() throws {
        #expect(try RiegelConfig.parse(text: "[daemon]\nevent_loops = 1\n").daemon.eventLoops == 1)
        #expect(problems("[daemon]\nevent_loops = -1\n").map(\.description) == [
            "t.toml:2: daemon.event_loops: -1 is out of range; use an integer from 0 to 1024",
        ])
        #expect(problems("[daemon]\n\nevent_loops = \"two\"\n").first?.line == 3)
    }

    @Test func builtInOutboxCanBeOverriddenByName() throws {
        let c = try RiegelConfig.parse(text: "[sms.gateway.outbox]\npath = \"/tmp/o.jsonl\"\ntimeout = \"1s\"\n")
        #expect(c.sms.gateways["outbox"] == SMSGatewayConfig(name: "outbox", timeout: .seconds(1), kind: .outbox(path: "/tmp/o.jsonl")))
    }

    @Test func httpGatewayIsRead() throws {
        let c = try RiegelConfig.parse(text: """
            [sms]
            gateways = ["kannel", "outbox"]
            [sms.gateway.kannel]
            type = "http"
            url = "http://127.0.0.1:13013/cgi-bin/sendsms"
            form = { to = "{to}", text = "{text}" }
            headers = { Authorization = "Bearer {credential}" }
            success_status = [200, 202]
            credential = "kannel"
            """)
        guard case .http(let h)? = c.sms.gateways["kannel"]?.kind else {
            Issue.record("not an http gateway")
            return
        }
        #expect(h.method == "POST")
        #expect(h.form == ["to": "{to}", "text": "{text}"])
        #expect(h.successStatus == [200, 202])
        #expect(c.sms.activeGateways.map(\.name) == ["kannel", "outbox"])
    }

    @Test(arguments: [("2s", 2.0), ("15m", 900), ("12h", 43_200), ("90d", 7_776_000), ("1.5h", 5400)])
    func durationsParse(_ text: String, _ seconds: Double) {
        #expect(ConfigDuration.parse(text)?.seconds == seconds)
    }

    @Test(arguments: ["0s", "-5m", "0", "15", "15x", "m", "", " 5m", "5 m", "1e3s", "abc"])
    func badDurationsAreRejected(_ text: String) {
        #expect(ConfigDuration.parse(text) == nil)
        #expect(problems("[session]\nidle_timeout = \"\(text)\"\n").map(\.line) == [2])
    }

    @Test func absurdDurationsAreRejectedNotTrapped() {
        #expect(ConfigDuration.parse("99999999999999999999d") == nil)
        #expect(problems("[session]\nabsolute_timeout = \"99999999999d\"\n").map(\.message)
            == [#"session.absolute_timeout: "99999999999d" is too long; use at most 36500d"#])
    }

    @Test func crlfFilesGetTheRightLines() {
        #expect(problems("[session]\r\n\r\nidle_timeout = \"x\"\r\n").map(\.line) == [3])
    }

    @Test func durationMustBeAString() {
        #expect(problems("[sms]\ncode_ttl = 300\n").first?.message
            == #"sms.code_ttl: expected a duration string, got an integer 300; use a number with s, m, h or d, e.g. "15m""#)
    }

    @Test func principalsParse() {
        #expect(Principal(parsing: "uid:1000") == .uid(1000))
        #expect(Principal(parsing: "user:alice") == .user("alice"))
        #expect(Principal(parsing: "group:riegel-portal") == .group("riegel-portal"))
        for bad in ["uid:", "uid:-1", "uid:x", "user:", "group:a b", "gid:1", "alice", "group:-x"] {
            #expect(Principal(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func durationDescription() {
        #expect(ConfigDuration.minutes(15).description == "15m")
        #expect(ConfigDuration.seconds(90).description == "90s")
        #expect(ConfigDuration.days(90).description == "90d")
    }
}

@Suite struct DeviceConfigTests {
    @Test func deviceKeysAreRead() throws {
        let c = try RiegelConfig.parse(text: """
            [device]
            lifetime = "30d"
            app_key_idle_lifetime = "365d"
            max_per_user = 3
            nonce_lifetime = "45s"
            """)
        #expect(c.device.lifetime.seconds == 30 * 86_400)
        #expect(c.device.appKeyIdleLifetime.seconds == 365 * 86_400)
        #expect(c.device.maxPerUser == 3)
        #expect(c.device.nonceLifetime.seconds == 45)
        #expect(c.device.policy == DevicePolicy(browserLifetime: 30 * 86_400, appKeyIdleLifetime: 365 * 86_400,
                                                maxPerUser: 3, nonceLifetime: 45))
    }

    @Test func badDeviceValuesAreReportedWithTheirLines() {
        let p = problems("[device]\nlifetime = \"0d\"\nmax_per_user = 0\n\nnonce_lifetime = \"1h\"\nremember = true\n")
        #expect(p.map(\.line) == [2, 3, 5, 6])
        #expect(p[1].message == "device.max_per_user: 0 is out of range; use an integer from 1 to 1000")
        #expect(p[2].message.hasPrefix("device.nonce_lifetime: 1h is longer than 10m"))
        #expect(p[3].message.hasPrefix("device.remember: unknown key; allowed in [device]: lifetime, app_key_idle_lifetime, max_per_user, nonce_lifetime"))
    }
}

@Suite struct ConfigGatewayProblemTests {
    @Test func anInvalidListedGatewayIsReportedOnce() {
        let p = problems("[sms]\ngateways = [\"k\"]\n[sms.gateway.k]\ntype = \"http\"\nurl = \"ftp://x\"\n")
        #expect(p.map(\.description) == [
            #"t.toml:5: sms.gateway.k.url: "ftp://x" is not an http(s) URL; use e.g. "http://127.0.0.1:13013/cgi-bin/sendsms""#,
        ])
    }

    @Test func gatewayWithoutTypeIsReported() {
        let p = problems("[sms.gateway.k]\nurl = \"http://x/\"\n")
        #expect(p.map(\.description) == [#"t.toml:1: sms.gateway.k: a gateway needs a type; add type = "outbox", "http" or "command""#])
    }

    @Test func credentialPlaceholderNeedsACredential() {
        let p = problems("[sms.gateway.k]\ntype = \"http\"\nurl = \"http://x/\"\nheaders = { Authorization = \"Bearer {credential}\" }\n")
        #expect(p.map(\.line) == [4])
    }
}

/// The SMS policy keys of issue 5: read into the core's checked values, and
/// every refusal located and explained.
@Suite struct SMSPolicyConfigTests {
    private func load(_ text: String) throws -> RiegelConfig {
        try RiegelConfig.parse(text: text, fileName: "t.toml")
    }

    @Test func policyKeysAreRead() throws {
        let c = try load("""
            [sms]
            default_language = "EN"
            product_name = "Kundenportal"
            default_country_code = "+43"
            allowed_country_codes = ["43", "+49"]
            cap_per_phone = 2
            cap_per_user = 3
            cap_per_country = 4
            cap_global = 5
            cap_window = "2h"
            failure_limit = 6
            failure_window = "3h"
            failure_lockout = "1h"
            send_deadline = "3s"
            [sms.template.fr]
            text = "{code} est votre code {product}, valable {minutes} minutes."
            """)
        #expect(c.sms.defaultLanguage == "en")
        #expect(c.sms.productName == "Kundenportal")
        #expect(c.sms.defaultCountryCode == "43")
        #expect(c.sms.allowlist.countryCodes == ["43", "49"])
        #expect(c.sms.caps == (try SMSSendCaps(perPhone: 2, perUser: 3, perCountry: 4, global: 5, window: 7200)))
        #expect(c.sms.budget == (try SecondFactorBudgetPolicy(threshold: 6, window: 10800, lockDuration: 3600)))
        #expect(c.sms.sendDeadline.seconds == 3)
        let templates = try c.sms.templateSet
        #expect(Set(templates.templates.keys) == ["de", "en", "fr"])
        #expect(templates.product == "Kundenportal")
    }

    @Test func badPolicyValuesAreLocatedAndExplained() {
        let p = problems("""
            [sms]
            cap_per_phone = 0
            allowed_country_codes = ["999"]
            default_country_code = "999"
            default_language = "xx"
            [sms.template.en]
            text = "Your code for 2024 is {code}"
            """)
        #expect(p.map(\.line) == [2, 3, 4, 5, 7])
        #expect(p.contains { $0.message.hasPrefix("sms.cap_per_phone:") })
        #expect(p.contains { $0.message.hasPrefix("sms.allowed_country_codes:") && $0.message.contains("numbering plan") })
        #expect(p.contains { $0.message.hasPrefix("sms.default_country_code:") })
        #expect(p.contains { $0.message.contains("sms.template.en.text") })
        #expect(p.contains { $0.message.contains("default language") && $0.message.contains("xx") })
    }
}

/// `[keys]` (issue 12): the schedule as one duration or per purpose, and the
/// re-wrap's pace; a wrong purpose or type is located and explained.
@Suite struct KeysConfigTests {
    private func load(_ text: String) throws -> RiegelConfig {
        try RiegelConfig.parse(text: text, fileName: "t.toml")
    }

    @Test func noScheduleByDefault() throws {
        let c = try load("")
        #expect(c.keys.rotateAfter.isEmpty)
        #expect(c.keys.schedule.due(keys: [], running: [], now: Instant(secondsSinceEpoch: 0)).isEmpty)
    }

    @Test func oneDurationAppliesToEveryPurpose() throws {
        let c = try load("[keys]\nrotate_after = \"90d\"\nrewrap_batch_size = 50\nrewrap_pause = \"1s\"\n")
        #expect(c.keys.rotateAfter == Dictionary(uniqueKeysWithValues: KeyPurpose.allCases.map { ($0, .days(90)) }))
        #expect(c.keys.rewrapBatchSize == 50)
        #expect(c.keys.rewrapPause == .seconds(1))
    }

    @Test func aTableSetsPurposesOneByOne() throws {
        let c = try load("[keys]\nrotate_after = { pii = \"30d\", audit = \"365d\" }\n")
        #expect(c.keys.rotateAfter == [.pii: .days(30), .audit: .days(365)])
        #expect(c.keys.schedule.rotateAfter == [.pii: 30 * 86_400, .audit: 365 * 86_400])
    }

    @Test func anUnknownPurposeOrABadValueIsReported() {
        let p = problems("[keys]\nrotate_after = { email = \"30d\" }\n")
        #expect(p.map(\.description) == ["t.toml:2: keys.rotate_after: email is not a key purpose; use password, pii, otp, audit"])
        let q = problems("[keys]\nrotate_after = 90\nrewrap_batch_size = 0\n")
        #expect(q.count == 2)
        #expect(q.first?.message.contains("expected a duration such as \"90d\"") == true)
        #expect(q.last?.message.contains("rewrap_batch_size") == true)
    }
}

@Suite struct FactorsConfigTests {
    @Test func defaultsAreTheCoreOnes() {
        let c = RiegelConfig()
        #expect(c.factors.totpIssuer == TOTPPolicy.default.issuer)
        #expect(c.factors.recoveryCodes == RecoveryCode.defaultCount)
    }

    @Test func factorKeysAreRead() throws {
        let c = try RiegelConfig.parse(text: """
            [factors]
            totp_issuer = "Versicherung Nord"
            recovery_codes = 12
            """)
        #expect(c.factors.totpIssuer == "Versicherung Nord")
        #expect(c.factors.totpPolicy.issuer == "Versicherung Nord")
        #expect(c.factors.recoveryCodes == 12)
    }

    @Test func badFactorValuesAreReportedWithTheirLines() {
        let p = problems("[factors]\ntotp_issuer = \"a:b\"\nrecovery_codes = 50\n")
        #expect(p.map(\.line) == [2, 3])
        #expect(p[0].message.hasPrefix("factors.totp_issuer: use at most 64 characters, without ':'"))
        #expect(p[1].message == "factors.recovery_codes: 50 is out of range; use an integer from 5 to 20")
    }
}
