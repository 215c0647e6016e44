import OrderedJSON
import Testing

private struct Disbursement: Encodable {
    var amount: String
    var status: String
    var transaction_reference: String?
}

private struct Batch: Encodable {
    var status: String
    var disbursements: [Disbursement]
    var metadata: JSON
}

@Suite struct OrderedJSONEncoderTests {
    @Test func writesKeysInDeclarationOrderAndNilAsNull() throws {
        let batch = Batch(
            status: "Pending",
            disbursements: [Disbursement(amount: "20000.0", status: "Pending", transaction_reference: nil)],
            metadata: ["zeta": "1", "alpha": 2])
        let text = String(decoding: try OrderedJSONEncoder().encodeBytes(batch), as: UTF8.self)
        #expect(text == #"{"status":"Pending","disbursements":[{"amount":"20000.0","status":"Pending","transaction_reference":null}],"metadata":{"zeta":"1","alpha":2}}"#)
    }

    @Test func encodesIntegersAsIntegers() throws {
        struct Amount: Encodable { var currency = "KES"; var value = 20000 }
        #expect(try OrderedJSONEncoder().encode(Amount()).compactString == #"{"currency":"KES","value":20000}"#)
    }

    @Test func everyOptionalScalarIsWrittenAsNullWhenNil() throws {
        struct Optionals: Encodable {
            var a: Int64? = nil, b: Int32? = nil, c: UInt8? = nil, d: Double? = nil, e: Float? = nil, f: UInt64? = 7
        }
        #expect(try OrderedJSONEncoder().encode(Optionals()).compactString == #"{"a":null,"b":null,"c":null,"d":null,"e":null,"f":7}"#)
    }
}
