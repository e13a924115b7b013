import Foundation
import Hummingbird
import RiegelClient

/// My data → login and security: sessions with "log out everywhere else",
/// trusted devices with revoke, the second factor on and off, the password
/// change (other sessions end), and closing the account.
extension Portal {
    func addSecurityRoutes(_ router: Router<PortalContext>) {
        get(router, "/security") { web in
            try await self.securityPage(web)
        }

        post(router, "/security/logout-others") { web in
            try await self.requireSession(web)
            let ended = try await self.withToken(web) { try await self.riegel.auth.logoutOtherSessions(token: $0).ended }
            web.flash("sessions_ended", ["n": "\(ended)"])
            return web.redirect("/security")
        }

        post(router, "/security/devices/revoke") { web in
            try await self.requireSession(web)
            let deviceID = web.field("device_id")
            do {
                try await self.withToken(web) { try await self.riegel.auth.revokeDevice(token: $0, deviceId: deviceID) }
                web.flash("device_revoked")
            } catch RiegelClientError.noSuchDevice {
                web.flash("error_no_device")
            }
            // Revoking the browser this session came from ends it too: the
            // next page finds out and says so.
            return web.redirect("/security")
        }

        post(router, "/security/password") { web in
            try await self.requireSession(web)
            guard web.secret("new_password") == web.secret("new_password_repeat") else {
                return try await self.securityPage(web, passwordError: web.text("error_password_mismatch"))
            }
            do {
                try await self.withToken(web) {
                    try await self.riegel.auth.changePassword(token: $0, currentPassword: web.secret("current_password"),
                                                             newPassword: web.secret("new_password"))
                }
                web.flash("password_changed")
                return web.redirect("/security")
            } catch let error as RiegelClientError {
                var feedback: [String] = []
                if case .weakPassword(let reasons) = error { feedback = self.passwordFeedback(reasons, web) }
                return try await self.securityPage(web, passwordError: feedback.isEmpty ? self.message(for: error, web) : nil,
                                                   passwordFeedback: feedback)
            }
        }

        post(router, "/security/second-factor/off") { web in
            try await self.requireSession(web)
            do {
                try await self.withToken(web) {
                    try await self.riegel.auth.disableSecondFactor(token: $0, password: web.secret("password"))
                }
                web.flash("second_factor_off")
                // Every remembered browser was revoked with it, and with it a
                // session that one of them opened (this one, perhaps).
                web.clearDevice()
                if let token = web.sessionToken, (try? await self.riegel.auth.checkSession(token: token)) == nil {
                    web.clearSession()
                    web.flash("second_factor_off_login_again")
                    return web.redirect("/login")
                }
                return web.redirect("/security")
            } catch RiegelClientError.stepUpRequired {
                // A fresh code first (a remembered browser alone may not turn it off).
                return try await self.beginStepUp(web, returnTo: "/security", reason: "step_up_credential")
            } catch let error as RiegelClientError {
                return try await self.securityPage(web, factorError: self.message(for: error, web))
            }
        }

        get(router, "/security/phone") { web in
            try await self.requireSession(web)
            return web.page("enrol_phone", ["return_to": Web.localPath(web.request.uri.queryParameters.get("next")) ?? "/security"])
        }

        post(router, "/security/phone") { web in
            try await self.requireSession(web)
            let returnTo = Web.localPath(web.field("return_to")) ?? "/security"
            let phone = web.field("phone")
            do {
                let challenge = try await self.withToken(web) {
                    try await self.riegel.auth.enrollPhone(token: $0, phone: phone, password: web.secret("password")).challenge
                }
                let pending = PendingChallenge(challenge, purpose: .enrolPhone, returnTo: returnTo)
                web.state.pending = pending
                return self.codePage(web, pending)
            } catch RiegelClientError.stepUpRequired {
                return try await self.beginStepUp(web, returnTo: "/security/phone?next=\(Self.escape(returnTo))",
                                                  reason: "step_up_credential")
            } catch let error as RiegelClientError {
                return web.page("enrol_phone", ["return_to": returnTo, "phone": phone,
                                                "error": self.message(for: error, web)], status: .badRequest)
            }
        }

        get(router, "/account/close") { web in
            try await self.requireSession(web)
            return web.page("close_account", [:])
        }

        post(router, "/account/close") { web in
            try await self.requireSession(web)
            guard web.form["confirm"] == "on" else {
                return web.page("close_account", ["error": web.text("error_close_confirm")], status: .badRequest)
            }
            do {
                try await self.withToken(web) { try await self.riegel.auth.deleteAccount(token: $0, password: web.secret("password")) }
            } catch let error as RiegelClientError {
                return web.page("close_account", ["error": self.message(for: error, web)], status: .unauthorized)
            }
            web.clearSession()
            web.clearDevice()
            return web.page("account_closed", [:])
        }
    }

    func securityPage(_ web: Web, passwordError: String? = nil, passwordFeedback: [String] = [],
                      factorError: String? = nil) async throws -> Response {
        let current = try await requireSession(web)
        let (sessions, devices, factors) = try await withToken(web) { token in
            async let sessions = riegel.auth.listSessions(token: token).sessions
            async let devices = riegel.auth.listDevices(token: token).devices
            async let factors = riegel.auth.listFactors(token: token).factors
            return try await (sessions, devices, factors)
        }
        var data: [String: Any] = [
            "sessions": sessions.map { s -> [String: Any] in
                ["id": s.sessionId, "current": s.sessionId == current.sessionId,
                 "since": Self.shortTime(s.authenticatedAt), "second_factor": s.assurance.rawValue == "second_factor"]
            },
            "others": sessions.count > 1,
            "devices": devices.map { d -> [String: Any] in
                ["id": d.deviceId, "label": d.label, "created": Self.shortTime(d.createdAt),
                 "last_used": d.lastUsedAt.map(Self.shortTime) ?? "—", "browser": d.kind.rawValue == "browser"]
            },
            "factors": factors.map { f -> [String: Any] in ["label": f.label, "kind": f.kind.rawValue] },
            "second_factor_on": !factors.isEmpty,
            "password_feedback": passwordFeedback,
        ]
        if let passwordError { data["password_error"] = passwordError }
        if let factorError { data["factor_error"] = factorError }
        return web.page("security", data)
    }

    /// "2026-12-06 09:12" from an RFC 3339 time (UTC).
    static func shortTime(_ rfc3339: String) -> String {
        String(rfc3339.prefix(16)).replacingOccurrences(of: "T", with: " ") + " UTC"
    }
}
