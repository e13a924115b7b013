import Metrics
import Prometheus
import RiegelRPC
import RiegelService

/// The choice of metrics backend, made here and nowhere else: Prometheus
/// when riegeld has somewhere to serve it (a passed `metrics` fd, else
/// `[metrics] listen`), nothing otherwise (``RiegelMetrics/off``, and no
/// call is timed).
struct MetricsEndpoint {
    /// Where the endpoint listens.
    enum Source {
        /// The fd systemd passed as `metrics`.
        case passed(Int32)
        /// `[metrics] listen`.
        case bound(MetricsConfig.Endpoint)
    }

    let source: Source
    let registry: PrometheusCollectorRegistry
    /// What the libraries report to.
    let metrics: RiegelMetrics

    /// Buckets of `riegel_varlink_request_duration_seconds`: from 50 µs (a
    /// session check) to 10 s (a login queued behind a full hash pool).
    static let requestDurationBuckets: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500),
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(10),
    ]

    /// The endpoint for this start, or nil when metrics are off (the default).
    /// A passed `metrics` fd wins over the config key.
    static func choose(passed: ListenFDs.Passed?, config: MetricsConfig) throws -> MetricsEndpoint? {
        let source: Source
        if let fd = passed?.metrics {
            try ListenFDs.requireListeningStream(fd)
            source = .passed(fd)
        } else if let endpoint = config.listen {
            source = .bound(endpoint)
        } else {
            return nil
        }
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["riegel_varlink_request_duration_seconds"] = requestDurationBuckets
        let metrics = RiegelMetrics(factory: factory)
        Gauge(label: "riegel_build_info", dimensions: [("version", RiegelVersion.current)], factory: factory).record(1)
        return MetricsEndpoint(source: source, registry: registry, metrics: metrics)
    }

    /// Starts serving `GET /metrics` on its own event loop.
    func start() async throws -> MetricsHTTPServer {
        let registry = self.registry
        let render: @Sendable () -> [UInt8] = { registry.emitToBuffer() }
        switch source {
        case .passed(let fd):
            return try await MetricsHTTPServer.adopt(descriptor: fd, render: render)
        case .bound(let endpoint):
            return try await MetricsHTTPServer.bind(host: endpoint.host, port: endpoint.port, render: render)
        }
    }
}
