import RiegelSMS

/// Reading a `type = "http"` gateway (`[sms.gateway.NAME]`) straight into the
/// SMS module's settings: `url`, `method`, `query` / `form` / `json` templates
/// with `{to}`, `{text}`, `{credential}`, `headers`, `success_status`,
/// `success_body_contains`, `credential` (a systemd credential name or file path).
extension HTTPSMSGatewayConfiguration {
    static func read(_ s: inout ConfigSection, name: String, timeout: ConfigDuration) -> HTTPSMSGatewayConfiguration? {
        let url = s.optionalString("url")
        let query = s.stringTable("query") ?? [:]
        let form = s.stringTable("form")
        let json = s.stringTable("json")
        let hasBody = form != nil || json != nil
        let method = s.string("method", hasBody ? "POST" : "GET")
        let headers = s.stringTable("headers") ?? [:]
        let successStatus = s.intList("success_status", in: 100...599)
        let credential = s.optionalString("credential")
        let successBodyContains = s.optionalString("success_body_contains")

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
        if successBodyContains?.isEmpty == true {
            s.report("success_body_contains", "is empty; give text the provider's success answer holds, or remove it")
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
        return HTTPSMSGatewayConfiguration(
            name: name, url: url, method: method, query: query, form: form, json: json, headers: headers,
            successStatus: successStatus, successBodyContains: successBodyContains, credential: credential,
            timeout: timeout.duration)
    }
}
