import OrderedJSON

/// Why a create request was refused: K2 answers these with 400 and the message.
public struct RequestError: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// Reading typed values out of a request body, with K2-style messages naming the field.
struct BodyReader {
    let object: JSONObject
    let prefix: String

    init(_ object: JSONObject, prefix: String = "") {
        self.object = object
        self.prefix = prefix
    }

    func name(_ key: String) -> String { prefix + key }

    /// A string, or a number taken as its text (SDKs send some ids as numbers); nil when absent or null.
    func optionalString(_ key: String) throws(RequestError) -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        case .number(let lexeme)?: return lexeme
        case let other?: throw RequestError("\(name(key)) must be a string, not \(other.kindName)")
        }
    }

    func string(_ key: String) throws(RequestError) -> String {
        guard let value = try optionalString(key), !value.isEmpty else { throw RequestError("\(name(key)) is required") }
        return value
    }

    func object(_ key: String) throws(RequestError) -> JSONObject? {
        switch object[key] {
        case nil, .null?: return nil
        case .object(let value)?: return value
        case let other?: throw RequestError("\(name(key)) must be an object, not \(other.kindName)")
        }
    }

    /// `metadata` (or Ruby 3's `meta_data`): an object, `{}` when absent.
    func metadata() throws(RequestError) -> JSONObject {
        if let metadata = try object("metadata") { return metadata }
        return try object("meta_data") ?? JSONObject()
    }

    /// `_links.callback_url`.
    func callbackURL() throws(RequestError) -> String? {
        guard let links = try object("_links") else { return nil }
        return try BodyReader(links, prefix: name("_links.")).optionalString("callback_url")
    }

    /// An amount given as a number or a string.
    func money(_ key: String) throws(RequestError) -> Money {
        guard let json = object[key], !json.isNull else { throw RequestError("\(name(key)) is required") }
        guard let money = Money(json), money.cents > 0 else {
            throw RequestError("\(name(key)) must be a positive amount with at most two decimals, not \(json.compactString)")
        }
        return money
    }

    /// `{"currency":"KES","value":...}`.
    func amountObject(_ key: String) throws(RequestError) -> Money {
        guard let amount = try object(key) else { throw RequestError("\(name(key)) is required") }
        let reader = BodyReader(amount, prefix: name(key) + ".")
        try requireKES(reader.optionalString("currency"), field: reader.name("currency"))
        return try reader.money("value")
    }
}

/// K2 moves Kenyan shillings only.
func requireKES(_ currency: String?, field: String) throws(RequestError) {
    guard let currency else { return }
    guard currency == "KES" else { throw RequestError("\(field) '\(currency)' is not supported; K2 accepts KES only") }
}

/// A phone number as K2 prints it (`+254…`), from `+2547…`, `2547…` or `07…`; nil if it is not a Kenyan number.
func normalizedKenyanPhone(_ text: String) -> String? {
    var digits = text.filter { $0 != " " && $0 != "-" }
    if digits.hasPrefix("+") { digits.removeFirst() }
    guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
    if digits.hasPrefix("0"), digits.count == 10 { digits = "254" + digits.dropFirst() }
    guard digits.hasPrefix("254"), digits.count == 12 else { return nil }
    return "+" + digits
}

/// Recipient types of `pay_recipients` (v1) and `external_recipients` (v2), with the fields
/// each must have and may have, in K2's order.
enum RecipientType: String, CaseIterable {
    case mobileWallet = "mobile_wallet"
    case bankAccount = "bank_account"
    case till
    case paybill

    var label: String {
        switch self {
        case .mobileWallet: "Mobile Wallet"
        case .bankAccount: "Bank Account"
        case .till: "Till"
        case .paybill: "Paybill"
        }
    }

    var requiredFields: [String] {
        switch self {
        case .mobileWallet: ["phone_number"]
        case .bankAccount: ["account_name", "account_number", "bank_branch_ref"]
        case .till: ["till_number"]
        case .paybill: ["paybill_number", "paybill_account_number"]
        }
    }

    var fields: [String] {
        switch self {
        case .mobileWallet: ["first_name", "last_name", "phone_number", "network", "email"]
        case .bankAccount: ["account_name", "account_number", "bank_branch_ref", "settlement_method"]
        case .till: ["till_name", "till_number"]
        case .paybill: ["paybill_name", "paybill_number", "paybill_account_number"]
        }
    }

    static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// `POST /api/v1/pay_recipients` or `/api/v2/external_recipients`: `{type, pay_recipient|external_recipient: {...}}`.
public struct RecipientRequest: Sendable {
    let kind: ResourceKind
    let type: RecipientType
    /// The type's fields as given, in K2's order, values as strings.
    let fields: [(String, String?)]
    let nickname: String?

