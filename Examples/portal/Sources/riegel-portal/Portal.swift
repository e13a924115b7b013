import Foundation
import Hummingbird
import HTTPTypes
import Logging
import Mustache
import RiegelClient

/// The portal: its configuration, the riegel client, templates and texts,
/// the browsers' states, and the route table (`Portal+*.swift` by area).
final class Portal: Sendable {
    let config: PortalConfig
    let riegel: RiegelClient
    let locales: Locales
    let templates: MustacheLibrary
    let states = BrowserStates()
    let outbox: Outbox
    let logger: Logger
    /// The unlocked contracts per user id (a real portal asks its contract system).
    let contracts = ContractBook()

    init(config: PortalConfig, riegel: RiegelClient, resources: URL, logger: Logger) async throws {
        self.config = config
        self.riegel = riegel
        self.logger = logger
        self.locales = try Locales(directory: resources.appendingPathComponent("Locales"))
        self.templates = try await MustacheLibrary(directory: resources.appendingPathComponent("Templates").path)
        self.outbox = Outbox(directory: config.devOutbox)
    }

    /// Every route of the portal.
    func routes(_ router: Router<PortalContext>) {
        addLoginRoutes(router)
        addRegistrationRoutes(router)
        addDocumentRoutes(router)
        addSecurityRoutes(router)
        addRecoveryRoutes(router)
        addStaticRoutes(router)
    }

    // MARK: running a handler

    /// Registers a GET handler.
    func get(_ router: Router<PortalContext>, _ path: RouterPath, _ body: @escaping @Sendable (Web) async throws -> Response) {
        router.get(path) { request, context in try await self.run(request, context, form: false, body) }
    }

    /// Registers a POST handler: its form is read and CSRF-checked first.
    func post(_ router: Router<PortalContext>, _ path: RouterPath, _ body: @escaping @Sendable (Web) async throws -> Response) {
        router.post(path) { request, context in try await self.run(request, context, form: true, body) }
    }

    private func run(_ request: Request, _ context: PortalContext, form: Bool,
                     _ body: @Sendable (Web) async throws -> Response) async throws -> Response {
        let browser = await states.load(request.cookies[CookieName.browser]?.value)
        let web = Web(request: request, context: context, portal: self, browser: browser)
        let response: Response
        do {
            if form { try await web.readForm() }
            response = try await body(web)
        } catch let redirect as Redirect {
            response = web.redirect(redirect.location)
        } catch is Web.CSRFRejected {
            logger.notice("form refused: CSRF token missing or wrong", metadata: ["path": "\(request.uri.path)"])
            response = web.page("error", ["message": web.text("error_csrf")], status: .forbidden)
        } catch let error as RiegelClientError {
            logger.warning("riegel answered an unexpected error", metadata: ["error": "\(Self.errorName(error))"])
            var status = HTTPResponse.Status.internalServerError
            if case .connectionFailed = error { status = .serviceUnavailable }
            response = web.page("error", ["message": message(for: error, web)], status: status)
        } catch let error as HTTPError {
            response = web.page("error", ["message": web.text("error_request")], status: error.status)
        } catch {
            logger.error("request failed", metadata: ["error": "\(type(of: error))"])
            response = web.page("error", ["message": web.text("error_unavailable")], status: .serviceUnavailable)
        }
        guard web.loggedIn else {
            await states.save(web.browserID, web.state)
            return response
        }
        // A login: the browser's state (and CSRF token) moves to a fresh id.
        var rotated = response
        let newID = await states.rotate(web.browserID, web.state)
        rotated.setCookie(Web.cookie(CookieName.browser, newID, maxAge: nil))
        return rotated
    }

    // MARK: sessions

    /// Checks the session cookie with riegel (as user activity): the session,
    /// or a redirect to the login or to the page that says why it ended.
    @discardableResult
    func requireSession(_ web: Web, touch: Bool = true) async throws -> SessionInfo {
        if let session = web.session { return session }
        guard let token = web.sessionToken else {
            throw Redirect(location: "/login?next=\(Self.escape(web.request.uri.path))")
        }
        do {
            let info = try await riegel.auth.checkSession(token: token, touch: touch).info
            web.session = info
            return info
        } catch let error as RiegelClientError {
            web.clearSession()
            throw Redirect(location: endedLocation(error))
        }
    }

    /// Where a browser goes whose session riegel no longer knows.
    func endedLocation(_ error: RiegelClientError) -> String {
        if case .sessionExpired(let reason) = error { return "/logged-out?reason=\(Self.escape(reason.rawValue))" }
        return "/login"
    }

    /// Runs a call that needs the session token; an ended session redirects
    /// (as `requireSession` does) instead of failing the page.
    func withToken<T>(_ web: Web, _ call: (String) async throws -> T) async throws -> T {
        guard let token = web.sessionToken else { throw Redirect(location: "/login") }
        do {
            return try await call(token)
        } catch let error as RiegelClientError {
            switch error {
            case .sessionExpired, .invalidToken:
                web.clearSession()
                throw Redirect(location: endedLocation(error))
            default:
                throw error
            }
        }
    }

    // MARK: errors for people

    /// A sentence for the user about an error riegel gave (translated).
    func message(for error: RiegelClientError, _ web: Web) -> String {
        switch error {
        case .invalidCredentials: return web.text("error_invalid_credentials")
        case .accountLocked: return web.text("error_account_locked")
        case .tooManyAttempts(let retryAfter): return web.text("error_too_many", ["seconds": "\(retryAfter)"])
        case .overloaded: return web.text("error_overloaded")
        case .weakPassword(let reasons): return passwordFeedback(reasons, web).joined(separator: " ")
        case .usernameTaken: return web.text("error_username_taken")
        case .invalidUsername: return web.text("error_invalid_username")
        case .invalidEmail: return web.text("error_invalid_email")
        case .invalidPhoneNumber: return web.text("error_invalid_phone")
        case .challengeExpired: return web.text("error_challenge_expired")
        case .invalidCode(let attemptsLeft): return web.text("error_invalid_code", ["n": "\(attemptsLeft)"])
        case .malformedCode: return web.text("error_malformed_code")
        case .resendTooSoon(let retryAfter): return web.text("error_resend_too_soon", ["seconds": "\(retryAfter)"])
        case .smsUnavailable: return web.text("error_sms_unavailable")
        case .invalidToken: return web.text("error_invalid_token")
        default: return web.text("error_unavailable")
        }
    }

    /// One translated sentence per password rule that failed (riegel's policy).
    func passwordFeedback(_ reasons: [String], _ web: Web) -> [String] {
        reasons.map { reason in
            let key = "password_rule_\(reason)"
            let text = web.text(key)
            return text == key ? web.text("password_rule_other") : text
        }
    }

    /// The error's case name only (never its parameters) for the log.
    static func errorName(_ error: RiegelClientError) -> String {
        String(String(describing: error).prefix { $0 != "(" })
    }

    static func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "/-_.~"))) ?? "/"
    }
}

/// Unlocked contracts per user id, in memory.
actor ContractBook {
    private var contracts: [String: [String]] = [:]
    func unlock(_ contract: String, for userID: String) {
        if !(contracts[userID] ?? []).contains(contract) { contracts[userID, default: []].append(contract) }
    }
    func of(_ userID: String) -> [String] { contracts[userID] ?? [] }
}
