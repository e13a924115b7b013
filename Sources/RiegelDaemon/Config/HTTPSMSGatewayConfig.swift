/// The settings of a `type = "http"` SMS gateway.
///
/// Templates may use `{to}` (E.164 number), `{text}` (message) and
/// `{credential}` (the secret named by `credential`); values are encoded
/// for where they go (URL query, form body or JSON string).
public struct HTTPSMSGatewayConfig: Sendable, Equatable {
    /// `http://` or `https://` URL of the send endpoint.
    public var url: String
    /// HTTP method: `GET` (default without a body), `POST` (default with a body) or `PUT`.
    public var method: String
    /// Query parameters added to the URL, name → template.
    public var query: [String: String]
    /// An `application/x-www-form-urlencoded` body, name → template.
    public var form: [String: String]?
    /// A JSON object body, name → template (string values).
    public var json: [String: String]?
    /// Extra request headers, name → template (e.g. `Authorization = "Bearer {credential}"`).
    public var headers: [String: String]
    /// Statuses that mean "sent"; nil: any 2xx.
    public var successStatus: [Int]?
    /// Name of a systemd credential (in `$CREDENTIALS_DIRECTORY`) or path of a file holding the secret.
    public var credential: String?

    /// A gateway with the given settings.
    public init(url: String, method: String = "GET", query: [String: String] = [:], form: [String: String]? = nil,
                json: [String: String]? = nil, headers: [String: String] = [:], successStatus: [Int]? = nil,
                credential: String? = nil) {
        self.url = url
        self.method = method
        self.query = query
        self.form = form
        self.json = json
        self.headers = headers
        self.successStatus = successStatus
        self.credential = credential
    }

    static func read(_ s: inout ConfigSection) -> HTTPSMSGatewayConfig? {
        let url = s.optionalString("url")
        let query = s.stringTable("query") ?? [:]
        let form = s.stringTable("form")
        let json = s.stringTable("json")
        let hasBody = form != nil || json != nil
        let method = s.string("method", hasBody ? "POST" : "GET")
        let headers = s.stringTable("headers") ?? [:]
        let successStatus = s.intList("success_status", in: 100...599)
        let credential = s.optionalString("credential")

        var ok = true
        if let url {
            if !(url.hasPrefix("http://") || url.hasPrefix("https://")) || url.count <= 8 {
                s.report("url", "\"\(url)\" is not an http(s) URL; use e.g. \"http://127.0.0.1:13013/cgi-bin/sendsms\"")
                ok = false
            }
        } else {
            s.reportSection(#"an http gateway needs url = "http://HOST:PORT/PATH""#)
            ok = false
        }
        if !["GET", "POST", "PUT"].contains(method) {
            s.report("method", "\"\(method)\" is not supported; use \"GET\", \"POST\" or \"PUT\"")
        }
        if form != nil, json != nil {
            s.report("json", "a gateway sends either a form or a json body; remove one of form and json")
        }
        if hasBody, method == "GET" {
            s.report("method", "GET requests carry no body; use \"POST\" with form or json, or move the fields to query")
        }
        if successStatus?.isEmpty == true {
            s.report("success_status", "is empty; list statuses such as [200, 202] or remove it for any 2xx")
        }
        for (key, table) in [("query", query), ("form", form ?? [:]), ("json", json ?? [:]), ("headers", headers)] {
            for (field, template) in table.sorted(by: { $0.key < $1.key }) {
                SMSGatewayConfig.checkPlaceholders(template, in: s, key: key, what: field)
                if template.contains("{credential}"), credential == nil {
                    s.report(key, "\(field): uses {credential} but no credential is set; add credential = \"NAME\"")
                }
            }
        }
        guard ok, let url else { return nil }
        return HTTPSMSGatewayConfig(url: url, method: method, query: query, form: form, json: json,
                                    headers: headers, successStatus: successStatus, credential: credential)
    }
}
