import Foundation
import Hummingbird
import RiegelClient

/// Forgotten password (a reset link by mail, then the SMS code when the
/// second factor is on) and forgotten username (the usernames by mail).
/// Both answer the same whether or not the account exists.
extension Portal {
    func addRecoveryRoutes(_ router: Router<PortalContext>) {
        get(router, "/forgot") { web in web.page("forgot", [:]) }

        post(router, "/forgot") { web in
            let username = web.field("username")
            do {
                let reply = try await self.riegel.auth.beginPasswordReset(username: username, client: web.clientInfo)
                if let token = reply.resetToken, let email = reply.email {
                    let link = "\(self.config.baseURL)/reset/\(token)"
                    try await self.outbox.send(.mail, ["to": email, "subject": web.text("mail_reset_subject"),
                                                       "link": link, "text": web.text("mail_reset_text", ["link": link])])
                }
            } catch let error as RiegelClientError {
                return web.page("forgot", ["error": self.message(for: error, web)], status: .tooManyRequests)
            }
            return web.page("mail_sent", [:])
        }

        // The link from the mail: the token leaves the URL at once (into this
        // browser's state), so it stays out of history, Referer and logs.
        get(router, "/reset/:token") { web in
            web.state.resetToken = web.context.parameters.get("token")
            return web.redirect("/reset")
        }

        get(router, "/reset") { web in
            guard web.state.resetToken != nil else { return web.page("error", ["message": web.text("error_invalid_token")], status: .badRequest) }
            return web.page("reset", [:])
        }

        post(router, "/reset") { web in
            guard let token = web.state.resetToken else {
                return web.page("error", ["message": web.text("error_invalid_token")], status: .badRequest)
            }
            guard web.secret("new_password") == web.secret("new_password_repeat") else {
                return web.page("reset", ["error": web.text("error_password_mismatch")], status: .badRequest)
            }
            do {
                let reply = try await self.riegel.auth.completePasswordReset(resetToken: token, newPassword: web.secret("new_password"))
                if let challenge = reply.challenge {
                    let pending = PendingChallenge(challenge, purpose: .reset, returnTo: "/login")
                    web.state.pending = pending
                    return self.codePage(web, pending)
                }
                web.state.resetToken = nil
                return web.page("reset_done", [:])
            } catch let error as RiegelClientError {
                if case .weakPassword(let reasons) = error {
                    return web.page("reset", ["password_feedback": self.passwordFeedback(reasons, web)], status: .badRequest)
                }
                if case .invalidToken = error { web.state.resetToken = nil }
                return web.page("reset", ["error": self.message(for: error, web)], status: .badRequest)
            }
        }

        get(router, "/forgot-username") { web in web.page("forgot_username", [:]) }

        post(router, "/forgot-username") { web in
            let email = web.field("email")
            if !email.isEmpty {
                let usernames = (try? await self.riegel.auth.recoverUsername(email: email).usernames) ?? []
                if !usernames.isEmpty {
                    try await self.outbox.send(.mail, ["to": email, "subject": web.text("mail_username_subject"),
                                                       "text": web.text("mail_username_text",
                                                                        ["usernames": usernames.joined(separator: ", ")])])
                }
            }
            return web.page("mail_sent", [:])
        }
    }
}
