import ArgumentParser
import Varlink

/// `riegelctl call METHOD [JSON]`: calls any varlink method and prints the reply.
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call a varlink method with JSON parameters and print the reply.",
        discussion: "Example: riegelctl call io.riegel.Auth.CheckSession '{\"token\": \"...\", \"touch\": false}'"
    )

    @OptionGroup var options: ConnectionOptions

    @Argument(help: "The fully qualified method, e.g. org.varlink.service.GetInfo.")
    var method: String

    @Argument(help: "The parameters as a JSON object (default: none).")
    var parameters: String?

    @Flag(name: .long, help: "Ask for a stream of replies (varlink 'more'); prints each as it arrives.")
    var more = false

    @Flag(name: .long, help: "Send the call with 'oneway' (no reply is expected or printed).")
    var oneway = false

    func validate() throws {
        if more && oneway { throw ValidationError("--more and --oneway exclude each other.") }
        guard method.split(separator: ".").count >= 2 else {
            throw ValidationError("'\(method)' is not a qualified method name; use INTERFACE.Method, e.g. org.varlink.service.GetInfo.")
        }
    }

    func run() async throws {
        let params = try parsedParameters()
        let client = try await options.connect()
        do {
            try await client.using { client in try await perform(client, params) }
        } catch let error as VarlinkError {
            throw fail(with: error, json: options.json)
        }
    }

    private func perform(_ client: VarlinkClient, _ params: [String: JSONValue]) async throws {
            if oneway {
                try await client.callOneway(method, parameters: params)
            } else if more {
                for try await reply in client.callMore(method, parameters: params) {
                    options.printReply(reply)
                }
            } else {
                options.printReply(try await client.call(method, parameters: params))
            }
    }

    private func parsedParameters() throws -> [String: JSONValue] {
        guard let parameters, !parameters.isEmpty else { return [:] }
        let value: JSONValue
        do {
            value = try JSONValue.parse(parameters)
        } catch {
            throw ValidationError("the parameters are not valid JSON: \(error)")
        }
        guard case .object(let object) = value else {
            throw ValidationError("the parameters must be a JSON object, e.g. '{\"token\": \"...\"}'.")
        }
        return object
    }
}
