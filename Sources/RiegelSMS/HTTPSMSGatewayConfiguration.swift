/// The settings of an ``HTTPSMSGateway``; mirrors `[sms.gateway.NAME]` with
/// `type = "http"` (the daemon maps its config onto this).
///
/// Templates (`query`, `form`, `json`, `headers`) may use `{to}` (E.164
/// number), `{text}` (message) and `{credential}` (the secret named by
/// ``credential``); values are percent-encoded in query and form, and
/// encoded as JSON strings in a json body.
public struct HTTPSMSGatewayConfiguration: Sendable, Equatable {
    /// The gateway's name (`[sms.gateway.NAME]`).
    public var name: String
    /// `http://` or `https://` URL of the send endpoint (may carry a fixed query).
    public var url: String
    /// `GET`, `POST` or `PUT`.
    public var method: String
    /// Query parameters appended to the URL, name → template.
    public var query: [String: String]
    /// An `application/x-www-form-urlencoded` body, name → template.
    public var form: [String: String]?
    /// A JSON object body, name → template (string values).
    public var json: [String: String]?
    /// Extra request headers, name → template (e.g. `Authorization: Bearer {credential}`).
    public var headers: [String: String]
    /// Statuses that mean "sent"; nil: any 2xx.
    public var successStatus: [Int]?
    /// A text the response body must contain for success (`success_body_contains`); nil: the status decides.
    public var successBodyContains: String?
    /// Name of a systemd credential (in `$CREDENTIALS_DIRECTORY`) or path of a file holding the secret.
    public var credential: String?
    /// How long one send may take, connecting included.
    public var timeout: Duration

    /// A gateway with the given settings.
    public init(name: String, url: String, method: String = "GET", query: [String: String] = [:],
                form: [String: String]? = nil, json: [String: String]? = nil, headers: [String: String] = [:],
                successStatus: [Int]? = nil, successBodyContains: String? = nil, credential: String? = nil,
                timeout: Duration = .seconds(10)) {
        self.name = name
        self.url = url
        self.method = method
        self.query = query
        self.form = form
        self.json = json
        self.headers = headers
        self.successStatus = successStatus
        self.successBodyContains = successBodyContains
        self.credential = credential
        self.timeout = timeout
    }

    /// Kannel's sendsms interface (`smsbox`'s `sendsms-port`): a GET with
    /// `username`, `password` (the credential), `to`, `text` and UTF-8
    /// charset; success is HTTP 202 ("0: Accepted for delivery").
    ///
    /// - Parameters:
    ///   - url: e.g. `http://127.0.0.1:13013/cgi-bin/sendsms`.
    ///   - username: the `sendsms-user` group's `username`.
    ///   - passwordCredential: credential name or file holding its `password`.
    ///   - from: the sender shown on phones; nil: smsbox's `global-sender`.
    public static func kannel(name: String = "kannel", url: String, username: String, passwordCredential: String,
                              from: String? = nil, timeout: Duration = .seconds(10)) -> HTTPSMSGatewayConfiguration {
        var query = ["username": username, "password": "{credential}", "to": "{to}", "text": "{text}", "charset": "UTF-8"]
        if let from { query["from"] = from }
        return HTTPSMSGatewayConfiguration(name: name, url: url, method: "GET", query: query, successStatus: [202],
                                           credential: passwordCredential, timeout: timeout)
    }

    /// A generic JSON provider: `POST` of `{"to": "+49…", "text": "…"}` with
    /// `Authorization: Bearer <credential>`; success is any 2xx.
    ///
    /// - Parameters:
    ///   - tokenCredential: credential name or file holding the API token.
    ///   - toField, textField: the provider's names for number and text.
    ///   - extraFields: fixed fields such as `["from": "Portal"]` (templates allowed).
    public static func jsonProvider(name: String, url: String, tokenCredential: String, toField: String = "to",
                                    textField: String = "text", extraFields: [String: String] = [:],
                                    timeout: Duration = .seconds(10)) -> HTTPSMSGatewayConfiguration {
        var json = extraFields
        json[toField] = "{to}"
        json[textField] = "{text}"
        return HTTPSMSGatewayConfiguration(name: name, url: url, method: "POST", json: json,
                                           headers: ["Authorization": "Bearer {credential}", "Accept": "application/json"],
                                           credential: tokenCredential, timeout: timeout)
    }

    /// Whether any template uses `{credential}`.
    var usesCredential: Bool {
        let templates = Array(query.values) + Array((form ?? [:]).values) + Array((json ?? [:]).values) + Array(headers.values)
        return templates.contains { $0.contains("{credential}") }
    }
}
