import Foundation
import Hummingbird
import RiegelClient

/// A document of the sample mailbox; `resourceClass` is what riegel decides on.
struct Document: Sendable {
    let id: String
    let resourceClass: String
    let titleKey: String
    let bodyKey: String

    static let all = [
        Document(id: "beitragsrechnung-2026", resourceClass: "standard",
                 titleKey: "doc_invoice_title", bodyKey: "doc_invoice_body"),
        Document(id: "krankenleistung-2026-11", resourceClass: "health_document",
                 titleKey: "doc_health_title", bodyKey: "doc_health_body"),
    ]
}

/// Documents: an ordinary one opens; a health document needs a recent second
/// factor (`AuthorizeAccess`, then `BeginStepUp` and the code), and a user
/// without one gets the page that offers to enrol it (`docs/flows/step-up.md`).
/// Also the contracts page that an activation code (by letter) unlocks.
extension Portal {
    func addDocumentRoutes(_ router: Router<PortalContext>) {
        get(router, "/documents") { web in
            try await self.requireSession(web)
            let documents = Document.all.map { doc -> [String: Any] in
                ["id": doc.id, "title": web.text(doc.titleKey), "health": doc.resourceClass == "health_document"]
            }
            return web.page("documents", ["documents": documents])
        }

        get(router, "/documents/:id") { web in
            try await self.requireSession(web)
            guard let id = web.context.parameters.get("id"), let doc = Document.all.first(where: { $0.id == id }) else {
                return web.page("error", ["message": web.text("error_no_document")], status: .notFound)
            }
            do {
                _ = try await self.withToken(web) { token in
                    try await self.riegel.auth.authorizeAccess(token: token, resourceClass: doc.resourceClass,
                                                               resourceId: doc.id, client: web.clientInfo)
                }
                return web.page("document", ["id": doc.id, "title": web.text(doc.titleKey), "body": web.text(doc.bodyKey),
                                             "health": doc.resourceClass == "health_document"])
            } catch RiegelClientError.stepUpRequired {
                return try await self.beginStepUp(web, returnTo: "/documents/\(doc.id)", reason: "step_up_document")
            } catch RiegelClientError.secondFactorNotEnrolled {
                return web.page("enrol_offer", ["title": web.text(doc.titleKey),
                                                "return_to": "/documents/\(doc.id)"], status: .forbidden)
            }
        }

        get(router, "/contracts") { web in
            let session = try await self.requireSession(web)
            let contracts = await self.contracts.of(session.userId)
            return web.page("contracts", ["contracts": contracts, "unlocked": !contracts.isEmpty])
        }

        post(router, "/contracts/activate") { web in
            let session = try await self.requireSession(web)
            do {
                let subject = try await self.withToken(web) { token in
                    try await self.riegel.auth.redeemActivationCode(token: token, code: web.field("code")).subject
                }
                if subject.hasPrefix("contract:") {
                    await self.contracts.unlock(String(subject.dropFirst("contract:".count)), for: session.userId)
                }
                web.flash("contract_unlocked")
                return web.redirect("/contracts")
            } catch let error as RiegelClientError {
                let contracts = await self.contracts.of(session.userId)
                return web.page("contracts", ["contracts": contracts, "unlocked": !contracts.isEmpty,
                                              "error": self.message(for: error, web)], status: .unauthorized)
            }
        }
    }

    /// Sends the step-up code and shows the code page; `returnTo` is retried after it.
    func beginStepUp(_ web: Web, returnTo: String, reason: String) async throws -> Response {
        let challenge = try await withToken(web) { token in
            try await self.riegel.auth.beginStepUp(token: token).challenge
        }
        let pending = PendingChallenge(challenge, purpose: .stepUp, returnTo: returnTo)
        web.state.pending = pending
        return codePage(web, pending, notice: web.text(reason))
    }
}
