import OrderedJSON

/// `POST /api/v1/settlement_transfers` (k2-api.md §5.7); without a destination it is a blind
/// transfer of the whole balance.
public struct SettlementTransferRequest: Sendable {
    /// nil for a blind transfer.
    let amount: Money?
    let destinationType: String?
    let destinationReference: String?
    let metadata: JSONObject
    let callbackURL: String?

    public init(body: JSONObject) throws(RequestError) {
        let reader = BodyReader(body)
        if let amount = try reader.object("amount"), !(amount["value"]?.isNull ?? true) {
            self.amount = try reader.amountObject("amount")
        } else {
            self.amount = nil
        }
        destinationType = try reader.optionalString("destination_type")
        destinationReference = try reader.optionalString("destination_reference")
        if let destinationType, !["merchant_bank_account", "merchant_wallet"].contains(destinationType) {
            throw RequestError("destination_type '\(destinationType)' is not one of merchant_bank_account, merchant_wallet")
        }
        if (destinationType == nil) != (destinationReference == nil) {
            throw RequestError("destination_type and destination_reference go together (or both absent for a blind transfer)")
        }
        metadata = try reader.metadata()
        callbackURL = try reader.callbackURL()
    }
}
