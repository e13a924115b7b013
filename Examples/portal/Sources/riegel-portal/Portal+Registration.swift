import Foundation
import Hummingbird
import RiegelClient

/// Registration: username, password (riegel's policy gives the feedback),
/// e-mail and mobile number; the SMS code confirms the phone. With a contract
/// number an activation code goes out by letter (`IssueActivationCode`,
/// valid 90 days) and unlocks the contracts page when entered.
extension Portal {
    func addRegistrationRoutes(_ router: Router<PortalContext>) {
        get(router, "/register") { web in
            web.page("register", [:])
        }

        post(router, "/register") { web in
            let username = web.field("username"), email = web.field("email")
            let phone = web.field("phone"), contract = web.field("contract")
            var form: [String: Any] = ["username": username, "email": email, "phone": phone, "contract": contract]
            guard web.secret("password") == web.secret("password_repeat") else {
                form["error"] = web.text("error_password_mismatch")
                return web.page("register", form, status: .badRequest)
            }
            guard !phone.isEmpty, !email.isEmpty else {
                form["error"] = web.text("error_register_required")
                return web.page("register", form, status: .badRequest)
            }
            if !contract.isEmpty, !Self.isContractNumber(contract) {
                form["error"] = web.text("error_contract_number")
                return web.page("register", form, status: .badRequest)
            }
            do {
                let reply = try await self.riegel.auth.register(
                    username: username, password: web.secret("password"), email: email, phone: phone,
                    client: web.clientInfo)
                if !contract.isEmpty {
                    let letter = try await self.riegel.auth.issueActivationCode(userId: reply.userId,
                                                                               subject: "contract:\(contract)")
                    try await self.outbox.send(.letter, [
                        "to": username, "subject": web.text("letter_subject"), "contract": contract,
                        "code": letter.code, "expires_at": letter.expiresAt,
                        "text": web.text("letter_text", ["contract": contract, "code": letter.code,
                                                         "expires": letter.expiresAt]),
                    ])
                }
                guard let challenge = reply.challenge else { return web.page("registered", [:]) }
                let pending = PendingChallenge(challenge, purpose: .register, returnTo: "/login")
                web.state.pending = pending
                return self.codePage(web, pending)
            } catch let error as RiegelClientError {
                if case .weakPassword(let reasons) = error {
                    form["password_feedback"] = self.passwordFeedback(reasons, web)
                } else {
                    form["error"] = self.message(for: error, web)
                }
                return web.page("register", form, status: .badRequest)
            }
        }
    }

    /// A contract number as printed on the policy: 6 to 20 letters, digits and dashes.
    static func isContractNumber(_ s: String) -> Bool {
        (6...20).contains(s.count) && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }
}
