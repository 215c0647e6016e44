import OrderedJSON

/// `send_money`: a v2 payment to one or more destinations, `POST /api/v2/send_money`
/// (k2-api.md §5.5); no destinations is a blind transfer.
public struct SendMoney: ResourceDefinition {
    public static let kind = ResourceKind("send_money")
    public static let collection = "send_money"
    public static let versions = [2]
    public static let stages: [Stage] = [.pending, .processed, .transferred, .failed]
    public static let finalStages: Set<Stage> = [.transferred, .failed]
    public static let ruleKeys: Set<RuleKey> = [.amount, .phoneNumber, .destinationType, .metadata]
    public static let summary =
        "a v2 transfer to any number of destinations: one transfer batch per destination (`mobile_wallet`, `bank_account`, `till`, `paybill`, `merchant_wallet`, `merchant_bank_account`); none is a blind transfer; the transfer stages below"
    /// Its create request's JSON Schema (the OpenAPI document's), as its reader below reads it.
    public static let requestSchema: JSON = Schema.object([
        "source_identifier": Schema.nullableString, "currency": Schema.string,
        "destinations": Schema.array(of: Schema.object([
            "type": Schema.string, "amount": Schema.amountValue, "description": Schema.string, "nickname": Schema.string,
            "favourite": Schema.boolean, "phone_number": Schema.string, "till_number": Schema.string,
            "paybill_number": Schema.string,
        ])),
        "metadata": Schema.metadata, "_links": Schema.linksIn,
    ], required: ["currency", "_links"])
    /// A create request it accepts (with the default scenario's pay recipient).
    public static let requestExample: JSON = [
        "source_identifier": nil, "currency": "KES", "destinations": [[
            "type": "mobile_wallet", "phone_number": "+254999999999", "network": "Safaricom", "amount": 500,
            "description": "Salary", "favourite": false,
        ]], "_links": Schema.exampleLinks,
    ]

    let sourceIdentifier: String?
    let destinations: [Destination]
    let metadata: JSONObject
    public let callbackURL: String?
    /// Drawn at creation, one per destination.
    let destinationReferences: [String]
    let transactionReferences: [String]

    public init(request body: JSONObject, context: inout CreationContext) throws(RequestError) {
        let reader = BodyReader(body)
        try requireKES(reader.optionalString("currency"), field: "currency")
        sourceIdentifier = try reader.optionalString("source_identifier")
        var destinations: [Destination] = []
        switch body["destinations"] {
        case nil, .null?: break
        case .array(let items)?:
            for (index, item) in items.enumerated() {
                guard case .object(let object) = item else {
                    throw RequestError("destinations[\(index)] must be an object, not \(item.kindName)")
                }
                destinations.append(try Destination(object, index: index))
            }
        case let other?:
            throw RequestError("destinations must be a list, not \(other.kindName)")
        }
        self.destinations = destinations
        metadata = try reader.metadata()
        callbackURL = try reader.callbackURL()
        var destinationReferences: [String] = [], transactionReferences: [String] = []
        for _ in destinations { destinationReferences.append(context.uuid()) }
        for _ in destinations { transactionReferences.append(context.reference()) }
        self.destinationReferences = destinationReferences
        self.transactionReferences = transactionReferences
    }

    public var facts: MatchFacts {
        MatchFacts(amountsCents: destinations.map(\.amount.cents), phoneNumbers: destinations.compactMap(\.phoneNumber),
                   destinationTypes: destinations.map(\.type), metadata: metadata.stringValues)
    }

    public func document(id: String, lifecycle: Lifecycle) -> JSON {
        let stage = lifecycle.stage ?? .pending
        let transferred = lifecycle.time(of: .transferred)
        var batches: [TransferBatch] = []
        if stage == .processed || stage == .transferred {
            let status = stage == .transferred ? "Transferred" : "Pending"
            for (index, destination) in destinations.enumerated() {
                var disbursement = JSONObject([("amount", .string(destination.amount.decimalString)), ("errors", nil),
                                               ("status", .string(status))])
                for key in Destination.echoedKeys {
                    if let value = destination.echo[key] { disbursement[key] = value }
                }
                disbursement["destination_type"] = .string(destination.type)
                disbursement["origination_time"] = transferred.map { .string($0.iso8601()) } ?? .null
                disbursement["destination_reference"] = .string(destinationReferences[index])
                disbursement["transaction_reference"] = stage == .transferred ? .string(transactionReferences[index]) : .null
                batches.append(TransferBatch(status: status, amount: destination.amount.decimalString,
                                             disbursements: [.object(disbursement)]))
            }
        }
        return Self.document(id: id, attributes: Attributes(
            status: stage == .transferred ? "Processed" : stage.rawValue, created_at: lifecycle.createdAt.iso8601(),
            source_identifier: sourceIdentifier, destinations: destinations.map { .object($0.echo) },
            currency: "KES", transfer_batches: batches, errors: lifecycle.failure, metadata: .object(metadata),
            _links: ResourceLinks(callbackURL: callbackURL)))
    }

    /// One destination of the request.
    struct Destination: Sendable {
        static let types = ["mobile_wallet", "bank_account", "till", "paybill", "merchant_wallet", "merchant_bank_account"]
        /// Keys of a destination its disbursement repeats, in K2's order.
        static let echoedKeys = ["nickname", "favourite", "phone_number", "account_name", "account_number", "bank_branch_ref",
                                 "till_number", "paybill_number", "paybill_account_number"]

        let type: String
        let amount: Money
        /// The destination as sent, echoed in `destinations`.
        let echo: JSONObject
        let phoneNumber: String?

        init(_ object: JSONObject, index: Int) throws(RequestError) {
            let reader = BodyReader(object, prefix: "destinations[\(index)].")
            type = try reader.string("type")
            guard Self.types.contains(type) else {
                throw RequestError("\(reader.name("type")) '\(type)' is not one of \(Self.types.joined(separator: ", "))")
            }
            amount = try reader.money("amount")
            let required: [String] = switch type {
            case "mobile_wallet": ["phone_number"]
            case "bank_account": ["account_number", "bank_branch_ref"]
            case "till": ["till_number"]
            case "paybill": ["paybill_number", "paybill_account_number"]
            default: ["reference"]
            }
            for field in required { _ = try reader.string(field) }
            phoneNumber = try reader.optionalString("phone_number")
            if let phoneNumber, normalizedKenyanPhone(phoneNumber) == nil {
                throw RequestError("\(reader.name("phone_number")) '\(phoneNumber)' is not a valid phone number")
            }
            var echo = object
            echo["amount"] = amount.valueJSON
            self.echo = echo
        }
    }

    /// Its GET and callback body's attributes (k2-api.md §5.5).
    struct Attributes: Encodable, Sendable {
        var status: String
        var created_at: String
        var source_identifier: String?
        /// The destinations as requested (amounts as numbers).
        var destinations: [JSON]
        var currency: String
        var transfer_batches: [TransferBatch]
        var errors: String?
        var metadata: JSON
        var _links: ResourceLinks
    }

    /// One batch per destination.
    struct TransferBatch: Encodable, Sendable {
        var status: String
        var amount: String
        /// Each disbursement as JSON: its keys depend on the destination type.
        var disbursements: [JSON]
    }
}
