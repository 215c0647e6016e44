import Crypto
import OrderedJSON

/// Webhook event topics k2mock can fire, with the `event.type` K2 gives each and a resource
/// that every SDK's reader accepts (k2-api.md §6, §11), in K2's key order.
public enum WebhookTopic: String, Sendable, CaseIterable {
    case buygoodsTransactionReceived = "buygoods_transaction_received"
    case buygoodsTransactionReversed = "buygoods_transaction_reversed"
    case b2bTransactionReceived = "b2b_transaction_received"
    case m2mTransactionReceived = "m2m_transaction_received"
    case customerCreated = "customer_created"
    case settlementTransferCompleted = "settlement_transfer_completed"

    /// Topics a subscription may name (K2 knows more than k2mock fires).
    static let subscribable: [String] = allCases.map(\.rawValue) + [
        "b2b_transaction_reversed", "card_transaction_received", "card_transaction_voided", "card_transaction_reversed",
    ]

    var eventType: String {
        switch self {
        case .buygoodsTransactionReceived, .buygoodsTransactionReversed: "Buygoods Transaction"
        case .b2bTransactionReceived: "External Till to Till Transaction"
        case .m2mTransactionReceived: "Merchant to Merchant Transaction"
        case .customerCreated: "Customer Created"
        case .settlementTransferCompleted: "Settlement Transfer"
        }
    }

    /// Topics delivered to `till`-scoped subscriptions of the event's till number.
    var isTillScoped: Bool {
        self == .buygoodsTransactionReceived || self == .buygoodsTransactionReversed || self == .b2bTransactionReceived
    }

    /// The path segment of `_links.resource`.
    var resourceCollection: String {
        switch self {
        case .m2mTransactionReceived: "payment_batches"
        case .customerCreated: "mobile_money_user"
        case .settlementTransferCompleted: "transfer_batch"
        default: "financial_transaction"
        }
    }

    /// The event's resource: these defaults, with `overrides` replacing or adding keys.
    func resource(id: String, reference: String, at time: Timestamp, overrides: JSONObject) -> JSONObject {
        let when = JSON.string(time.iso8601(fractional: false))
        var resource: JSONObject
        switch self {
        case .buygoodsTransactionReceived, .buygoodsTransactionReversed:
            resource = JSONObject([
                ("id", .string(id)), ("amount", "100.0"), ("status", self == .buygoodsTransactionReceived ? "Received" : "Reversed"),
                ("system", "Lipa Na M-PESA"), ("currency", "KES"), ("reference", .string(reference)), ("till_number", "000000"),
                ("sender_phone_number", "+254999999999"),
            ])
            if self == .buygoodsTransactionReceived { resource["hashed_sender_phone"] = "" }
            resource["origination_time"] = when
            resource["sender_first_name"] = "Joe"
            resource["sender_middle_name"] = .null
            resource["sender_last_name"] = "Buyer"
            if self == .buygoodsTransactionReversed { resource["reversal_time"] = when }
        case .b2bTransactionReceived:
            resource = JSONObject([
                ("id", .string(id)), ("amount", "313.0"), ("status", "Complete"), ("system", "Lipa Na Mpesa"), ("currency", "KES"),
                ("reference", .string(reference)), ("till_number", "000000"), ("sending_till", "111111"), ("origination_time", when),
            ])
        case .m2mTransactionReceived:
            resource = JSONObject([
                ("id", .string(id)), ("amount", "100.0"), ("status", "Received"), ("currency", "KES"),
                ("origination_time", when), ("sending_merchant", "Demo Merchant"),
            ])
        case .customerCreated:
            resource = JSONObject([
                ("id", .string(id)), ("first_name", "Joe"), ("middle_name", nil), ("last_name", "Buyer"),
                ("phone_number", "+254999999999"),
            ])
        case .settlementTransferCompleted:
            resource = JSONObject([
                ("id", .string(id)), ("reference", .string(reference)), ("amount", "49452.0"), ("status", "Transferred"),
                ("currency", "KES"), ("origination_time", when),
                ("destination", ["type": "Bank Account", "resource": [
                    "reference": .string(id), "account_name": "Demo Merchant", "account_number": "1234567890",
                    "bank_branch_ref": "633aa26c-7b7c-4091-ae28-96c0687cf886", "settlement_method": "EFT"]]),
                ("disbursements", [["amount": "49452.0", "status": "Transferred", "origination_time": when,
                                    "transaction_reference": .string(reference)]]),
            ])
        }
        for member in overrides { resource[member.key] = member.value }
        if self == .buygoodsTransactionReceived, resource["hashed_sender_phone"] == .string(""),
           let phone = resource["sender_phone_number"]?.stringValue {
            resource["hashed_sender_phone"] = .string(lowercaseHex(SHA256.hash(data: Array(phone.utf8))))
        }
        return resource
    }
}

extension WebhookTopic {
    /// The event in Safaricom's C2B confirmation format, for subscriptions made with
    /// `enable_daraja_payload` (k2-api.md §6). Both spellings of the third-party id key are
    /// sent: the Node and Ruby SDKs disagree on it.
    func darajaPayload(_ resource: JSONObject, at time: Timestamp) -> JSON? {
        guard self == .buygoodsTransactionReceived || self == .b2bTransactionReceived else { return nil }
        let digits = time.iso8601(fractional: false).filter { $0.isNumber }.prefix(14)
        let sender: JSON = self == .b2bTransactionReceived
            ? (resource["sending_till"] ?? .null) : (resource["sender_phone_number"] ?? .null)
        return [
            "TransactionType": self == .b2bTransactionReceived ? "Organization To Organization Transfer" : "Buygoods",
            "TransID": resource["reference"] ?? .null, "TransTime": .string(String(digits)),
            "TransAmount": resource["amount"] ?? .null, "BusinessShortCode": resource["till_number"] ?? .null,
            "BillRefNumber": "", "InvoiceNumber": "", "OrgAccountBalance": "", "ThirdPartyTransID": "",
            "ThirdPartyTransId": "", "MSISDN": sender, "FirstName": resource["sender_first_name"] ?? .null,
            "MiddleName": resource["sender_middle_name"] ?? .null, "LastName": resource["sender_last_name"] ?? .null,
        ]
    }
}

/// How a delivery misbehaves on purpose, so an integrator's handler meets what it must survive:
/// late, repeated or badly signed deliveries. Order can be swapped by delaying an earlier one.
public struct DeliveryQuirks: Sendable, Equatable {
    /// Sandbox time added before the first attempt.
    public var delay: TimeSpan = .zero
    /// Extra copies delivered besides the first (each its own journal entry).
    public var duplicates: Int = 0
    /// Sign with a wrong key, so a correct verifier must refuse it.
    public var badSignature = false

    public init(delay: TimeSpan = .zero, duplicates: Int = 0, badSignature: Bool = false) {
        self.delay = delay
        self.duplicates = duplicates
        self.badSignature = badSignature
    }
}

/// A webhook event to fire: from the scenario's `events` (at an offset from the start) or
/// from `POST /__admin/events` (now).
public struct ScriptedEvent: Sendable, Equatable {
    public var at: TimeSpan
    public var topic: WebhookTopic
    /// Keys that replace or add to the topic's default resource.
    public var resource: JSONObject
    public var quirks: DeliveryQuirks

    public init(at: TimeSpan = .zero, topic: WebhookTopic, resource: JSONObject = JSONObject(), quirks: DeliveryQuirks = DeliveryQuirks()) {
        self.at = at
        self.topic = topic
        self.resource = resource
        self.quirks = quirks
    }
}
