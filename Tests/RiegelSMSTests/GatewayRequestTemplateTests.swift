@testable import RiegelSMS
import Testing

/// Templates are filled in one pass and encoded for where they go.
@Suite struct GatewayRequestTemplateTests {
    @Test func placeholdersInsideValuesAreNeverExpandedAgain() {
        let values = ["to": "+4915112345678", "text": "see {credential} and {to}", "credential": "s3cret"]
        #expect(GatewayRequestTemplate.render("{text}|{to}|{other}|{", values) == "see {credential} and {to}|+4915112345678|{other}|{")
    }

    @Test func queryAndFormValuesArePercentEncodedAsUTF8() {
        #expect(GatewayRequestTemplate.encodedPairs(["to": "{to}", "text": "{text}"], ["to": "+49 1", "text": "ä&=%/?#"])
            == "text=%C3%A4%26%3D%25%2F%3F%23&to=%2B49%201")
    }

    @Test func jsonValuesAreEscaped() {
        #expect(GatewayRequestTemplate.jsonBody(["text": "{text}"], ["text": "a\"b\\c\nd\u{1}"]) == #"{"text":"a\"b\\c\nd\u0001"}"#)
    }
}
