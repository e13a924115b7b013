import Hummingbird
import HTTPTypes
import Logging

/// Adds the security headers to every response, and logs each request by
/// method, route and status only.
///
/// - Important: the log never carries a query, a path parameter (a reset
///   token is one), a cookie or a form field.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = PortalContext
    let logger: Logger

    static let headers: [(String, String)] = [
        // Only our own script and style; no framing by anyone (clickjacking);
        // forms post only to us.
        ("Content-Security-Policy",
         "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
        // Pages carry personal data and CSRF tokens: not for any cache.
        ("Cache-Control", "no-store"),
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError {
            response = Response(status: error.status)
        }
        for (name, value) in Self.headers where response.headers[HTTPField.Name(name)!] == nil {
            response.headers[HTTPField.Name(name)!] = value
        }
        logger.info("request", metadata: [
            "method": "\(request.method)",
            "route": "\(context.endpointPath ?? "unmatched")",
            "status": "\(response.status.code)",
        ])
        return response
    }
}
