import OrderedJSON

/// An M-PESA STK push (`type: incoming_payment`), k2-api.md §5.2.
public struct IncomingPaymentAttributes: Encodable, Sendable {
    public var initiation_time: String
    public var status: String
    public var event: IncomingPaymentEvent
    public var metadata: JSON
    public var _links: ResourceLinks
}

public struct IncomingPaymentEvent: Encodable, Sendable {
    public var type = "Incoming Payment Request"
    /// The received transaction; null until Success.
    public var resource: IncomingPaymentTransaction?
    /// The failure reason; null unless Failed.
    public var errors: String?
}

/// The M-PESA transaction behind a successful STK push.
public struct IncomingPaymentTransaction: Encodable, Sendable {
    public var id: String
    public var reference: String
    public var origination_time: String
    public var sender_phone_number: String
    public var amount: String
    public var currency: String
    public var till_number: String
    public var system = "Lipa Na M-PESA"
    public var status = "Received"
    public var sender_first_name: String?
    public var sender_middle_name: String?
    public var sender_last_name: String?
}
