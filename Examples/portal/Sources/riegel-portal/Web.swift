import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import RiegelClient

/// Names of the portal's cookies. `__Host-`: Secure, Path=/, no Domain, so no
/// other host or path can set or shadow them. Chromium and Firefox accept
/// Secure cookies on http://localhost, so the flags are the same in development.
enum CookieName {
    /// riegel's session token. HttpOnly: no script (and no XSS) can read it.
    static let session = "__Host-riegel-session"
    /// A remembered browser's device token, rotated on each use.
    static let device = "__Host-riegel-device"
    /// The id of this browser's `BrowserState` (CSRF token, pending challenge).
    static let browser = "__Host-portal"
    /// The chosen language (not a secret).
    static let language = "__Host-lang"
}

/// Ends a handler early with a redirect (thrown, so helpers like
/// `requireSession` can send the browser elsewhere).
struct Redirect: Error {
    let location: String
}

/// One request as a handler sees it: the browser's state, its language, its
/// cookies, the form (CSRF-checked), and the cookies to set on the way out.
final class Web {
    let request: Request
    let context: PortalContext
    let portal: Portal
    let language: String
    let browserID: String
    var state: BrowserState
    /// The POSTed form fields (`application/x-www-form-urlencoded`).
    private(set) var form: [String: String] = [:]
    /// riegel's session token from its cookie (updated when a reply renews it).
    private(set) var sessionToken: String?
    let deviceToken: String?
    /// The session, once `requireSession` checked it.
    var session: SessionInfo?
    private var outgoingCookies: [Cookie] = []

    init(request: Request, context: PortalContext, portal: Portal, browser: (id: String, state: BrowserState, isNew: Bool)) {
        self.request = request
        self.context = context
        self.portal = portal
        let cookies = request.cookies
        var language = Locales.choose(cookie: cookies[CookieName.language]?.value,
                                      acceptLanguage: request.headers[.acceptLanguage])
        if let asked = request.uri.queryParameters.get("lang"), Locales.languages.contains(asked) {
            language = asked
            outgoingCookies.append(Self.cookie(CookieName.language, asked, maxAge: 365 * 86400))
        }
        self.language = language
        self.browserID = browser.id
        self.state = browser.state
        if browser.isNew {
            outgoingCookies.append(Self.cookie(CookieName.browser, browser.id, maxAge: nil))
        }
        self.sessionToken = cookies[CookieName.session]?.value.nilIfEmpty
        self.deviceToken = cookies[CookieName.device]?.value.nilIfEmpty
    }

    /// Reads the form and checks its CSRF token against this browser's.
    /// A cross-site POST (Sec-Fetch-Site) or a missing or wrong token is a 403.
    func readForm() async throws {
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!], site == "cross-site" {
            throw HTTPError(.forbidden, message: "cross-site form")
        }
        var request = self.request
        let body = try await request.collectBody(upTo: 64 * 1024)
        form = Self.parseForm(String(buffer: body))
        guard let token = form["_csrf"], Random.same(token, state.csrfToken) else {
            throw CSRFRejected()
        }
    }

    struct CSRFRejected: Error {}

    func field(_ name: String) -> String { form[name]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "" }
    /// A password field exactly as typed (no trimming).
    func secret(_ name: String) -> String { form[name] ?? "" }

    /// What riegel records about this request: address, User-Agent, language.
    var clientInfo: ClientInfo {
        ClientInfo(ip: context.remoteAddress?.ipAddress,
                   userAgent: request.headers[.userAgent].map { String($0.prefix(512)) },
                   language: language)
    }

    /// A label for "remember this browser", e.g. "Chrome on Linux".
    var deviceLabel: String {
        let ua = request.headers[.userAgent] ?? ""
        let browser = ua.contains("Firefox") ? "Firefox" : ua.contains("Edg/") ? "Edge"
            : ua.contains("Chrome") ? "Chrome" : ua.contains("Safari") ? "Safari" : "Browser"
        let system = ua.contains("Android") ? "Android" : ua.contains("iPhone") || ua.contains("iPad") ? "iOS"
            : ua.contains("Windows") ? "Windows" : ua.contains("Mac OS") ? "macOS" : ua.contains("Linux") ? "Linux" : nil
        return system.map { "\(browser) on \($0)" } ?? browser
    }

    func text(_ key: String, _ arguments: [String: String] = [:]) -> String {
        portal.locales.text(language, key, arguments)
    }

    /// riegel's idle timeout as words: "15 minutes", or "5 seconds" below a minute.
    var idleDuration: String {
        let seconds = portal.config.idleTimeout
        return seconds % 60 == 0 ? text("duration_minutes", ["n": "\(seconds / 60)"])
            : text("duration_seconds", ["n": "\(seconds)"])
    }

    func flash(_ key: String, _ arguments: [String: String] = [:]) {
        state.flash.append(text(key, arguments))
    }

    // MARK: cookies

    /// Set when a login opened a session: the browser state then moves to a new id.
    private(set) var loggedIn = false

    func setSession(_ token: String, login: Bool = false) {
        sessionToken = token
        loggedIn = loggedIn || login
        outgoingCookies.append(Self.cookie(CookieName.session, token, maxAge: nil))
    }

    func clearSession() {
        sessionToken = nil
        session = nil
        outgoingCookies.append(Self.cookie(CookieName.session, "", maxAge: 0))
    }

    /// Stores a remembered browser's (new) device token: 90 days, riegel's
    /// `[device] lifetime` (riegel decides; an expired token only means an SMS).
    func setDevice(_ token: String) {
        outgoingCookies.append(Self.cookie(CookieName.device, token, maxAge: 90 * 86400))
    }

    func clearDevice() {
        outgoingCookies.append(Self.cookie(CookieName.device, "", maxAge: 0))
    }

    static func cookie(_ name: String, _ value: String, maxAge: Int?) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: true, httpOnly: true, sameSite: .lax)
    }

    // MARK: responses

    /// A page from `Templates/NAME.mustache` with the layout's data added.
    func page(_ template: String, _ data: [String: Any] = [:], status: HTTPResponse.Status = .ok) -> Response {
        var all = data
        all["t"] = portal.locales.table(language)
        all["lang"] = language
        all["other_lang"] = language == "de" ? "en" : "de"
        all["csrf"] = state.csrfToken
        all["flash"] = state.flash
        all["dev"] = portal.config.devOutbox != nil
        all["has_password_feedback"] = !((data["password_feedback"] as? [String]) ?? []).isEmpty
        state.flash = []
        if let session {
            all["user"] = session.username
            all["poll"] = portal.config.pollInterval
            all["idle_duration"] = idleDuration
        }
        let html = portal.templates.render(all, withTemplate: template) ?? "template \(template) missing"
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        return finish(Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html))))
    }

    /// 303 to a local path.
    func redirect(_ location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        return finish(Response(status: .seeOther, headers: headers))
    }

    func json(_ object: [String: Any]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
        return finish(Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data))))
    }

    /// Adds the cookies; the state is saved by `Portal.run`.
    func finish(_ response: Response) -> Response {
        var response = response
        for cookie in outgoingCookies { response.setCookie(cookie) }
        outgoingCookies = []
        return response
    }

    /// Only local paths are followed after a flow (no open redirect).
    static func localPath(_ path: String?) -> String? {
        guard let path, path.hasPrefix("/"), !path.hasPrefix("//"), !path.contains("\\") else { return nil }
        return path
    }

    static func parseForm(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            let key = decode(parts[0])
            if fields[key] == nil { fields[key] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return fields
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
