import NIOHTTP1
@testable import RiegelDaemon
import Testing

/// `[metrics] listen`: off by default, `host:port` or `[v6]:port` when set;
/// the endpoint answers only `GET`/`HEAD /metrics`.
@Suite struct MetricsConfigTests {
    @Test func metricsAreOffByDefault() throws {
        #expect(try RiegelConfig.parse(text: "").metrics.listen == nil)
        #expect(try RiegelConfig.parse(text: "[metrics]\n").metrics.listen == nil)
    }

    @Test func anIPv4AndABracketedIPv6AddressAreTaken() throws {
        let v4 = try RiegelConfig.parse(text: "[metrics]\nlisten = \"127.0.0.1:9967\"\n").metrics.listen
        #expect(v4 == .init(host: "127.0.0.1", port: 9967))
        #expect(v4?.description == "127.0.0.1:9967")
        let v6 = try RiegelConfig.parse(text: "[metrics]\nlisten = \"[::1]:9967\"\n").metrics.listen
        #expect(v6 == .init(host: "::1", port: 9967))
        #expect(v6?.description == "[::1]:9967")
        #expect(MetricsConfig.Endpoint.parse("localhost:80") == .init(host: "localhost", port: 80))
    }

    @Test(arguments: ["9967", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "::1:9967", ":9967", "[::1]9967",
                      "127.0.0.1:99x", "a b:1"])
    func aBadAddressIsAProblemNamingTheKeyAndLine(_ text: String) {
        let p = RiegelConfig.check(text: "[metrics]\nlisten = \"\(text)\"\n", fileName: "t.toml")
        #expect(p.count == 1)
        #expect(p.first?.line == 2)
        #expect(p.first?.message.hasPrefix("metrics.listen: \"\(text)\" is not host:port") == true)
    }

    @Test func unknownKeysAreProblems() {
        let p = RiegelConfig.check(text: "[metrics]\nport = 9967\n", fileName: "t.toml")
        #expect(p.count == 1 && p.first?.message.contains("unknown key") == true)
    }

    @Test func onlyGetAndHeadOfSlashMetricsAreServed() {
        #expect(MetricsHTTPHandler.answer(method: .GET, uri: "/metrics").status == .ok)
        #expect(MetricsHTTPHandler.answer(method: .HEAD, uri: "/metrics").serve)
        #expect(MetricsHTTPHandler.answer(method: .GET, uri: "/metrics?x=1").status == .ok)
        #expect(MetricsHTTPHandler.answer(method: .GET, uri: "/").status == .notFound)
        #expect(MetricsHTTPHandler.answer(method: .GET, uri: "/metrics/").status == .notFound)
        let post = MetricsHTTPHandler.answer(method: .POST, uri: "/metrics")
        #expect(post.status == .methodNotAllowed && !post.serve && post.allow == "GET, HEAD")
    }
}
