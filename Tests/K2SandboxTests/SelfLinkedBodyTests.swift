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

    /// The scan reads eight bytes at a time: a byte to escape is found at every offset of a
    /// word and in the tail, and UTF-8 past 0x7F is not taken for one.
    @Test func escapesWhateverByteOfTheURLNeedsIt() throws {
        let body = SelfLinkedBody(document: try JSON.parse(#"{"data":{"attributes":{}}}"#))
        for special in ["\"", "\\", "\u{1}", "\n", "\u{1F}"] {
            for offset in 0..<19 {
                let url = "http://h/" + String(repeating: "é", count: offset % 3) + String(repeating: "a", count: offset) + special + "z"
                let text = String(decoding: body.body(selfURL: url), as: UTF8.self)
                #expect(try JSON.parse(text)["data"]?["attributes"]?["_links"]?["self"] == .string(url), "\(offset)")
            }
        }
        let plain = "http://h/" + String(repeating: "é~ ", count: 9)
        #expect(String(decoding: body.body(selfURL: plain), as: UTF8.self).contains(plain))
    }
}
