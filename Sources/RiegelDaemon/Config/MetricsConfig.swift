/// `[metrics]`: where riegeld serves Prometheus metrics (`GET /metrics`)
/// when systemd does not pass it a socket named `metrics`. Off by default.
public struct MetricsConfig: Sendable, Equatable {
    /// A TCP address to bind: `host:port` (`127.0.0.1:9967`) or `[v6]:port`
    /// (`[::1]:9967`). Nil (the default): no endpoint, unless systemd passes
    /// one (`riegeld-metrics.socket`).
    public var listen: Endpoint?

    /// A host and port to listen on.
    public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
        /// The address, without brackets (`127.0.0.1`, `::1`).
        public var host: String
        /// The TCP port (1–65535).
        public var port: Int

        /// As written in the config (`[::1]:9967` for IPv6).
        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

        /// Parses `host:port` or `[v6]:port`; nil when it is neither.
        public static func parse(_ text: String) -> Endpoint? {
            let host: Substring
            let port: Substring
            if text.hasPrefix("[") {
                guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
                host = text[text.index(after: text.startIndex)..<close]
                port = text[text.index(close, offsetBy: 2)...]
            } else {
                guard let colon = text.lastIndex(of: ":") else { return nil }
                host = text[..<colon]
                port = text[text.index(after: colon)...]
                if host.contains(":") { return nil }  // IPv6 needs brackets
            }
            guard !host.isEmpty, host.allSatisfy({ $0.isLetter || $0.isNumber || ".:-".contains($0) }),
                  port.allSatisfy(\.isASCII), let p = Int(port), (1...65535).contains(p) else { return nil }
            return Endpoint(host: String(host), port: p)
        }
    }

    /// The defaults.
    public init() {}

    static func read(_ s: inout ConfigSection) -> MetricsConfig {
        var c = MetricsConfig()
        c.listen = s.value("listen", nil) { node in
            ConfigValueError.string(node).flatMap { text -> Result<Endpoint?, ConfigValueError> in
                guard let endpoint = Endpoint.parse(text) else {
                    return .failure(.init("\"\(text)\" is not host:port; write e.g. \"127.0.0.1:9967\" or \"[::1]:9967\""))
                }
                return .success(endpoint)
            }
        }
        return c
    }
}
