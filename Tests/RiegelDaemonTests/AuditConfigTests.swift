@testable import RiegelDaemon
import Testing

/// `[audit] syslog`: off by default, an absolute socket path when set.
@Suite struct AuditConfigTests {
    @Test func syslogIsOffByDefault() throws {
        #expect(try RiegelConfig.parse(text: "").audit.syslog == nil)
        #expect(try RiegelConfig.parse(text: "[audit]\n").audit.syslog == nil)
    }

    @Test func retentionIsOffByDefaultAndTakesADuration() throws {
        let defaults = try RiegelConfig.parse(text: "")
        #expect(defaults.audit.retention == nil)
        #expect(defaults.audit.pruneBatchSize == 1000)
        let set = try RiegelConfig.parse(text: "[audit]\nretention = \"400d\"\nprune_batch_size = 50\n")
        #expect(set.audit.retention == .days(400))
        #expect(set.audit.pruneBatchSize == 50)
    }

    @Test func aBadRetentionIsAProblemNamingTheKey() {
        let p = RiegelConfig.check(text: "[audit]\nretention = \"400\"\nprune_batch_size = 0\n", fileName: "t.toml")
        #expect(p.map(\.line) == [2, 3])
        #expect(p.first?.message.hasPrefix("audit.retention: \"400\" is not a duration") == true)
        #expect(p.last?.message.hasPrefix("audit.prune_batch_size:") == true)
    }

    @Test func anAbsolutePathIsTaken() throws {
        #expect(try RiegelConfig.parse(text: "[audit]\nsyslog = \"/dev/log\"\n").audit.syslog == "/dev/log")
    }

    @Test func aRelativePathIsAProblemNamingTheKeyAndLine() {
        let p = RiegelConfig.check(text: "[daemon]\n[audit]\nsyslog = \"dev/log\"\n", fileName: "t.toml")
        #expect(p.count == 1)
        #expect(p.first?.description == #"t.toml:3: audit.syslog: "dev/log" is not an absolute path; give the syslog socket's full path, e.g. "/dev/log""#)
    }

    @Test func otherBadValuesAreProblemsToo() {
        let long = "/" + String(repeating: "x", count: 120)
        let p = RiegelConfig.check(text: "[audit]\nsyslog = \"\(long)\"\nsink = \"x\"\n[audit2]\n", fileName: "t.toml")
        #expect(p.map(\.line) == [2, 3, 4])
        #expect(p[0].message.hasPrefix("audit.syslog: is 121 bytes long"))
        #expect(p[1].message.hasPrefix("audit.sink: unknown key; allowed in [audit]: retention, prune_batch_size, syslog"))
        #expect(RiegelConfig.check(text: "[audit]\nsyslog = 3\n").first?.message
                    .hasPrefix("audit.syslog: expected a string") == true)
    }
}
