import K2Sandbox
import OrderedJSON
import Testing

@Suite struct SelfLinkedBodyTests {
    @Test func splicesTheSelfURLWhereTheFixtureHadIt() throws {
        let document = try JSON.parse(#"{"data":{"id":"x","type":"payment","attributes":{"status":"Processed","_links":{"callback_url":"https://cb","self":"https://sandbox.kopokopo.com/api/v1/payments/x"},"z":1}}}"#)
        let body = SelfLinkedBody(document: document)
        #expect(String(decoding: body.body(selfURL: "http://127.0.0.1:9/api/v1/payments/x"), as: UTF8.self)
            == #"{"data":{"id":"x","type":"payment","attributes":{"status":"Processed","_links":{"callback_url":"https://cb","self":"http://127.0.0.1:9/api/v1/payments/x"},"z":1}}}"#)
    }

    @Test func addsLinksWhenTheFixtureHasNone() throws {
        let body = SelfLinkedBody(document: try JSON.parse(#"{"data":{"id":"x","type":"payment","attributes":{}}}"#))
        #expect(String(decoding: body.body(selfURL: "http://h/p"), as: UTF8.self)
            == #"{"data":{"id":"x","type":"payment","attributes":{"_links":{"self":"http://h/p"}}}}"#)
    }

    @Test func escapesTheSpliceAsAJSONString() throws {
        let body = SelfLinkedBody(document: try JSON.parse(#"{"data":{"attributes":{}}}"#))
        let text = String(decoding: body.body(selfURL: "http://h/\"quoted\""), as: UTF8.self)
        #expect(try JSON.parse(text)["data"]?["attributes"]?["_links"]?["self"] == .string("http://h/\"quoted\""))
    }
}
