import Foundation
import Hummingbird
import HTTPTypes
import NIOCore

/// The stylesheet and the poll script (same origin: the CSP allows nothing
/// else), and in development the outbox page.
extension Portal {
    func addStaticRoutes(_ router: Router<PortalContext>) {
        for (name, type) in [("portal.css", "text/css; charset=utf-8"), ("portal.js", "text/javascript; charset=utf-8")] {
            let url = Bundle.module.url(forResource: "Static", withExtension: nil)!.appendingPathComponent(name)
            let bytes = (try? Data(contentsOf: url)) ?? Data()
            router.get("/static/\(name)") { _, _ in
                var headers = HTTPFields()
                headers[.contentType] = type
                headers[.cacheControl] = "no-cache"
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
            }
        }

        // Development only (`--dev-outbox`): the letters, mails and SMS this
        // portal and riegeld "sent", for a person clicking through.
        guard config.devOutbox != nil else { return }
        get(router, "/dev/outbox") { web in
            let sms = self.config.devSMSOutbox.map { Outbox.readLines(URL(fileURLWithPath: $0), limit: 20) } ?? []
            return web.page("dev_outbox", [
                "sms": sms, "letters": await self.outbox.recent(.letter), "mails": await self.outbox.recent(.mail),
            ])
        }
    }
}
