import Foundation
import Hummingbird
import RiegelClient

/// Login with username and password, the SMS code on a new browser with
/// "remember this browser", logout, the idle-logout page and the session
/// poll (`docs/flows/devices.md`, `sms-challenge.md`, `sessions.md`).
extension Portal {
    func addLoginRoutes(_ router: Router<PortalContext>) {
        get(router, "/") { web in
            let session = try await self.requireSession(web)
            return web.page("home", ["username": session.username])
        }

        get(router, "/login") { web in
            web.page("login", ["next": Web.localPath(web.request.uri.queryParameters.get("next")) ?? "/"])
        }

        post(router, "/login") { web in
            let username = web.field("username")
            let next = Web.localPath(web.field("next")) ?? "/"
            do {
                let reply = try await self.riegel.auth.login(
                    username: username, password: web.secret("password"),
                    deviceToken: web.deviceToken, client: web.clientInfo)
                // A remembered browser's token is rotated on every use: keep the successor.
                if let successor = reply.deviceToken { web.setDevice(successor) }
                if let session = reply.session {
                    web.setSession(session.token, login: true)
                    web.state.pending = nil
                    return web.redirect(next)
                }
                guard let challenge = reply.challenge else { throw Redirect(location: "/login") }
                web.state.pending = PendingChallenge(challenge, purpose: .login, returnTo: next)
                return web.redirect("/login/code")
            } catch let error as RiegelClientError {
                return web.page("login", ["username": username, "next": next,
                                          "error": self.message(for: error, web)], status: .unauthorized)
            }
        }

        get(router, "/login/code") { web in
            guard let pending = web.state.pending else { return web.redirect("/login") }
            return self.codePage(web, pending)
        }

        // The code of any pending challenge: login, registration, step-up,
        // phone enrolment, reset. What a right code does depends on the purpose.
        post(router, "/code") { web in
            guard let pending = web.state.pending else { return web.redirect("/login") }
            let code = web.field("code").filter { !$0.isWhitespace }
            do {
                return try await self.completeChallenge(web, pending, code: code)
            } catch let error as RiegelClientError {
                if case .challengeExpired = error {
                    web.state.pending = nil
                    web.flash("error_challenge_expired")
                    return web.redirect(pending.purpose == .login ? "/login" : pending.returnTo)
                }
                if case .sessionExpired = error {
                    web.state.pending = nil
                    web.clearSession()
                    return web.redirect(self.endedLocation(error))
                }
                return self.codePage(web, pending, error: self.message(for: error, web), status: .unauthorized)
            }
        }

        post(router, "/code/resend") { web in
            guard var pending = web.state.pending else { return web.redirect("/login") }
            do {
                let challenge = try await self.riegel.auth.resendChallenge(challengeId: pending.challengeID).challenge
                pending.maskedPhone = challenge.maskedPhone ?? pending.maskedPhone
                web.state.pending = pending
                return self.codePage(web, pending, notice: web.text("code_resent"))
            } catch let error as RiegelClientError {
                return self.codePage(web, pending, error: self.message(for: error, web), status: .tooManyRequests)
            }
        }

        post(router, "/logout") { web in
            if let token = web.sessionToken {
                try? await self.riegel.auth.logout(token: token)
            }
            web.clearSession()
            return web.redirect("/logged-out?reason=logout")
        }

        // Why the session ended: idle, absolute, revoked, logout.
        get(router, "/logged-out") { web in
            let reason = web.request.uri.queryParameters.get("reason") ?? "unknown"
            let known = ["idle", "absolute", "revoked", "logout", "unknown"]
            let key = "logged_out_" + (known.contains(reason) ? reason : "unknown")
            return web.page("logged_out", ["reason": known.contains(reason) ? reason : "unknown",
                                           "why": web.text(key, ["duration": web.idleDuration])])
        }

        // The open page's poll: touch=false, so it does not count as activity
        // and an idle session still ends while a tab stays open.
        get(router, "/session/status") { web in
            guard let token = web.sessionToken else { return web.json(["active": false, "reason": "unknown"]) }
            do {
                let info = try await self.riegel.auth.checkSession(token: token, touch: false).info
                return web.json(["active": true, "idle_expires_at": info.idleExpiresAt])
            } catch let error as RiegelClientError {
                var reason = "unknown"
                if case .sessionExpired(let why) = error { reason = why.rawValue }
                return web.json(["active": false, "reason": reason])
            }
        }
    }

    /// The page that asks for a code, with what the pending challenge needs.
    func codePage(_ web: Web, _ pending: PendingChallenge, error: String? = nil, notice: String? = nil,
                  status: HTTPResponse.Status = .ok) -> Response {
        var data: [String: Any] = [
            "purpose": pending.purpose.rawValue,
            "sms": pending.factor == "sms",
            "remember": pending.purpose == .login,
            "heading": web.text("code_heading_\(pending.purpose.rawValue)"),
        ]
        if let phone = pending.maskedPhone { data["masked_phone"] = phone }
        data["hint"] = pending.factor == "sms"
            ? web.text("code_hint_sms", ["phone": pending.maskedPhone ?? ""])
            : web.text("code_hint_\(pending.factor)")
        if let error { data["error"] = error }
        if let notice { data["notice"] = notice }
        return web.page("code", data, status: status)
    }

    /// A right code: what it completes, by purpose.
    func completeChallenge(_ web: Web, _ pending: PendingChallenge, code: String) async throws -> Response {
        switch pending.purpose {
        case .login:
            let remember = web.form["remember"] == "on"
            let reply = try await riegel.auth.verifyChallenge(
                challengeId: pending.challengeID, code: code, rememberDevice: remember,
                deviceLabel: remember ? web.deviceLabel : nil, client: web.clientInfo)
            if let device = reply.deviceToken { web.setDevice(device) }
            guard let session = reply.session else { throw Redirect(location: "/login") }
            web.setSession(session.token, login: true)
            web.state.pending = nil
            return web.redirect(pending.returnTo)
        case .register:
            _ = try await riegel.auth.verifyChallenge(challengeId: pending.challengeID, code: code, client: web.clientInfo)
            web.state.pending = nil
            return web.page("registered", [:])
        case .stepUp, .enrolPhone:
            // The session's token is renewed: the old one stops working now.
            let reply = try await riegel.auth.verifyChallenge(challengeId: pending.challengeID, code: code, client: web.clientInfo)
            if let session = reply.session { web.setSession(session.token) }
            web.state.pending = nil
            if pending.purpose == .enrolPhone { web.flash("phone_enrolled") }
            return web.redirect(pending.returnTo)
        case .reset:
            _ = try await riegel.auth.verifyChallenge(challengeId: pending.challengeID, code: code, client: web.clientInfo)
            web.state.pending = nil
            web.state.resetToken = nil
            return web.page("reset_done", [:])
        }
    }
}

extension PendingChallenge {
    init(_ challenge: Challenge, purpose: Purpose, returnTo: String) {
        self.init(purpose: purpose, challengeID: challenge.challengeId, maskedPhone: challenge.maskedPhone,
                  factor: challenge.factor?.rawValue ?? "sms", returnTo: returnTo)
    }
}