    public init(kind: ResourceKind, body: JSONObject) throws(RequestError) {
        let reader = BodyReader(body)
        let typeName = try reader.string("type")
        guard let type = RecipientType(rawValue: typeName) else {
            throw RequestError("type '\(typeName)' is not one of \(RecipientType.names)")
        }
        let key = kind == .payRecipient ? "pay_recipient" : "external_recipient"
        guard let details = try reader.object(key) else { throw RequestError("\(key) is required") }
        let detailReader = BodyReader(details, prefix: key + ".")
        for field in type.requiredFields { _ = try detailReader.string(field) }
        var fields: [(String, String?)] = []
        for field in type.fields { fields.append((field, try detailReader.optionalString(field))) }
        if type == .mobileWallet, let phone = fields.first(where: { $0.0 == "phone_number" })?.1,
           normalizedKenyanPhone(phone) == nil {
            throw RequestError("\(key).phone_number '\(phone)' is not a valid phone number")
        }
        if type == .bankAccount, let method = fields.first(where: { $0.0 == "settlement_method" })?.1,
           !["EFT", "RTS"].contains(method) {
            throw RequestError("\(key).settlement_method must be EFT or RTS")
        }
        self.kind = kind
        self.type = type
        self.fields = fields
        self.nickname = try detailReader.optionalString("nickname")
    }
}

/// `POST /api/v1/payments` (k2-api.md §5.4).
public struct PaymentRequest: Sendable {
    let destinationType: String
    let destinationReference: String
    let amount: Money
    let metadata: JSONObject
    let callbackURL: String?

    public init(body: JSONObject) throws(RequestError) {
        let reader = BodyReader(body)
        amount = try reader.amountObject("amount")
        destinationType = try reader.string("destination_type")
        guard RecipientType(rawValue: destinationType) != nil else {
            throw RequestError("destination_type '\(destinationType)' is not one of \(RecipientType.names)")
        }
        destinationReference = try reader.string("destination_reference")
        metadata = try reader.metadata()
        callbackURL = try reader.callbackURL()
    }
}

/// One destination of `POST /api/v2/send_money`.
struct SendMoneyDestination: Sendable {
    static let types = ["mobile_wallet", "bank_account", "till", "paybill", "merchant_wallet", "merchant_bank_account"]

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

/// `POST /api/v2/send_money` (k2-api.md §5.5); no destinations is a blind transfer.
public struct SendMoneyRequest: Sendable {
    let sourceIdentifier: String?
    let destinations: [SendMoneyDestination]
    let metadata: JSONObject
    let callbackURL: String?

    public init(body: JSONObject) throws(RequestError) {
        let reader = BodyReader(body)
        try requireKES(reader.optionalString("currency"), field: "currency")
        sourceIdentifier = try reader.optionalString("source_identifier")
        var destinations: [SendMoneyDestination] = []
        switch body["destinations"] {
        case nil, .null?: break
        case .array(let items)?:
            for (index, item) in items.enumerated() {
                guard case .object(let object) = item else {
                    throw RequestError("destinations[\(index)] must be an object, not \(item.kindName)")
                }
                destinations.append(try SendMoneyDestination(object, index: index))
            }
        case let other?:
            throw RequestError("destinations must be a list, not \(other.kindName)")
        }
        self.destinations = destinations
        metadata = try reader.metadata()
        callbackURL = try reader.callbackURL()
    }
}

/// `POST /api/v{1,2}/incoming_payments`, an M-PESA STK push (k2-api.md §5.2).
public struct IncomingPaymentRequest: Sendable {
    let tillNumber: String
    let phoneNumber: String
    let firstName: String?
    let middleName: String?
    let lastName: String?
    let amount: Money
    let metadata: JSONObject
    let callbackURL: String?

    public init(body: JSONObject) throws(RequestError) {
        let reader = BodyReader(body)
        amount = try reader.amountObject("amount")
        tillNumber = try reader.string("till_number")
        guard let subscriber = try reader.object("subscriber") else { throw RequestError("subscriber is required") }
        let person = BodyReader(subscriber, prefix: "subscriber.")
        guard let phone = try person.optionalString("phone_number"), let normalized = normalizedKenyanPhone(phone) else {
            throw RequestError("Subscriber phone number is an invalid number")
        }
        phoneNumber = normalized
        firstName = try person.optionalString("first_name")
        middleName = try person.optionalString("middle_name")
        lastName = try person.optionalString("last_name")
        metadata = try reader.metadata()
        callbackURL = try reader.callbackURL()
    }
}

/// `POST /api/v{1,2}/webhook_subscriptions` (k2-api.md §5.1).
public struct WebhookSubscriptionRequest: Sendable {
    let eventType: String
    let url: String
    /// `till` or `company`, lowercased (PHP sends `Company`).
    let scope: String
    let scopeReference: String?

    public init(body: JSONObject) throws(RequestError) {
        let reader = BodyReader(body)
        eventType = try reader.string("event_type")
        guard WebhookTopic.subscribable.contains(eventType) else {
            throw RequestError("event_type '\(eventType)' is not one of \(WebhookTopic.subscribable.joined(separator: ", "))")
        }
        url = try reader.string("url")
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw RequestError("url must be an http or https URL")
        }
        scope = try reader.string("scope").lowercased()
        guard scope == "till" || scope == "company" else { throw RequestError("scope must be till or company") }
        scopeReference = try reader.optionalString("scope_reference")
        if scope == "till", (scopeReference ?? "").isEmpty {
            throw RequestError("scope_reference (the till number) is required for scope till")
        }
        if body["enable_daraja_payload"]?.boolValue == true,
           !["buygoods_transaction_received", "b2b_transaction_received"].contains(eventType) {
            throw RequestError("enable_daraja_payload is only for buygoods_transaction_received and b2b_transaction_received")
        }
    }
}
