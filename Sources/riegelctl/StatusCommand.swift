import ArgumentParser
import Varlink

/// `riegelctl status`: who is serving, and whether its checks pass.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show riegeld's identity (GetInfo) and health (io.riegel.Admin.Status, for admins)."
    )

    @OptionGroup var options: ConnectionOptions

    func run() async throws {
        let client = try await options.connect()
        try await client.using { client in try await report(client) }
    }

    private func report(_ client: VarlinkClient) async throws {
        let info: [String: JSONValue]
        do {
            info = try await client.call("org.varlink.service.GetInfo", parameters: [:])
        } catch let error as VarlinkError {
            throw fail(with: error, json: options.json)
        }
        var health: [String: JSONValue]?
        var healthError: VarlinkError?
        do {
            health = try await client.call("io.riegel.Admin.Status", parameters: [:])
        } catch let error as VarlinkError {
            healthError = error
        }
        if options.json {
            var out: [String: JSONValue] = ["info": .object(info)]
            if let health { out["health"] = .object(health) }
            if let healthError { out["health_error"] = .string(healthError.name) }
            options.printReply(out)
        } else {
            printHuman(info: info, health: health, healthError: healthError)
        }
        if let health, health["checks"]?.array?.contains(where: { $0["ok"]?.bool == false }) == true {
            throw ExitCode(1)
        }
    }

    private func printHuman(info: [String: JSONValue], health: [String: JSONValue]?, healthError: VarlinkError?) {
        let product = info["product"]?.string ?? "?"
        let version = info["version"]?.string ?? "?"
        print("\(product) \(version) at \(options.socketPath)")
        if let interfaces = info["interfaces"]?.array {
            print("interfaces: " + interfaces.compactMap(\.string).joined(separator: ", "))
        }
        if let health {
            let state = health["state"]?.string ?? "?"
            let uptime = health["uptime"]?.int ?? 0
            let checks = health["checks"]?.array ?? []
            let failed = checks.filter { $0["ok"]?.bool == false }
            let verdict = failed.isEmpty ? "healthy" : "unhealthy"
            print("health: \(verdict), \(state), up \(uptime)s since \(health["started_at"]?.string ?? "?")")
            for check in checks {
                let mark = check["ok"]?.bool == true ? "ok  " : "FAIL"
                let detail = check["detail"]?.string.map { ": " + $0 } ?? ""
                print("  \(mark) \(check["name"]?.string ?? "?")\(detail)")
            }
        } else if let healthError {
            let why = healthError.name == "org.varlink.service.PermissionDenied"
                ? "not in the admin role" : healthError.name
            print("health: unknown (\(why))")
        }
    }
}
